"""The gate explorer: one LSTM unit whose gates you set by hand (Chapter 5).

The computation lives in :mod:`lstm_course.lab.gated_unit`; this module only draws
its results for every slider position.
"""
import matplotlib.pyplot as plt
import numpy as np

from lstm_course._validation import check_int, check_positive_int, check_scalar, check_sequence
from lstm_course.lab.gated_unit import gated_unit_trace, input_sequence, retention
from lstm_course.nn.activations import sigmoid
from lstm_course.plots.gates import gate_trace as plot_gate_trace
from lstm_course.widgets._frames import explorer, slider_start

__all__ = ["gate_explorer"]

INPUT_GATES = (-4.0, 0.0, 4.0)
FORGET_GATES = (0.0, 2.0, 3.0, 4.0, 6.0)
OUTPUT_GATES = (-4.0, 0.0, 2.0)


def gate_explorer(length=40, pattern="pulse", start=5, amplitude=1.0, input_gate=4.0, forget_gate=6.0,
                  output_gate=2.0, input_gates=INPUT_GATES, forget_gates=FORGET_GATES,
                  output_gates=OUTPUT_GATES):
    """Sliders for the gate pre-activations z_i, z_f, z_o of one LSTM unit; plots c(t) and h(t).

    The input is ``input_sequence(pattern, length, amplitude, start)``. Every
    figure is drawn when the explorer is created, so it also works in the
    static HTML book. The line under the figure gives the gate values and the
    fraction f**n of the cell state kept over the n steps after ``start``.

    Parameters
    ----------
    length : int
        T.
    pattern, start, amplitude : as in :func:`lstm_course.lab.gated_unit.input_sequence`
    input_gate, forget_gate, output_gate : float
        Starting pre-activations (must be among the slider values).
    input_gates, forget_gates, output_gates : sequence of float
        Slider values.

    Returns
    -------
    FrameExplorer
    """
    T = check_positive_int("length", length)
    start = check_int("start", start, minimum=0, maximum=T - 1)
    inputs = input_sequence(pattern, T, amplitude, start)
    sliders = []
    for label, values_name, values, name, initial in (
            ("z_i (input)", "input_gates", input_gates, "input_gate", input_gate),
            ("z_f (forget)", "forget_gates", forget_gates, "forget_gate", forget_gate),
            ("z_o (output)", "output_gates", output_gates, "output_gate", output_gate)):
        values = check_sequence(values_name, values, check_scalar)
        sliders.append((label, values, [f"{v:g}" for v in values], slider_start(name, initial, values_name, values)))
    kept_steps = T - 1 - start

    def draw(z_i, z_f, z_o):
        fig, axes = plt.subplots(2, 1, figsize=(8, 4.6), layout="constrained", sharex=True)
        plot_gate_trace(gated_unit_trace(inputs, z_i, z_f, z_o), axes=axes)
        return fig

    def readout(z_i, z_f, z_o):
        gates = ", ".join(f"{name} = {sigmoid(np.float64(z)):.4f}" for name, z in (("i", z_i), ("f", z_f), ("o", z_o)))
        return (f"<code>{gates}</code>; from step {start + 1} to step {T} ({kept_steps} steps) the cell keeps "
                f"a fraction f<sup>{kept_steps}</sup> = {retention(z_f, kept_steps):.3g} of a stored value")

    return explorer("One LSTM unit with hand-set gates", sliders, draw, readout)
