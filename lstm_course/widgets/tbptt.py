"""Chapter 6 explorers: the TBPTT(k1, k2) schedule and the gradient bias against k2."""
import matplotlib.pyplot as plt

from lstm_course import plots
from lstm_course.train.tbptt.schedule import tbptt_schedule
from lstm_course.widgets._frames import explorer

K1_VALUES = (2, 3, 4, 5, 6, 8)
K2_VALUES = (1, 2, 3, 4, 5, 6, 8)


def tbptt_schedule_explorer(T=16, k1=4, k2=4, k1_values=K1_VALUES, k2_values=K2_VALUES):
    """Sliders for k1 and k2 over :func:`lstm_course.plots.tbptt_schedule` on T steps.

    Every figure is drawn when the explorer is created, all at the height of
    the schedule with the most updates, so the page does not jump.

    Parameters
    ----------
    T : int
        Sequence length.
    k1, k2 : int
        Starting values (must be among ``k1_values`` and ``k2_values``).
    k1_values, k2_values : sequence of int
        Slider positions, each between 1 and T.

    Returns
    -------
    FrameExplorer
    """
    rows = max(len(tbptt_schedule(T, a, b)) for a in k1_values for b in k2_values)
    height = 0.32 * rows + 1.6

    def draw(a, b):
        fig, ax = plt.subplots(figsize=(7.5, height), layout="constrained")
        plots.tbptt_schedule(tbptt_schedule(T, a, b), T, ax=ax, title=f"TBPTT(k1={a}, k2={b}) on T={T} steps")
        return fig

    return explorer(f"TBPTT schedule on T = {T} steps",
                    [("k1", list(k1_values), [str(v) for v in k1_values], list(k1_values).index(k1)),
                     ("k2", list(k2_values), [str(v) for v in k2_values], list(k2_values).index(k2))],
                    draw)


def gradient_bias_explorer(k2_values, g_full, g_truncated, cosine, relative_error, k2=None):
    """A k2 slider over the components of the truncated gradient g_k2 against the full gradient g.

    Nothing is computed here: pass the full gradient, the truncated ones
    (``g_truncated[k2]``, flattened, e.g. from summing
    :func:`lstm_course.train.tbptt.engine.tbptt_gradients` with k1 = 1) and their cosine
    similarity and relative error to g.

    Parameters
    ----------
    k2_values : sequence of int (K,)
    g_full : ndarray (P,)
    g_truncated : dict[int, ndarray (P,)]
    cosine, relative_error : array_like (K,)
    k2 : int, optional
        Starting value (default: the smallest).

    Returns
    -------
    FrameExplorer
    """
    k2_values = list(k2_values)
    start = k2_values.index(k2) if k2 is not None else 0

    def draw(value):
        return plots.truncated_vs_full(g_full, g_truncated[value], value, k2_values, cosine, relative_error)

    def readout(value):
        index = k2_values.index(value)
        return (f"k<sub>2</sub> = {value}: cosine similarity {cosine[index]:.4f}, "
                f"relative error {relative_error[index]:.2e}")

    return explorer("Truncated against full gradient",
                    [("k2", k2_values, [str(v) for v in k2_values], start)], draw, readout)
