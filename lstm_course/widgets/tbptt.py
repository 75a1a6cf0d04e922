"""Chapter 6 explorers: the TBPTT(k1, k2) schedule and the gradient bias against k2."""
import matplotlib.pyplot as plt
import numpy as np

from lstm_course import plots
from lstm_course._validation import as_float_array, check_int, check_positive_int, check_sequence
from lstm_course.train.tbptt.schedule import tbptt_schedule
from lstm_course.widgets._frames import explorer, slider_start

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
    T = check_positive_int("T", T)
    k1_values, k2_values = (check_sequence(name, values, lambda label, k: check_int(label, k, minimum=1, maximum=T))
                            for name, values in (("k1_values", k1_values), ("k2_values", k2_values)))
    starts = (slider_start("k1", k1, "k1_values", k1_values), slider_start("k2", k2, "k2_values", k2_values))
    rows = max(len(tbptt_schedule(T, a, b)) for a in k1_values for b in k2_values)
    height = 0.32 * rows + 1.6

    def draw(a, b):
        fig, ax = plt.subplots(figsize=(7.5, height), layout="constrained")
        plots.tbptt_schedule(tbptt_schedule(T, a, b), T, ax=ax, title=f"TBPTT(k1={a}, k2={b}) on T={T} steps")
        return fig

    return explorer(f"TBPTT schedule on T = {T} steps",
                    [("k1", k1_values, [str(v) for v in k1_values], starts[0]),
                     ("k2", k2_values, [str(v) for v in k2_values], starts[1])],
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
    k2_values = check_sequence("k2_values", k2_values, lambda name, k: check_int(name, k, minimum=1))
    start = slider_start("k2", k2, "k2_values", k2_values) if k2 is not None else 0
    g_full = np.ravel(as_float_array("g_full", g_full))
    if not isinstance(g_truncated, dict) or set(g_truncated) != set(k2_values):
        keys = sorted(g_truncated) if isinstance(g_truncated, dict) else type(g_truncated).__name__
        raise ValueError(f"g_truncated must be a dict with one gradient per k2 in k2_values {k2_values}, got {keys}")
    for value in k2_values:
        truncated = np.ravel(as_float_array(f"g_truncated[{value}]", g_truncated[value]))
        if truncated.shape != g_full.shape:
            raise ValueError(f"g_truncated[{value}] must have as many entries as g_full ({g_full.size}), "
                             f"got {truncated.size}")
    cosine, relative_error = (as_float_array(name, value, ndim=1) for name, value in
                              (("cosine", cosine), ("relative_error", relative_error)))
    for name, array in (("cosine", cosine), ("relative_error", relative_error)):
        if len(array) != len(k2_values):
            raise ValueError(f"{name} must have one value per k2 in k2_values ({len(k2_values)}), got {len(array)}")

    def draw(value):
        return plots.truncated_vs_full(g_full, g_truncated[value], value, k2_values, cosine, relative_error)

    def readout(value):
        index = k2_values.index(value)
        return (f"k<sub>2</sub> = {value}: cosine similarity {cosine[index]:.4f}, "
                f"relative error {relative_error[index]:.2e}")

    return explorer("Truncated against full gradient",
                    [("k2", k2_values, [str(v) for v in k2_values], start)], draw, readout)
