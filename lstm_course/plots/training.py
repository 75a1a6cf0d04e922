"""Figures for training runs: loss curves and 2-D decision boundaries."""
import numpy as np

from lstm_course._validation import as_float_array, check_callable, check_flag, check_int, check_shape
from lstm_course.plots._common import _axes, _labelled, _values


def loss_curve(losses, ax=None, label=None, log_scale=True, xlabel="update", title="Training loss"):
    """Plot one or more loss histories.

    Parameters
    ----------
    losses : array_like (n_updates,) or dict[str, array_like]
        A single history, or several keyed by their legend label.
    ax : matplotlib Axes, optional
    label : str, optional
        Legend label for a single history.
    log_scale : bool
        Use a logarithmic y axis (losses usually span decades).

    Returns
    -------
    matplotlib Axes
    """
    histories = _labelled("losses", losses, _values) if isinstance(losses, dict) else {label: _values("losses", losses)}
    log_scale = check_flag("log_scale", log_scale)
    ax = _axes(ax)
    for name, history in histories.items():
        ax.plot(np.arange(1, len(history) + 1), history, label=name)
    if log_scale:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel="loss", title=title)
    if any(name is not None for name in histories):
        ax.legend()
    return ax


def decision_boundary(predict, X, y, ax=None, resolution=200, title="Decision boundary"):
    """Shade the sign of a 2-D classifier's output and overlay the data.

    Parameters
    ----------
    predict : callable
        Maps an ``(M, 2)`` array of points to ``(M, 1)`` scores; the boundary
        is drawn where the score crosses 0.5.
    X : ndarray (N, 2)
    y : ndarray (N, 1) or (N,)
        Labels in {0, 1}.

    Returns
    -------
    matplotlib Axes
    """
    check_callable("predict", predict)
    X = as_float_array("X", X, ndim=2)
    check_shape("X", X, (len(X), 2), "(N, 2)")
    labels = as_float_array("y", y)
    if labels.ndim not in (1, 2) or labels.size != len(X) or labels.shape[0] != len(X):
        raise ValueError(f"y must have shape (N,) or (N, 1) with N = {len(X)} from X, got {labels.shape}")
    resolution = check_int("resolution", resolution, minimum=2)
    ax = _axes(ax, figsize=(4, 4))
    margin = 0.5
    xs = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, resolution)
    ys = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    scores = as_float_array("predict's output", predict(np.column_stack([grid_x.ravel(), grid_y.ravel()])))
    if scores.size != grid_x.size:
        raise ValueError(f"predict must return one score per point, (M, 1) with M = {grid_x.size}, "
                         f"got shape {scores.shape}")
    scores = scores.reshape(grid_x.shape)
    ax.contourf(grid_x, grid_y, scores, levels=20, cmap="RdBu_r", alpha=0.6)
    ax.contour(grid_x, grid_y, scores, levels=[0.5], colors="k", linewidths=1.5)
    labels = np.ravel(labels)
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="RdBu_r", edgecolors="k", s=60, vmin=0, vmax=1)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=title, aspect="equal")
    return ax
