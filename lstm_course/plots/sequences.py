"""Figures for Chapter 7, preparing sequences: sample orders, (P)ACF, grid searches, learning curves."""
import matplotlib.pyplot as plt
import numpy as np

from lstm_course._validation import check_int, check_object, check_positive_int, check_scalar
from lstm_course.plots._common import _axes, _axes_row, _labelled, _values


def sample_orders(panels, figsize=None):
    """Draw one slots x batches grid per sample order.

    Cell (slot i, batch b) is coloured by the original sequence of the sample
    that sits in slot i of batch b and labelled ``s.c`` (sequence s, chunk c).
    A stateful layer carries slot i's state from column b to column b+1, so a
    correct order shows each row continuing one sequence with c increasing by
    one; dashed lines mark state resets.

    Parameters
    ----------
    panels : dict[str, tuple]
        Title -> ``(sequence, chunk, batch_size, reset_every)``: the sequence and
        chunk index of every flat sample position (as from
        :func:`lstm_course.data.chunking.stateful_sample_index`), the batch size and
        the number of batches between resets.

    Returns
    -------
    matplotlib Figure
    """
    panels = _labelled("panels", panels, _panel, "(sequence, chunk, batch_size, reset_every)")
    if figsize is None:
        figsize = (5.0 * len(panels), 3.0)
    fig, axes = plt.subplots(1, len(panels), figsize=figsize, layout="constrained", squeeze=False)
    cmap = plt.get_cmap("tab10")
    for ax, (title, (sequence, chunk, batch_size, reset_every)) in zip(axes[0], panels.items()):
        grid_seq = sequence.reshape(-1, batch_size).T
        grid_chunk = chunk.reshape(-1, batch_size).T
        slots, batches = grid_seq.shape
        colours = cmap(grid_seq % 10)
        ax.imshow(colours, aspect="auto", alpha=0.55)
        for i in range(slots):
            for b in range(batches):
                ax.text(b, i, f"{grid_seq[i, b]}.{grid_chunk[i, b]}", ha="center", va="center", fontsize=8)
        for b in range(reset_every, batches, reset_every):
            ax.axvline(b - 0.5, color="k", linestyle="--", linewidth=1.2)
        ax.set_xticks(range(batches))
        ax.set_yticks(range(slots))
        ax.set(xlabel="batch", ylabel="slot", title=title)
    return fig


def _panel(name, panel):
    """(sequence, chunk, batch_size, reset_every): integer positions whose count batch_size divides."""
    if not isinstance(panel, (tuple, list)) or len(panel) != 4:
        raise ValueError(f"{name} must be a tuple (sequence, chunk, batch_size, reset_every), got {panel!r}")
    sequence, chunk = (_values(f"{name} {part}", value) for part, value in zip(("sequence", "chunk"), panel))
    batch_size = check_positive_int(f"{name} batch_size", panel[2])
    reset_every = check_positive_int(f"{name} reset_every", panel[3])
    if len(chunk) != len(sequence) or len(sequence) % batch_size:
        raise ValueError(f"{name} must give sequence and chunk of equal length, a multiple of batch_size = "
                         f"{batch_size}; got lengths {len(sequence)} and {len(chunk)}")
    if not np.all((sequence >= 0) & (sequence == np.round(sequence)) & (chunk >= 0) & (chunk == np.round(chunk))):
        raise ValueError(f"{name} must give non-negative integer sequence and chunk indices")
    return sequence.astype(int), chunk.astype(int), batch_size, reset_every


