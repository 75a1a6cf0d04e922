"""Interactive widgets for the book (require the optional ``ipywidgets``).

The module imports without ipywidgets; calling a widget without it raises an
ImportError that says how to install it. Widgets are grouped by chapter in
submodules and re-exported here.
"""
from .gradients import gradient_norm_explorer
from .tbptt import tbptt_schedule_explorer
from .gates import gate_explorer, gated_unit_trace

__all__ = ["gradient_norm_explorer", "tbptt_schedule_explorer", "gate_explorer", "gated_unit_trace"]
