"""Figures for vanishing and exploding gradients (Chapter 4)."""
import numpy as np
from matplotlib.colors import LogNorm

from lstm_course._validation import check_int, check_scalar, check_sequence
from lstm_course.plots._common import _axes, _labelled, _values


def power_curves(bases, length, ax=None, title="Repeated multiplication: $w^k$"):
    """Plot w**k against k = 0..length for each scalar w, on a log axis.

    Parameters
    ----------
    bases : sequence of float
        The scalars w.
    length : int
        The largest exponent.

    Returns
    -------
    matplotlib Axes
    """
    bases = check_sequence("bases", bases, check_scalar)
    exponents = np.arange(check_int("length", length, minimum=0) + 1)
    ax = _axes(ax)
    for base in bases:
        ax.plot(exponents, np.abs(base) ** exponents, label=f"w = {base:g}")
    ax.axhline(1.0, color="0.6", lw=0.8, ls=":")
    ax.set_yscale("log")
    ax.set(xlabel="number of factors k", ylabel="$|w|^k$", title=title)
    ax.legend()
    return ax


def norm_vs_lag(norms, ax=None, bounds=None, title=r"$\|\partial h_T / \partial h_{T-k}\|_2$ against the lag $k$"):
    """Jacobian-product norm against lag, one curve per labelled run.

    Parameters
    ----------
    norms : dict[str, ndarray (N, K)] or ndarray (N, K)
        Norms for lags 0..K-1 of N sequences. The curve is their median
        and the band spans the smallest to the largest sequence.
    ax : matplotlib Axes, optional
    bounds : dict[str, float], optional
        For each label, a largest singular value lambda_1 whose bound
        lambda_1**k is drawn dashed in the same colour.

    Returns
    -------
    matplotlib Axes
    """
    runs = _labelled("norms", norms, _norm_run) if isinstance(norms, dict) else {None: _norm_run("norms", norms)}
    if bounds is not None:
        bounds = _labelled("bounds", bounds, lambda name, bound: check_scalar(name, bound, low=0.0))
    ax = _axes(ax, figsize=(6, 3.8))
    smallest, largest = 1.0, 1.0
    for label, run in runs.items():
        lags = np.arange(run.shape[1])
        (line,) = ax.plot(lags, np.median(run, axis=0), label=label)
        ax.fill_between(lags, run.min(axis=0), run.max(axis=0), color=line.get_color(), alpha=0.2, lw=0)
        smallest, largest = min(smallest, np.nanmin(run)), max(largest, np.nanmax(run))
        if bounds and label in bounds:
            ax.plot(lags, bounds[label] ** lags.astype(float), color=line.get_color(), ls="--", lw=1)
    # Keep the measured curves in view: a bound lambda_1**k can be astronomically large.
    ax.set_ylim(max(smallest, 1e-300) / 10, largest * 1e3)
    ax.axhline(1.0, color="0.6", lw=0.8, ls=":")
    ax.set_yscale("log")
    ax.set(xlabel="lag $k = T - s$ (steps back in time)", ylabel="spectral norm", title=title)
    if any(label is not None for label in runs):
        ax.legend(fontsize="small")
    return ax


def _norm_run(name, run):
    """Norms ``(N, K)`` of N sequences at lags 0..K-1 (one sequence may be given as ``(K,)``)."""
    run = np.atleast_2d(_values(name, run, ndim=None))
    if run.ndim != 2:
        raise ValueError(f"{name} must be an (N, K) array of norms (N sequences, lags 0..K-1), got shape {run.shape}")
    return run


def gradient_heatmap(norm_matrix, ax=None, floor=1e-12, title="Which past steps still receive gradient"):
    """Heatmap of ||dh_t/dh_s||_2 with the loss step t down and the earlier step s across.

    Parameters
    ----------
    norm_matrix : ndarray (T + 1, T + 1)
        Entry [t, s]; NaN (left blank) where s > t. See
        :func:`lstm_course.lab.vanishing.jacobian_norm_matrix`.
    floor : float
        Norms below this share the darkest colour, so that a few exact
        zeros do not stretch the colour scale.

    Returns
    -------
    matplotlib Axes
    """
    norm_matrix = _values("norm_matrix", norm_matrix, ndim=2)
    if norm_matrix.shape[0] != norm_matrix.shape[1]:
        raise ValueError(f"norm_matrix must be square, (T + 1, T + 1), got shape {norm_matrix.shape}")
    floor = check_scalar("floor", floor, low=0.0, low_open=True)
    ax = _axes(ax, figsize=(5, 4.2))
    values = np.ma.masked_invalid(np.maximum(norm_matrix, floor))
    image = ax.imshow(values, origin="upper", cmap="magma", norm=LogNorm(vmin=floor, vmax=max(values.max(), 1.0)),
                      interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label=r"$\|\partial h_t / \partial h_s\|_2$")
    ax.set(xlabel="earlier step $s$ (receives the gradient)", ylabel="step $t$ (where the loss is)", title=title)
    return ax


