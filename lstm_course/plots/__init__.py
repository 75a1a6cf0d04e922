"""Every figure in the book, drawn with matplotlib.

Each function takes an optional ``ax`` (or creates its own figure) and returns
the matplotlib object it drew on, so notebooks stay one line per figure.
Figures are grouped by chapter in submodules and re-exported here.
"""
from .training import decision_boundary, loss_curve

__all__ = ["decision_boundary", "loss_curve"]
