"""Helpers shared by the figure modules."""
import matplotlib.pyplot as plt


def _axes(ax, figsize=(5.5, 3.5)):
    """``ax`` itself, or a new Axes of size ``figsize`` in a constrained-layout figure when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax
