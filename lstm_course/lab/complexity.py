"""Cost per time step: parameter counts and FLOP counts, computed from the code's shapes.

A FLOP here is one scalar addition, multiplication or nonlinearity. A product
of a (1, a) row with an (a, b) matrix costs 2ab FLOPs (a multiply and an add
per weight), so every weight matrix costs about 2 FLOPs per weight in the
forward pass and 4 in the backward pass (the error through it and its own
gradient): the per-step cost of BPTT is O(W), W the number of weights.

For the 1997 architecture, :func:`lstm1997_weight_count` and
:func:`lstm1997_backward_steps` give the expressions of Hochreiter &
Schmidhuber (1997), Appendix A.1, with K output units, C memory cell blocks of
size S, H hidden units and I units forward-connected to cells, gates and
hidden units.
"""
import numbers

from lstm_course._validation import check_array_dict, check_positive_int
from lstm_course.models import recurrent

# Elementwise FLOPs per hidden unit, counted from the lines of lstm.py and rnn.py:
# LSTM forward: 4 gate nonlinearities, c = f*c_prev + i*g (3), tanh(c) (1), h = o*tanh(c) (1).
LSTM_FORWARD_ELEMENTWISE = 9
# LSTM backward: do (1); dc_total = dc + dh*o*(1 - tanh_c**2) (5); di, df, dg, dc_prev (4);
# each of the 4 gate derivatives s*(1-s) or 1-g**2 times the upstream (3 each, 12).
LSTM_BACKWARD_ELEMENTWISE = 22
# RNN forward: tanh (1). Backward: dz = dh * (1 - h**2) (3).
RNN_FORWARD_ELEMENTWISE = 1
RNN_BACKWARD_ELEMENTWISE = 3
# (forward, backward) elementwise FLOPs per hidden unit, by cell name of lstm_course.nn.cells.
ELEMENTWISE = {"lstm": (LSTM_FORWARD_ELEMENTWISE, LSTM_BACKWARD_ELEMENTWISE),
               "rnn": (RNN_FORWARD_ELEMENTWISE, RNN_BACKWARD_ELEMENTWISE)}


def count_parameters(params):
    """Number of scalars in a parameter dict, sum_k params[k].size."""
    params = check_array_dict("params", params, allow_empty=True)
    return int(sum(value.size for value in params.values()))


def parameter_count(cell, input_size, hidden_size, output_size):
    """W for :func:`lstm_course.models.recurrent.init_params` with these sizes (counted from its arrays)."""
    return count_parameters(recurrent.init_params(cell, input_size, hidden_size, output_size, rng=0))


def flops_per_step(cell, input_size, hidden_size, output_size):
    """FLOPs of one time step of one sequence for the model of :mod:`lstm_course.models.recurrent`.

    Forward: z = x Wx + h_prev Wh + b costs 2 (D + H) G H + G H with G gate
    blocks (4 for the LSTM, 1 for the RNN); the readout 2 H O + O; plus the
    elementwise work. Backward: dx, dh_prev, dWx and dWh each cost as much as
    the matching forward product, db costs G H, the readout 4 H O + O.

    Returns
    -------
    dict with ``forward``, ``backward`` and ``total`` (ints).
    """
    G = recurrent.gate_blocks(cell)
    D = check_positive_int("input_size", input_size)
    H = check_positive_int("hidden_size", hidden_size)
    O = check_positive_int("output_size", output_size)
    forward_elementwise, backward_elementwise = ELEMENTWISE[cell]
    layer_products = 2 * (D + H) * G * H
    forward = layer_products + G * H + forward_elementwise * H + 2 * H * O + O
    backward = 2 * layer_products + G * H + backward_elementwise * H + 4 * H * O + O
    return {"forward": forward, "backward": backward, "total": forward + backward}


def _check_count(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def _check_1997_sizes(K, C, S, H, I):
    return (_check_count("K", K, 0), _check_count("C", C, 1), _check_count("S", S, 1),
            _check_count("H", H, 0), _check_count("I", I, 0))


def lstm1997_weight_count(K, C, S, H, I):
    """W = K H + K C S + C S I + 2 C I + H I (Hochreiter & Schmidhuber 1997, App. A.1).

    K H and K C S feed the outputs from hidden units and cells, C S I the cell
    inputs, 2 C I the input and output gates, H I the hidden units.
    """
    K, C, S, H, I = _check_1997_sizes(K, C, S, H, I)
    return K * H + K * C * S + C * S * I + 2 * C * I + H * I


def lstm1997_backward_steps(K, C, S, H, I):
    """Steps of the 1997 truncated backward pass: K + 2KH + KC + 2KSC + HI + CI + 4CSI (App. A.1).

    Each term is at most a constant times a term of W (K C <= K C S, C I <= 2 C I),
    so the count is O(KH + KCS + HI + CSI) = O(W).
    """
    K, C, S, H, I = _check_1997_sizes(K, C, S, H, I)
    return K + 2 * K * H + K * C + 2 * K * S * C + H * I + C * I + 4 * C * S * I
