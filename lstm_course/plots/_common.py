"""Helpers shared by the figure modules: the Axes to draw on, and the checks of what is drawn.

A figure takes the numbers the package computed; a bad one (the wrong shape, a string,
a complex number) is a ValueError naming the argument, as everywhere in the package.
NaN and inf are drawn as gaps, as matplotlib does, so a diverged run still shows.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from lstm_course._validation import as_float_array, check_scalar


def _axes(ax, figsize=(5.5, 3.5)):
    """``ax`` itself, or a new Axes of size ``figsize`` in a constrained-layout figure when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    elif not isinstance(ax, Axes):
        raise ValueError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def _axes_row(axes, count, figsize, **options):
    """``axes`` as a 1-D array of ``count`` Axes, or a new row of ``count`` panels when ``axes`` is None."""
    if axes is None:
        _, axes = plt.subplots(1, count, figsize=figsize, layout="constrained", squeeze=False, **options)
        return axes[0]
    flat = np.ravel(np.asarray(axes, dtype=object))
    if len(flat) != count or not all(isinstance(ax, Axes) for ax in flat):
        raise ValueError(f"axes must be {count} matplotlib Axes (or None), got {axes!r}")
    return flat


def _values(name, value, ndim=1, length=None, of=None):
    """``value`` as a float array to draw (NaN and inf allowed) with ``ndim`` axes and, given
    ``length``, as many entries along the first axis as ``of`` has."""
    array = as_float_array(name, value, ndim=ndim, finite=False)
    if length is not None and array.shape[0] != length:
        raise ValueError(f"{name} must have one entry per entry of {of} ({length}), got {array.shape[0]}")
    return array


def _labelled(name, value, check, what="values"):
    """A non-empty dict label -> entry, each entry checked by ``check(f"{name}[label]", entry)``."""
    if not isinstance(value, dict) or not value:
        kind = "an empty dict" if isinstance(value, dict) else type(value).__name__
        raise ValueError(f"{name} must be a non-empty dict label -> {what}, got {kind}")
    return {label: check(f"{name}[{label!r}]", entry) for label, entry in value.items()}


def _number(name, value, low=None, allow_none=False):
    """A finite real number to draw (a level, a bound), optionally ``>= low``."""
    return check_scalar(name, value, low=low, allow_none=allow_none)
