"""Figures for Chapter 3: BPTT's cost, a trained model's predictions, error injection."""
import matplotlib.pyplot as plt
import numpy as np

from lstm_course._validation import check_positive_int, check_scalar
from lstm_course.plots._common import _axes, _axes_row, _labelled, _values
from lstm_course.plots.unrolling import activation_memory


def cost_vs_length(lengths, seconds, fit=None, ax=None, title="Time of one full-BPTT update"):
    """Plot measured seconds per update against T, with an optional fitted line.

    Parameters
    ----------
    lengths : array_like (M,)
    seconds : array_like (M,)
    fit : tuple (slope, intercept, r_squared), optional
        From :func:`lstm_course.lab.bptt_cost.linear_fit`.

    Returns
    -------
    matplotlib Axes
    """
    lengths = _values("lengths", lengths)
    seconds = _values("seconds", seconds, length=len(lengths), of="lengths")
    if fit is not None:
        slope, intercept, r_squared = _fit(fit)
    ax = _axes(ax, figsize=(5.5, 3.5))
    ax.plot(lengths, 1e3 * seconds, "o", label="measured (fastest CPU time)")
    if fit is not None:
        grid = np.linspace(0, lengths.max(), 50)
        ax.plot(grid, 1e3 * (slope * grid + intercept), "--",
                label=f"linear fit: {1e6 * slope:.1f} µs per step, $R^2$ = {r_squared:.3f}")
    ax.set(xlabel="sequence length T", ylabel="ms per update", title=title)
    ax.legend()
    return ax


def _fit(fit):
    if not isinstance(fit, (tuple, list)) or len(fit) != 3:
        raise ValueError(f"fit must be a tuple (slope, intercept, r_squared) as linear_fit returns, got {fit!r}")
    return tuple(check_scalar(f"fit[{index}]", value) for index, value in enumerate(fit))


def cost_and_memory(lengths, seconds, bytes_by_label, fit=None):
    """Two panels side by side: time of one BPTT update and stored activations, both against T.

    Parameters
    ----------
    lengths : array_like (M,)
    seconds : array_like (M,)
        Seconds per update, as for :func:`cost_vs_length`.
    bytes_by_label : dict[str, array_like (M,)]
        Stored activation bytes, as for :func:`lstm_course.plots.activation_memory`.
    fit : tuple (slope, intercept, r_squared), optional

    Returns
    -------
    ndarray of two matplotlib Axes
    """
    lengths = _values("lengths", lengths)
    _values("seconds", seconds, length=len(lengths), of="lengths")
    _labelled("bytes_by_label", bytes_by_label, lambda name, measured: _values(name, measured, length=len(lengths),
                                                                               of="lengths"))
    if fit is not None:
        _fit(fit)
    _, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
    cost_vs_length(lengths, seconds, fit=fit, ax=axes[0])
    activation_memory(lengths, bytes_by_label, ax=axes[1])
    return axes


def sine_predictions(x, y, yhat, n_show=3, axes=None, title="Next-step predictions"):
    """Plot inputs, targets and predictions of a one-dimensional sequence task.

    Parameters
    ----------
    x, y, yhat : ndarray (N, T, 1)
        Inputs, targets and the model's predictions.
    n_show : int
        Number of sequences to draw, one panel each.

    Returns
    -------
    ndarray of matplotlib Axes
    """
    x = _values("x", x, ndim=3)
    y = _values("y", y, ndim=3)
    yhat = _values("yhat", yhat, ndim=3)
    for name, array in (("x", x), ("y", y), ("yhat", yhat)):
        if array.shape[1:] != (x.shape[1], 1):
            raise ValueError(f"{name} must have shape (N, T, 1) with T = {x.shape[1]} from x, got {array.shape}")
    n_show = min(check_positive_int("n_show", n_show), len(x), len(y), len(yhat))
    if axes is None:
        _, axes = plt.subplots(n_show, 1, figsize=(6.5, 1.9 * n_show), sharex=True, layout="constrained",
                               squeeze=False)
    axes = np.ravel(np.asarray(axes, dtype=object))[:n_show]
    steps = np.arange(x.shape[1])
    for n, ax in enumerate(axes):
        ax.plot(steps, x[n, :, 0], color="0.7", label="input $x_t$")
        ax.plot(steps, y[n, :, 0], "k.", markersize=4, label=r"target $y_t = x_{t+1}$")
        ax.plot(steps, yhat[n, :, 0], color="#c44e52", label=r"prediction $\hat y_t$")
        ax.set_ylabel(f"sequence {n}")
    axes[0].set_title(title)
    axes[0].legend(fontsize=8, ncol=3, loc="upper right")
    axes[-1].set_xlabel("step t")
    return axes


def error_injection(flows, axes=None, title="Error injected by the loss and total error on each state"):
    """Compare where the loss injects error and how much reaches each hidden state.

    Parameters
    ----------
    flows : dict[str, dict]
        Per loss type (e.g. ``"many-to-many"``), the output of
        :func:`lstm_course.lab.unrolling.error_per_step` (``injected`` and ``total``, each (T,)).

    Returns
    -------
    ndarray of matplotlib Axes, one per loss type
    """
    flows = _labelled("flows", flows, _flow, "error_per_step results")
    axes = _axes_row(axes, len(flows), (5.0 * len(flows), 3.3), sharey=True)
    for ax, (label, flow) in zip(axes, flows.items()):
        steps = np.arange(1, len(flow["total"]) + 1)
        ax.bar(steps, flow["injected"], color="#dd8452", label=r"injected $\|e_t\|$")
        ax.plot(steps, flow["total"], "k.-", label=r"total $\|\partial L / \partial h_t\|$")
        ax.set(yscale="log", xlabel="step t", title=label)
    axes[0].set_ylabel("error norm")
    axes[0].legend(fontsize=8)
    axes[0].figure.suptitle(title)
    return axes


def _flow(name, flow):
    if not isinstance(flow, dict) or "injected" not in flow or "total" not in flow:
        raise ValueError(f"{name} must be a dict with injected and total (as error_per_step returns), got {flow!r}")
    total = _values(f"{name}['total']", flow["total"])
    return {"total": total, "injected": _values(f"{name}['injected']", flow["injected"], length=len(total),
                                                of=f"{name}['total']")}
