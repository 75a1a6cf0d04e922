"""Explorers for the book: precomputed matplotlib figures switched by sliders.

Each explorer draws its figure (with :mod:`lstm_course.plots`) for every
slider position when it is created and displays as self-contained HTML with a
few lines of JavaScript, so it works in JupyterLab after the cell runs and in
the static HTML book without a kernel. Explorers are grouped by chapter in
submodules and re-exported here; nothing is computed in them beyond calling
the package.
"""
from lstm_course.widgets._frames import FrameExplorer
from lstm_course.widgets.gates import gate_explorer
from lstm_course.widgets.gradients import gradient_norm_explorer
from lstm_course.widgets.tbptt import gradient_bias_explorer, tbptt_schedule_explorer

__all__ = ["FrameExplorer", "gradient_norm_explorer", "tbptt_schedule_explorer", "gradient_bias_explorer",
           "gate_explorer"]
