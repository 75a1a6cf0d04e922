"""Figures for Chapter 7, preparing sequences: sample orders, (P)ACF, grid searches, learning curves."""
import matplotlib.pyplot as plt
import numpy as np


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
    if figsize is None:
        figsize = (5.0 * len(panels), 3.0)
    fig, axes = plt.subplots(1, len(panels), figsize=figsize, layout="constrained", squeeze=False)
    cmap = plt.get_cmap("tab10")
    for ax, (title, (sequence, chunk, batch_size, reset_every)) in zip(axes[0], panels.items()):
        grid_seq = np.asarray(sequence).reshape(-1, batch_size).T
        grid_chunk = np.asarray(chunk).reshape(-1, batch_size).T
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
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.2), layout="constrained")
    acf, pacf = np.asarray(acf), np.asarray(pacf)
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
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.5), layout="constrained")
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
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
    for label, (x, values, *style) in curves.items():
        ax.plot(x, values, marker="o", markersize=3, label=label, **(style[0] if style else {}))
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(fontsize=8)
    return ax
