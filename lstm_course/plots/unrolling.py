"""Figures for Chapter 2: the unrolled network, its memory cost, per-copy gradients."""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from lstm_course._validation import as_float_array, check_flag, check_positive_int
from lstm_course.plots._common import _axes, _labelled, _values

_CELL_WIDTH, _CELL_HEIGHT = 0.9, 0.6
_CELL_COLOR, _WEIGHT_COLOR = "#cfe3f5", "#b03a2e"


def _arrow(ax, start, end, connectionstyle="arc3"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color="k",
                                 connectionstyle=connectionstyle, linewidth=1.3))


def _cell(ax, center_x, label):
    ax.add_patch(FancyBboxPatch((center_x - _CELL_WIDTH / 2, -_CELL_HEIGHT / 2), _CELL_WIDTH, _CELL_HEIGHT,
                                boxstyle="round,pad=0.03", facecolor=_CELL_COLOR, edgecolor="k"))
    ax.text(center_x, 0, label, ha="center", va="center", fontsize=10, color=_WEIGHT_COLOR)


def _input_and_output(ax, center_x, step, input_symbol, output_symbol):
    ax.text(center_x, -1.25, f"${input_symbol}({step})$", ha="center", va="center", fontsize=11)
    _arrow(ax, (center_x, -1.05), (center_x, -_CELL_HEIGHT / 2 - 0.05))
    ax.text(center_x, 1.25, f"${output_symbol}({step})$", ha="center", va="center", fontsize=11)
    _arrow(ax, (center_x, _CELL_HEIGHT / 2 + 0.05), (center_x, 1.05))


def draw_unrolled(T, ax=None, state_symbol="h", input_symbol="x", output_symbol="y", show_folded=True,
                  weight_label="W"):
    """Draw the folded recurrent network and the same network unrolled over T steps.

    The folded picture is one cell with a self-loop that carries the state to
    the next step. Unrolled, the loop becomes T copies of the cell in a chain:
    copy t reads x(t) and the state of copy t-1, and emits the state and y(t).
    Every copy is labelled with the same weights, because it *is* the same weights.

    Parameters
    ----------
    T : int
        Number of unrolled steps, 1 <= T <= 12 (so labels stay legible).
    ax : matplotlib Axes or sequence of two Axes, optional
        One Axes draws only the unrolled chain; two draw (folded, unrolled).
    state_symbol : str
        Symbol of the state, e.g. ``"h"`` or ``"u"`` (some texts call the internal state u(t)).
    input_symbol, output_symbol : str
    show_folded : bool
        Also draw the folded network (ignored when a single ``ax`` is given).
    weight_label : str
        Label written in every cell for the shared weights.

    Returns
    -------
    list of matplotlib Axes
    """
    T = check_positive_int("T", T)
    if T > 12:
        raise ValueError(f"T must be <= 12 so that the labels stay legible, got {T}")
    show_folded = check_flag("show_folded", show_folded)
    if ax is None:
        if show_folded:
            _, axes = plt.subplots(1, 2, figsize=(2.2 + 1.45 * T + 2.0, 3.0), layout="constrained",
                                   gridspec_kw={"width_ratios": [1.6, 1.45 * T + 0.8]})
        else:
            _, single = plt.subplots(figsize=(1.45 * T + 1.5, 3.0), layout="constrained")
            axes = [single]
    else:
        axes = list(np.atleast_1d(ax))
    folded_ax, unrolled_ax = (axes[0], axes[-1]) if len(axes) == 2 else (None, axes[0])
    state = state_symbol

    if folded_ax is not None:
        _cell(folded_ax, 0.0, weight_label)
        _input_and_output(folded_ax, 0.0, "t", input_symbol, output_symbol)
        # The self-loop: the state leaves the cell and re-enters it at the next step.
        _arrow(folded_ax, (_CELL_WIDTH / 2, 0.15), (_CELL_WIDTH / 2, -0.15), connectionstyle="bar,fraction=-0.9")
        folded_ax.text(0.8, 0.0, f"${state}(t-1)$", ha="left", va="center", fontsize=10)
        folded_ax.set(xlim=(-0.7, 1.9), ylim=(-1.6, 1.6), title="folded")

    spacing = 1.45
    for t in range(1, T + 1):
        center = spacing * (t - 1)
        _cell(unrolled_ax, center, weight_label)
        _input_and_output(unrolled_ax, center, t, input_symbol, output_symbol)
        start = center - spacing + _CELL_WIDTH / 2 + 0.04
        _arrow(unrolled_ax, (start, 0), (center - _CELL_WIDTH / 2 - 0.04, 0))
        unrolled_ax.text((start + center - _CELL_WIDTH / 2) / 2, 0.1, f"${state}({t - 1})$", ha="center",
                         va="bottom", fontsize=9)
    last = spacing * (T - 1) + _CELL_WIDTH / 2
    _arrow(unrolled_ax, (last + 0.04, 0), (last + 0.5, 0))
    unrolled_ax.text(last + 0.27, 0.1, f"${state}({T})$", ha="center", va="bottom", fontsize=9)
    unrolled_ax.set(xlim=(-spacing + 0.3, last + 0.7), ylim=(-1.6, 1.6),
                    title=f"unrolled: {T} copies, one set of weights {weight_label}")
    for axis in axes:
        axis.set_aspect("equal")
        axis.axis("off")
    return axes


