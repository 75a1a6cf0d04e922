"""Interactive widgets for the book (require the optional ``ipywidgets``).

The module imports without ipywidgets; calling a widget without it raises an
ImportError that says how to install it. Widgets are grouped by chapter in
submodules and re-exported here.
"""
__all__ = []
