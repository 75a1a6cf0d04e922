import importlib
import sys

import matplotlib.pyplot as plt
import pytest


def fresh_widgets_module():
    for name in [name for name in sys.modules if name.startswith("lstm_course.widgets")]:
        del sys.modules[name]
    return importlib.import_module("lstm_course.widgets")


def test_widgets_import_without_ipywidgets_and_fail_clearly_on_use(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)   # makes `import ipywidgets` raise ImportError
    try:
        widgets = fresh_widgets_module()
        with pytest.raises(ImportError, match="This widget needs ipywidgets"):
            widgets.gradient_norm_explorer()
    finally:
        monkeypatch.undo()
        fresh_widgets_module()


def test_gradient_norm_explorer_builds_two_sliders_and_redraws():
    pytest.importorskip("ipywidgets")
    widgets = fresh_widgets_module()
    plt.close("all")
    explorer = widgets.gradient_norm_explorer(hidden_size=4, n_sequences=2)
    descriptions = {child.description for child in explorer.children[:-1]}
    assert descriptions == {"spectral radius", "T"}
    explorer.children[1].value = 20
    # interactive() swallows callback errors outside IPython, so check that both draws produced a figure.
    figures = [plt.figure(number) for number in plt.get_fignums()]
    assert len(figures) == 2
    curve = figures[-1].axes[0].lines[0]
    assert len(curve.get_xdata()) == 21      # lags 0..T for the new T
    plt.close("all")
