"""Figures for Chapter 9: the cost of RTRL, unbiased estimators, influence balancing."""
import matplotlib.pyplot as plt
import numpy as np

from lstm_course._validation import check_positive_int, check_scalar
from lstm_course.plots._common import _axes, _axes_row, _labelled, _values

COLORS = {"RTRL": "tab:green", "UORO": "tab:purple", "ARTBP": "tab:orange"}


def time_per_step(hidden_sizes, seconds, ax=None):
    """Measured time per step against H on log-log axes, one line per method.

    Parameters
    ----------
    hidden_sizes : array_like (K,)
    seconds : dict of str -> array_like (K,)
        Time per step of each method.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    hidden_sizes = _hidden_sizes(hidden_sizes)
    seconds = _labelled("seconds", seconds, lambda name, values: _values(name, values, length=len(hidden_sizes),
                                                                         of="hidden_sizes"))
    ax = _axes(ax, (6, 3.6))
    for name, values in seconds.items():
        ax.plot(hidden_sizes, 1e3 * values, "o-", label=name, color=COLORS.get(name))
    ax.set(xscale="log", yscale="log", xlabel="hidden units H", ylabel="CPU time per step (ms)",
           title="Cost per step: RTRL against truncated BPTT")
    ax.set_xticks(list(hidden_sizes), [str(h) for h in hidden_sizes])
    ax.legend(fontsize=8)
    return ax


def _hidden_sizes(hidden_sizes):
    """Positive integers H, one per point."""
    sizes = _values("hidden_sizes", hidden_sizes)
    if not np.all((sizes >= 1) & (sizes == np.round(sizes))):
        raise ValueError(f"hidden_sizes must be positive integers, got {sizes}")
    return sizes.astype(int)


def convergence(draws, errors, predicted, ax=None, title="Mean of M estimates against the exact gradient"):
    """Relative error of the mean of M draws against M, with the predicted sigma / sqrt(M).

    Parameters
    ----------
    draws : array_like (K,)
    errors : dict of str -> array_like (K,)
        Measured relative error of each estimator's running mean.
    predicted : dict of str -> array_like (K,)
        sigma / sqrt(M) for the same estimators.

    Returns
    -------
    matplotlib Axes
    """
    draws = _values("draws", draws)
    errors, predicted = (_labelled(name, value, lambda label, values: _values(label, values, length=len(draws),
                                                                              of="draws"))
                         for name, value in (("errors", errors), ("predicted", predicted)))
    if set(predicted) != set(errors):
        raise ValueError(f"predicted must have the labels of errors {sorted(errors)}, got {sorted(predicted)}")
    ax = _axes(ax, (6, 3.6))
    for name in errors:
        ax.plot(draws, errors[name], "o", color=COLORS.get(name), label=f"{name}: measured")
        ax.plot(draws, predicted[name], "--", color=COLORS.get(name), label=f"{name}: sigma / sqrt(M)")
    ax.set(xscale="log", yscale="log", xlabel="number of draws M",
           ylabel="||mean - g|| / ||g||", title=title)
    ax.legend(fontsize=8)
    return ax


def variance_vs_hidden(hidden_sizes, variance, slope=None, ax=None):
    """UORO's relative variance E||g~ - g||^2 / ||g||^2 against H (log-log).

    Returns
    -------
    matplotlib Axes
    """
    hidden_sizes = _hidden_sizes(hidden_sizes)
    variance = _values("variance", variance, length=len(hidden_sizes), of="hidden_sizes")
    slope = check_scalar("slope", slope, allow_none=True)
    ax = _axes(ax, (6, 3.4))
    ax.plot(hidden_sizes, variance, "o-", color=COLORS["UORO"],
            label="UORO" + (f" (slope {slope:.1f})" if slope is not None else ""))
    ax.set(xscale="log", yscale="log", xlabel="hidden units H",
           ylabel="relative variance", title="UORO: variance of the full-stream gradient estimate")
    ax.set_xticks(list(hidden_sizes), [str(h) for h in hidden_sizes])
    ax.legend(fontsize=8)
    return ax


def bias_and_variance(points, floor=1e-6, axes=None):
    """Gradient bias and variance against compute per step, one marker per method.

    Parameters
    ----------
    points : list of (label, compute, bias, variance) or (label, compute, bias, variance, standard_error)
        Compute in multiply-adds per step; bias ||E g~ - g|| / ||g||; variance
        E||g~ - E g~||^2 / ||g||^2. Exact zeros are drawn at ``floor`` with an
        open marker (a log axis has no zero). For a random estimator whose bias is
        estimated from a mean of draws, give the mean's relative standard error: its
        bias is drawn as the interval from ``floor`` to bias + 2 standard errors, an
        upper bound (downward triangle), not as a point.
    floor : float
    axes : pair of matplotlib Axes, optional

    Returns
    -------
    pair of matplotlib Axes
    """
    points = _points(points)
    floor = check_scalar("floor", floor, low=0.0, low_open=True)
    axes = _axes_row(axes, 2, (10, 3.8))
    for ax, column, ylabel in zip(axes, (2, 3), ("relative bias", "relative variance")):
        for point in points:
            label, compute, value = point[0], point[1], point[column]
            color = COLORS.get(label, "tab:blue" if label.startswith("TBPTT") else "0.3")
            zero = value <= floor
            if column == 2 and len(point) > 4:
                bound = value + 2 * point[4]
                ax.plot([compute, compute], [floor, bound], color=color, linewidth=2)
                ax.plot(compute, bound, "v", markersize=8, color=color)
                label, value = f"{label} (upper bound)", bound
            else:
                ax.plot(compute, max(value, floor), "o", markersize=8, color=color,
                        markerfacecolor="none" if zero else color)
            ax.annotate(label, (compute, max(value, floor)), textcoords="offset points", xytext=(5, 4),
                        fontsize=7)
        ax.axhline(floor, color="0.7", linewidth=0.8, linestyle=":")
        ax.set(xscale="log", yscale="log", xlabel="multiply-adds per step (counted)", ylabel=ylabel)
    axes[0].set_title(f"Bias (open markers: exactly 0, drawn at {floor:g}; lines: upper bounds)", fontsize=10)
    axes[1].set_title("Variance (open markers: deterministic)", fontsize=10)
    return axes


def _points(points):
    """(label, compute, bias, variance[, standard_error]) tuples with a string label and non-negative numbers."""
    if not isinstance(points, (list, tuple)) or not points:
        raise ValueError(f"points must be a non-empty list of (label, compute, bias, variance) tuples, got {points!r}")
    checked = []
    for index, point in enumerate(points):
        if not isinstance(point, (list, tuple)) or len(point) not in (4, 5) or not isinstance(point[0], str):
            raise ValueError(f"points[{index}] must be (label, compute, bias, variance) or (label, compute, bias, "
                             f"variance, standard_error), got {point!r}")
        checked.append((point[0], check_scalar(f"points[{index}] compute", point[1], low=0.0, low_open=True),
                        *(check_scalar(f"points[{index}] {name}", value, low=0.0)
                          for name, value in zip(("bias", "variance", "standard_error"), point[2:]))))
    return checked


def influence_curves(curves, window=200, ax=None):
    """Learning curves on the influence-balancing task: the loss per target, smoothed.

    Parameters
    ----------
    curves : dict of str -> array_like (S, T)
        l_t of every seed (one target per step, so the loss per target).
    window : int
        Moving-average window.

    Returns
    -------
    matplotlib Axes
    """
    curves = _labelled("curves", curves, lambda name, runs: np.atleast_2d(_values(name, runs, ndim=None)))
    window = check_positive_int("window", window)
    for name, runs in curves.items():
        if runs.ndim != 2 or runs.shape[1] < window:
            raise ValueError(f"curves[{name!r}] must be an (S, T) array with T >= window = {window}, "
                             f"got shape {runs.shape}")
    ax = _axes(ax, (7, 3.8))
    kernel = np.ones(window) / window
    for index, (name, runs) in enumerate(curves.items()):
        color = COLORS.get(name, plt.cm.Blues(0.45 + 0.2 * (index % 3)) if str(name).startswith("TBPTT") else None)
        for seed, losses in enumerate(runs):
            smooth = np.convolve(losses, kernel, mode="valid")
            ax.plot(np.arange(window, len(losses) + 1), smooth, color=color, alpha=0.8, linewidth=1.2,
                    label=name if seed == 0 else None)
    ax.set(yscale="log", xlabel="step t", ylabel=f"loss per target ({window}-step mean)",
           title="Influence balancing: online training")
    ax.legend(fontsize=8, ncol=2)
    return ax
