"""One LSTM unit whose gates are set by hand (Chapter 5's gate explorer).

:func:`gated_unit_trace` builds a one-unit LSTM (D = H = 1) whose gate
pre-activations are constants you choose (the biases; all weights into the
gates are zero) and whose candidate is g_t = tanh(gain x_t), then runs
:func:`lstm_course.nn.lstm.lstm_forward` on an input sequence from
:func:`input_sequence`. :func:`retention` is the fraction of a stored value
that the forget gate keeps over a number of steps.
"""
import numpy as np

from lstm_course._validation import as_float_array, as_rng, check_choice, check_int, check_positive_int, check_scalar
from lstm_course.nn import lstm
from lstm_course.nn.activations import sigmoid

INPUT_PATTERNS = ("pulse", "two pulses", "constant", "sine", "noise")


def input_sequence(pattern, length, amplitude=1.0, start=5, rng=0):
    """An input sequence of one of the ``INPUT_PATTERNS``.

    ``pulse``: amplitude at step ``start`` and 0 elsewhere; ``two pulses``:
    +amplitude at ``start`` and -amplitude at 2 * ``start``; ``constant``;
    ``sine`` with period 12; ``noise``: uniform in [-amplitude, amplitude].

    Returns
    -------
    ndarray (length,)
    """
    pattern = check_choice("pattern", pattern, INPUT_PATTERNS)
    T = check_positive_int("length", length)
    amplitude = check_scalar("amplitude", amplitude)
    start = check_int("start", start)
    steps = np.arange(T)
    if pattern == "pulse":
        return amplitude * (steps == start)
    if pattern == "two pulses":
        return amplitude * ((steps == start).astype(float) - (steps == 2 * start))
    if pattern == "constant":
        return np.full(T, float(amplitude))
    if pattern == "sine":
        return amplitude * np.sin(2 * np.pi * steps / 12.0)
    # pattern == "noise"
    return as_rng("rng", rng).uniform(-amplitude, amplitude, size=T)


def gated_unit_trace(inputs, input_gate, forget_gate, output_gate, candidate_gain=3.0):
    """Run a one-unit LSTM with constant gate pre-activations over ``inputs``.

    z_i, z_f, z_o are the given pre-activations at every step; z_g = gain * x_t.
    So i = sigmoid(z_i), f = sigmoid(z_f), o = sigmoid(z_o), g_t = tanh(gain x_t),
    c_t = f c_{t-1} + i g_t and h_t = o tanh(c_t), computed by ``lstm_forward``.

    Parameters
    ----------
    inputs : ndarray (T,)
    input_gate, forget_gate, output_gate : float or ndarray (T,)
        Gate pre-activations (constant, or one value per step).
    candidate_gain : float
        Weight from x_t to the candidate's pre-activation.

    Returns
    -------
    dict with ``inputs, i, f, o, c, h``, each ``(T,)`` in the dtype of ``inputs``.
    """
    inputs = as_float_array("inputs", inputs, ndim=1)
    T = inputs.shape[0]
    pre = {name: _check_gate(name, value, T) for name, value in (("input_gate", input_gate),
                                                                  ("forget_gate", forget_gate),
                                                                  ("output_gate", output_gate))}
    candidate_gain = check_scalar("candidate_gain", candidate_gain)
    # Gates that vary per step enter as extra input columns with weight 1; the candidate reads x_t.
    dtype = inputs.dtype
    x = np.stack([inputs, pre["input_gate"], pre["forget_gate"], pre["output_gate"]], axis=1)[None].astype(dtype)
    Wx = np.zeros((4, 4), dtype)
    Wx[0, 2] = candidate_gain
    Wx[1, 0] = Wx[2, 1] = Wx[3, 3] = 1.0
    h, c, cache = lstm.lstm_forward(x, None, None, Wx, np.zeros((1, 4), dtype), np.zeros(4, dtype))
    return {"inputs": inputs, "i": cache["i"][0, :, 0], "f": cache["f"][0, :, 0], "o": cache["o"][0, :, 0],
            "c": c[0, :, 0], "h": h[0, :, 0]}


def _check_gate(name, value, T):
    """A gate pre-activation: a number, or one value per step ``(T,)``; returned as ``(T,)``."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number or have shape (T,) = ({T},) like inputs, got {value!r}")
    value = as_float_array(name, value)
    if value.shape not in ((), (T,)):
        raise ValueError(f"{name} must be a number or have shape (T,) = ({T},) like inputs, got {value.shape}")
    return np.broadcast_to(value, (T,))


def retention(forget_gate, steps):
    """Fraction f**steps of a stored value that a constant forget gate keeps, f = sigmoid(z_f).

    Parameters
    ----------
    forget_gate : float
        The pre-activation z_f.
    steps : int
        Number of steps the value is carried (>= 0).

    Returns
    -------
    float
    """
    forget_gate = check_scalar("forget_gate", forget_gate)
    steps = check_int("steps", steps, minimum=0)
    return float(sigmoid(np.float64(forget_gate)) ** steps)
