"""Chapter 6 widget: k1 and k2 sliders that redraw the TBPTT schedule."""
import matplotlib.pyplot as plt

from .. import plots
from ._require import require_ipywidgets


def tbptt_schedule_explorer(T=16, k1=4, k2=4):
    """Sliders for k1 and k2 (1..T) redrawing :func:`lstm_course.plots.tbptt_schedule`.

    k2 = T means no truncation for a T-step sequence.

    Returns
    -------
    ipywidgets.VBox
    """
    widgets = require_ipywidgets()
    k1_slider = widgets.IntSlider(value=k1, min=1, max=T, description="k1")
    k2_slider = widgets.IntSlider(value=k2, min=1, max=T, description="k2")

    def draw(k1, k2):
        plots.tbptt_schedule(T, k1, k2)
        plt.show()

    output = widgets.interactive_output(draw, {"k1": k1_slider, "k2": k2_slider})
    return widgets.VBox([widgets.HBox([k1_slider, k2_slider]), output])