def activation_memory(lengths, bytes_by_label, ax=None, title="Stored activations vs sequence length"):
    """Plot measured activation bytes against T on log-log axes.

    Parameters
    ----------
    lengths : array_like (M,)
        Sequence lengths T.
    bytes_by_label : dict[str, array_like (M,)]
        Measured bytes per curve, e.g. ``{"RNN": ..., "LSTM": ...}``.

    Returns
    -------
    matplotlib Axes
    """
    lengths = _values("lengths", lengths)
    bytes_by_label = _labelled("bytes_by_label", bytes_by_label,
                               lambda name, measured: _values(name, measured, length=len(lengths), of="lengths"))
    ax = _axes(ax, figsize=(5.5, 3.5))
    for label, measured in bytes_by_label.items():
        ax.plot(lengths, measured / 2**20, "o-", label=label)
    ax.set(xscale="log", yscale="log", xlabel="sequence length T", ylabel="stored activations (MiB)",
           title=title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    return ax


def per_step_contributions(contributions, total=None, ax=None, name="W_h",
                           title="Each copy's contribution to the shared gradient"):
    """Bar chart of the norm of each copy's weight-gradient contribution.

    Parameters
    ----------
    contributions : ndarray (T, ...)
        Per-copy gradients, e.g. ``per_step_gradients(...)["dWh"]``.
    total : ndarray, optional
        The full gradient; its norm is drawn as a horizontal line to show that
        the contributions add up (as vectors, so the norms need not).
    name : str
        TeX name of the weight for the labels.

    Returns
    -------
    matplotlib Axes
    """
    contributions = as_float_array("contributions", contributions)
    if contributions.ndim < 1 or contributions.size == 0:
        raise ValueError(f"contributions must be a (T, ...) array of per-copy gradients, "
                         f"got shape {contributions.shape}")
    if total is not None:
        total = as_float_array("total", total)
    ax = _axes(ax, figsize=(5.5, 3.2))
    norms = np.linalg.norm(contributions.reshape(len(contributions), -1), axis=1)
    steps = np.arange(1, len(norms) + 1)
    ax.bar(steps, norms, color="#4c72b0", label=rf"copy $t$: $\|\partial L / \partial {name}|_t\|$")
    if total is not None:
        total_norm = np.linalg.norm(total)
        ax.axhline(total_norm, color=_WEIGHT_COLOR, linestyle="--",
                   label=rf"norm of the sum over copies, $\|\partial L / \partial {name}\|$")
        ax.set_ylim(top=1.3 * max(total_norm, norms.max()))
    ax.set(xlabel="copy (time step) t", ylabel="gradient norm", title=title)
    ax.legend(fontsize=8)
    return ax
