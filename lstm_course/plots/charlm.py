"""Figures for Chapter 8: the character language model's learning curves and the spread of a comparison over seeds."""
import numpy as np

from lstm_course._validation import check_scalar
from lstm_course.plots._common import _axes, _labelled, _values
from lstm_course.plots.sequences import metric_curves


def bpc_curves(curves, baselines=None, ax=None, xlabel="update", title="Validation bits per character"):
    """Validation bits per character of one or more runs (:func:`metric_curves`), with baselines as dashed lines.

    Parameters
    ----------
    curves : dict[str, (sequence, sequence)]
        Label -> (x, bits per character) of one run; ``xlabel`` says what x counts (updates, cell-steps).
    baselines : dict[str, float], optional
        Label -> bits per character of a baseline model (e.g. an n-gram's).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    if baselines is not None:
        baselines = _labelled("baselines", baselines, check_scalar, "bits per character")
    ax = metric_curves(curves, ax=ax, xlabel=xlabel, ylabel="bits per character (loss per target)", title=title)
    _baseline_lines(ax, baselines, len(curves))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def _baseline_lines(ax, baselines, first_color):
    for index, (label, value) in enumerate((baselines or {}).items()):
        ax.axhline(value, color=f"C{first_color + index}", linestyle="--", label=f"{label}: {value:.3f}")


def seed_spread(runs, baselines=None, ax=None, ylabel="test bits per character",
                title="TBPTT configurations at equal compute"):
    """One column per configuration: every seed's value as a dot, their mean as a bar across the column.

    Parameters
    ----------
    runs : dict[str, sequence of float]
        Label -> one value per seed (e.g. the test bits per character of each seed's kept checkpoint).
    baselines : dict[str, float], optional
        Label -> a reference value drawn as a horizontal line (e.g. an n-gram's).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    runs = _labelled("runs", runs, lambda name, value: _values(name, value), "values, one per seed")
    if baselines is not None:
        baselines = _labelled("baselines", baselines, check_scalar, "bits per character")
    ax = _axes(ax, (6.5, 3.6))
    for position, values in enumerate(runs.values()):
        ax.plot(np.full(len(values), position), values, "o", color=f"C{position}", alpha=0.7)
        ax.hlines(np.mean(values), position - 0.25, position + 0.25, color=f"C{position}", linewidth=2.5)
    _baseline_lines(ax, baselines, len(runs))
    ax.set_xticks(np.arange(len(runs)), list(runs), rotation=20, ha="right", fontsize=8)
    ax.set(ylabel=ylabel, title=title)
    ax.grid(alpha=0.3, axis="y")
    if baselines:
        ax.legend(fontsize=8)
    return ax