def condition_scatter(spectral_radii, largest_singular_values, final_norms, lag, ax=None,
                      title="Sampled recurrent matrices"):
    """Scatter the norm of dh_T/dh_{T-lag} against each matrix's spectral radius.

    Points are coloured by whether lambda_1 < 1, the sufficient condition for
    vanishing, so the figure shows both of Pascanu et al.'s conditions at once.

    Parameters
    ----------
    spectral_radii, largest_singular_values, final_norms : ndarray (M,)
    lag : int
        The lag at which ``final_norms`` were measured (for the axis label).

    Returns
    -------
    matplotlib Axes
    """
    spectral_radii = _values("spectral_radii", spectral_radii)
    largest_singular_values, final_norms = (
        _values(name, value, length=len(spectral_radii), of="spectral_radii") for name, value in
        (("largest_singular_values", largest_singular_values), ("final_norms", final_norms)))
    lag = check_int("lag", lag, minimum=0)
    ax = _axes(ax, figsize=(6, 3.8))
    below = largest_singular_values < 1.0
    ax.scatter(spectral_radii[below], final_norms[below], s=14, label=r"$\lambda_1 < 1$")
    ax.scatter(spectral_radii[~below], final_norms[~below], s=14, marker="^", label=r"$\lambda_1 \geq 1$")
    ax.axvline(1.0, color="0.4", lw=0.8, ls="--")
    ax.axhline(1.0, color="0.6", lw=0.8, ls=":")
    ax.set_yscale("log")
    ax.set(xlabel=r"spectral radius $\rho(W_h)$", ylabel=rf"$\|\partial h_T/\partial h_{{T-{lag}}}\|_2$",
           title=title)
    ax.legend(fontsize="small")
    return ax


def error_surface(w_values, b_values, loss, paths=None, ax=None,
                  title="One-unit model: $E = (\\sigma(x_{50}) - 0.7)^2$"):
    """Filled contours of a loss over a (w, b) grid, with optional descent paths.

    Parameters
    ----------
    w_values : ndarray (P,)
    b_values : ndarray (Q,)
    loss : ndarray (Q, P)
        See :func:`lstm_course.lab.one_unit.one_unit_loss_surface`.
    paths : dict[str, ndarray (n, 2)], optional
        (w, b) points visited by each labelled run.

    Returns
    -------
    matplotlib Axes
    """
    w_values, b_values = _values("w_values", w_values), _values("b_values", b_values)
    loss = _values("loss", loss, ndim=2)
    if loss.shape != (len(b_values), len(w_values)):
        raise ValueError(f"loss must have shape (Q, P) = {(len(b_values), len(w_values))} with Q from b_values "
                         f"and P from w_values, got {loss.shape}")
    if min(loss.shape) < 2:
        raise ValueError(f"w_values and b_values need at least two values each for contours, got {loss.shape}")
    if paths is not None:
        paths = _labelled("paths", paths, _path, "(n, 2) arrays of (w, b)")
    ax = _axes(ax, figsize=(6.5, 4.5))
    image = ax.contourf(w_values, b_values, loss, levels=30, cmap="viridis")
    ax.figure.colorbar(image, ax=ax, label="E")
    markers = iter(["o", "s", "^", "D"])
    colors = iter(["white", "tab:red", "tab:orange", "tab:pink"])
    for label, path in (paths or {}).items():
        color = next(colors)
        ax.plot(path[:, 0], path[:, 1], marker=next(markers), ms=3, lw=1.2, color=color, label=label)
        ax.plot(*path[0], marker="*", ms=12, color=color, mec="k")
    ax.set(xlim=(w_values[0], w_values[-1]), ylim=(b_values[0], b_values[-1]), xlabel="w", ylabel="b", title=title)
    if paths:
        ax.legend(fontsize="small", loc="upper right")
    return ax



def _path(name, path):
    path = _values(name, path, ndim=2)
    if path.shape[1] != 2:
        raise ValueError(f"{name} must be an (n, 2) array of (w, b) points, got shape {path.shape}")
    return path
