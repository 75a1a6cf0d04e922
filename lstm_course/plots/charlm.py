"""Figures for Chapter 8: the character language model's learning curve and the TBPTT comparison."""
import numpy as np

from lstm_course._validation import check_scalar
from lstm_course.plots._common import _axes, _axes_row, _labelled, _values


def bpc_curve(updates, valid_bpc, baselines=None, ax=None, title="Validation bits per character"):
    """Validation bits per character against updates, with baselines as horizontal lines.

    Parameters
    ----------
    updates, valid_bpc : sequences of equal length
    baselines : dict[str, float], optional
        Label -> bits per character of a baseline model (e.g. unigram, bigram).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    updates = _values("updates", updates)
    valid_bpc = _values("valid_bpc", valid_bpc, length=len(updates), of="updates")
    if baselines is not None:
        baselines = _labelled("baselines", baselines, check_scalar, "bits per character")
    ax = _axes(ax, (6.0, 3.6))
    ax.plot(updates, valid_bpc, marker="o", color="C0", label="LSTM (validation)")
    for index, (label, value) in enumerate((baselines or {}).items()):
        ax.axhline(value, color=f"C{index + 1}", linestyle="--", label=f"{label}: {value:.2f}")
    ax.set(xlabel="update", ylabel="bits per character (loss per target)", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    return ax


def tbptt_comparison(labels, valid_bpc, seconds, activation_bytes, axes=None,
                     title="TBPTT configurations at equal compute"):
    """Three bar panels per configuration: validation bits per character, time, activation memory.

    Parameters
    ----------
    labels : list of str
    valid_bpc, seconds, activation_bytes : sequences, one value per label
    axes : three matplotlib Axes, optional

    Returns
    -------
    array of matplotlib Axes
    """
    if not isinstance(labels, (list, tuple)) or not labels or not all(isinstance(label, str) for label in labels):
        raise ValueError(f"labels must be a non-empty list of strings, got {labels!r}")
    valid_bpc, seconds, activation_bytes = (
        _values(name, value, length=len(labels), of="labels") for name, value in
        (("valid_bpc", valid_bpc), ("seconds", seconds), ("activation_bytes", activation_bytes)))
    axes = _axes_row(axes, 3, (10.5, 3.4))
    positions = np.arange(len(labels))
    panels = [(valid_bpc, "validation bits per character", "{:.2f}"), (seconds, "training time (s)", "{:.1f}"),
              (activation_bytes / 1e6, "activations per update (MB)", "{:.2f}")]
    for ax, (values, ylabel, fmt) in zip(axes, panels):
        bars = ax.bar(positions, values, color=[f"C{i}" for i in range(len(labels))])
        ax.bar_label(bars, labels=[fmt.format(v) for v in values], fontsize=8)
        ax.set_xticks(positions, labels, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel(ylabel)
    axes[0].set_ylim(np.nanmin(valid_bpc) - 0.3, np.nanmax(valid_bpc) + 0.15)
    axes[0].figure.suptitle(title)
    return axes