def acf_pacf(acf, pacf, bound, window=None, z=1.96, axes=None):
    """Stem plots of a sample ACF and PACF with the white-noise band, the suggested window marked.

    Parameters
    ----------
    acf, pacf : array_like (max_lag + 1,)
        From :func:`lstm_course.data.autocorrelation.autocorrelation` and
        :func:`lstm_course.data.autocorrelation.partial_autocorrelation`; lag 0 is not drawn.
    bound : float
        Half-width of the band, z / sqrt(n) (:func:`lstm_course.data.autocorrelation.significance_bound`).
    window : int, optional
        Lag to mark in red on the PACF, e.g. from
        :func:`lstm_course.data.autocorrelation.suggest_window_length`.
    z : float
        Only for the band's label.

    Returns
    -------
    ndarray of two matplotlib Axes
    """
    acf = _values("acf", acf)
    if len(acf) < 2:
        raise ValueError(f"acf must hold lags 0..max_lag with max_lag >= 1, got {len(acf)} value(s)")
    pacf = _values("pacf", pacf, length=len(acf), of="acf")
    bound = check_scalar("bound", bound, low=0.0)
    if window is not None:
        window = check_int("window", window, minimum=0, maximum=len(acf) - 1)
    z = check_scalar("z", z, low=0.0, low_open=True)
    axes = _axes_row(axes, 2, (10, 3.2))
    lags = np.arange(len(acf))
    for ax, values, name in ((axes[0], acf, "ACF"), (axes[1], pacf, "PACF")):
        ax.stem(lags[1:], values[1:], basefmt=" ")
        ax.axhspan(-bound, bound, color="tab:blue", alpha=0.15, label=f"$\\pm{z}/\\sqrt{{n}}$")
        ax.axhline(0.0, color="k", linewidth=0.8)
        ax.set(xlabel="lag", ylabel=name, title=f"Sample {name}")
    if window is not None:
        axes[1].plot([window], [pacf[window]], "o", color="tab:red", markersize=9, fillstyle="none",
                     label=f"suggested window = {window}")
    axes[1].legend(loc="upper right")
    return axes


def grid_search_boxplot(result, sequence_length=None, ax=None, ylabel="validation MSE per target"):
    """Box plot of a :class:`lstm_course.lab.grid_search.GridSearchResult`, one box per length.

    Lengths that do not divide ``sequence_length`` (trained with padding and
    masking) are drawn hatched.

    Returns
    -------
    matplotlib Axes
    """
    check_object("result", result, ("lengths", "scores"), "a GridSearchResult (from grid_search_timesteps)")
    lengths = _values("result.lengths", result.lengths)
    scores = _values("result.scores", result.scores, ndim=2, length=len(lengths), of="result.lengths")
    if sequence_length is not None:
        sequence_length = check_positive_int("sequence_length", sequence_length)
    result = result._replace(lengths=lengths.astype(int), scores=scores) if hasattr(result, "_replace") else result
    ax = _axes(ax, figsize=(6.5, 3.5))
    boxes = ax.boxplot(list(result.scores), patch_artist=True)
    ax.set_xticks(range(1, len(result.lengths) + 1), [str(length) for length in result.lengths])
    for box, length in zip(boxes["boxes"], result.lengths):
        box.set_facecolor("tab:blue")
        box.set_alpha(0.4)
        if sequence_length is not None and sequence_length % length:
            box.set_hatch("//")
    title = f"{result.scores.shape[1]} repeats per length"
    if sequence_length is not None and np.any(sequence_length % result.lengths):
        title += " (hatched: padded and masked)"
    ax.set(xlabel="subsequence length (timesteps)", ylabel=ylabel, yscale="log", title=title)
    return ax


def metric_curves(curves, ax=None, xlabel="epoch", ylabel="test $R^2$", title=None):
    """Plot several metric histories, each ``label -> (x, values)`` or ``(x, values, style)``.

    ``style`` is a dict of keyword arguments for ``ax.plot`` (e.g. ``color``,
    ``linestyle``), so related runs can share a colour.

    Returns
    -------
    matplotlib Axes
    """
    curves = _labelled("curves", curves, _curve, "(x, values) or (x, values, style)")
    ax = _axes(ax, figsize=(6.5, 3.8))
    for label, (x, values, *style) in curves.items():
        ax.plot(x, values, marker="o", markersize=3, label=label, **(style[0] if style else {}))
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(fontsize=8)
    return ax


def _curve(name, curve):
    if not isinstance(curve, (tuple, list)) or len(curve) not in (2, 3) or (len(curve) == 3 and
                                                                          not isinstance(curve[2], dict)):
        raise ValueError(f"{name} must be a tuple (x, values) or (x, values, style dict), got {curve!r}")
    x = _values(f"{name} x", curve[0])
    return (x, _values(f"{name} values", curve[1], length=len(x), of=f"{name} x"), *curve[2:])
