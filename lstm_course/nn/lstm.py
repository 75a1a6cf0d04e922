"""The modern LSTM cell (with a forget gate), in the PyTorch/Keras gate order.

One step computes the pre-activation ``z = x Wx + h_prev Wh + b`` of shape
``(N, 4H)`` and splits it into four blocks, in the order **i, f, g, o**::

    i = sigmoid(z_i)          input gate
    f = sigmoid(z_f)          forget gate
    g = tanh(z_g)             candidate cell input
    o = sigmoid(z_o)          output gate
    c = f * c_prev + i * g    cell state (the constant error carousel when f = 1)
    h = o * tanh(c)           hidden state

Shapes: ``x (N, D)``, ``h_prev, c_prev (N, H)``, ``Wx (D, 4H)``, ``Wh (H, 4H)``,
``b (4H,)``. Sequences are batch-major, ``(N, T, D)``.
"""
import numpy as np

from lstm_course._validation import (
    as_float_array,
    check_cache,
    check_recurrent_params,
    check_sequence_inputs,
    check_shape,
    check_step_index,
    check_step_inputs,
    check_upstream,
)
from lstm_course.nn._lstm_time_major import _sequence_backward, _sequence_forward
from lstm_course.nn.activations import sigmoid, sigmoid_grad_from_output, tanh_grad_from_output

GATE_ORDER = ("i", "f", "g", "o")


def step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """The kernel of :func:`lstm_step_forward`: one LSTM step, without checking its inputs.

    Returns
    -------
    h, c : ndarray (N, H)
    cache : dict
        The inputs, the gates ``i, f, g, o``, ``c``, ``tanh_c`` and ``h``: what :func:`step_backward` reads.
    """
    H = h_prev.shape[1]
    z = x @ Wx + h_prev @ Wh + b
    i = sigmoid(z[:, 0 * H:1 * H])
    f = sigmoid(z[:, 1 * H:2 * H])
    g = np.tanh(z[:, 2 * H:3 * H])
    o = sigmoid(z[:, 3 * H:4 * H])
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    cache = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "Wx": Wx, "Wh": Wh,
             "i": i, "f": f, "g": g, "o": o, "c": c, "tanh_c": tanh_c, "h": h}
    return h, c, cache


def step_backward(dh, dc, cache):
    """The kernel of :func:`lstm_step_backward`, without checking its inputs.

    Returns
    -------
    dx, dh_prev, dc_prev, dWx, dWh, db : ndarray
        Shaped like ``x``, ``h_prev``, ``c_prev``, ``Wx``, ``Wh`` and ``(4H,)``.
    """
    i, f, g, o = cache["i"], cache["f"], cache["g"], cache["o"]
    # h = o * tanh(c): the output gate sees tanh(c) ...
    do = dh * cache["tanh_c"]
    # ... and the cell receives dh through o * tanh'(c), plus dc from the future (the carousel).
    dc_total = dc + dh * o * tanh_grad_from_output(cache["tanh_c"])
    # c = f * c_prev + i * g
    di = dc_total * g
    df = dc_total * cache["c_prev"]
    dg = dc_total * i
    dc_prev = dc_total * f
    # Through the gate nonlinearities to the pre-activation z, blocks in the order i, f, g, o.
    dz = np.concatenate([di * sigmoid_grad_from_output(i),
                         df * sigmoid_grad_from_output(f),
                         dg * tanh_grad_from_output(g),
                         do * sigmoid_grad_from_output(o)], axis=1)
    # z = x Wx + h_prev Wh + b
    dx = dz @ cache["Wx"].T
    dh_prev = dz @ cache["Wh"].T
    dWx = cache["x"].T @ dz
    dWh = cache["h_prev"].T @ dz
    db = dz.sum(axis=0)
    return dx, dh_prev, dc_prev, dWx, dWh, db


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step.

    z = x Wx + h_prev Wh + b, split into blocks (i, f, g, o);
    c = sigmoid(z_f) * c_prev + sigmoid(z_i) * tanh(z_g);  h = sigmoid(z_o) * tanh(c).

    Parameters
    ----------
    x : ndarray (N, D)
    h_prev : ndarray (N, H)
    c_prev : ndarray (N, H)
    Wx : ndarray (D, 4H)
    Wh : ndarray (H, 4H)
    b : ndarray (4H,)

    Returns
    -------
    h : ndarray (N, H)
    c : ndarray (N, H)
    cache : dict
        ``x, h_prev, c_prev, Wx, Wh`` and the activations ``i, f, g, o, c, tanh_c, h``.
    """
    Wx, Wh, b, D, H = check_recurrent_params(Wx, Wh, b, gate_blocks=4)
    x, (h_prev, c_prev) = check_step_inputs(x, {"h_prev": h_prev, "c_prev": c_prev}, D, H)
    return step_forward(x, h_prev, c_prev, Wx, Wh, b)


def lstm_step_backward(dh, dc, cache):
    """Backward pass of :func:`lstm_step_forward`, gate by gate.

    With dc_total = dc + dh * o * (1 - tanh(c)**2):
    do = dh * tanh(c); di = dc_total * g; df = dc_total * c_prev; dg = dc_total * i;
    dc_prev = dc_total * f; then dz = [di i(1-i), df f(1-f), dg (1-g**2), do o(1-o)]
    and dx = dz Wx^T, dh_prev = dz Wh^T, dWx = x^T dz, dWh = h_prev^T dz, db = sum_n dz.

    Parameters
    ----------
    dh : ndarray (N, H)
        Gradient on this step's hidden output ``h``.
    dc : ndarray (N, H)
        Gradient on this step's cell state ``c`` arriving from later steps.
    cache : dict
        From :func:`lstm_step_forward`.

    Returns
    -------
    dx : ndarray (N, D)
    dh_prev : ndarray (N, H)
    dc_prev : ndarray (N, H)
    dWx : ndarray (D, 4H)
    dWh : ndarray (H, 4H)
    db : ndarray (4H,)
    """
    check_cache("cache", cache, _STEP_KEYS + ("h_prev", "c_prev", "Wx", "Wh"), "lstm_step_forward", gate_blocks=4)
    dh = check_upstream("dh", dh, cache["c"].shape, "(N, H)")
    dc = check_upstream("dc", dc, cache["c"].shape, "(N, H)")
    return step_backward(dh, dc, cache)


def lstm_forward(x, h0, c0, Wx, Wh, b):
    """Run the LSTM over a batch-major sequence.

    Applies :func:`lstm_step_forward` for t = 1..T from (h_0, c_0) = (``h0``, ``c0``),
    computed the fast way: x_t Wx + b does not depend on the recurrence, so it is
    one matrix product for all steps before the loop; the loop keeps h_{t-1} Wh
    and the elementwise gate updates (equal to stepping up to rounding, ~1e-15).

    Parameters
    ----------
    x : ndarray (N, T, D)
    h0 : ndarray (N, H) or None
        Initial hidden state; ``None`` means zeros.
    c0 : ndarray (N, H) or None
        Initial cell state; ``None`` means zeros.
    Wx : ndarray (D, 4H)
    Wh : ndarray (H, 4H)
    b : ndarray (4H,)

    Returns
    -------
    h : ndarray (N, T, H)
        Hidden state at every step.
    c : ndarray (N, T, H)
        Cell state at every step.
    cache : dict
        ``x, h0, c0, Wx, Wh, h, c`` and the gate activations ``i, f, g, o`` and
        ``tanh_c``, each ``(N, T, H)`` (views of time-major storage, kept under
        ``time_major`` for :func:`lstm_backward`).
    """
    Wx, Wh, b, D, H = check_recurrent_params(Wx, Wh, b, gate_blocks=4)
    x, (h0, c0) = check_sequence_inputs(x, {"h0": h0, "c0": c0}, D, H)
    return _sequence_forward(x, h0, c0, Wx, Wh, b)


def lstm_backward(dh, cache, dc=None):
    """Backpropagation through time for :func:`lstm_forward`.

    Walks t = T..1. The hidden-state error is the injected ``dh[:, t]`` plus
    what step t+1 sends back through Wh; the cell error is ``dc[:, t]`` plus
    ``dc_next * f_{t+1}``, the carousel path. Weight gradients are summed over t,
    as single matrix products over all (t, n) pairs after the loop, so only
    ``dz_t Wh^T`` stays inside it.

    Parameters
    ----------
    dh : ndarray (N, T, H)
        Upstream gradient on every hidden output.
    cache : dict
        From :func:`lstm_forward`.
    dc : ndarray (N, T, H), optional
        Upstream gradient on every cell state (zeros if omitted).

    Returns
    -------
    dx : ndarray (N, T, D)
        A batch-major view of time-major storage (not C-contiguous).
    dh0 : ndarray (N, H)
    dc0 : ndarray (N, H)
    dWx : ndarray (D, 4H)
    dWh : ndarray (H, 4H)
    db : ndarray (4H,)
    """
    check_cache("cache", cache, ("x", "h0", "c0", "h", "c", "Wx", "Wh", "time_major"), "lstm_forward",
                gate_blocks=4)
    dh = check_upstream("dh", dh, cache["h"].shape, "(N, T, H)")
    if dc is not None:
        dc = check_upstream("dc", dc, cache["c"].shape, "(N, T, H)")
    return _sequence_backward(dh, dc, cache)


_STEP_KEYS = ("x", "i", "f", "g", "o", "c", "tanh_c", "h")


def step_cache(cache, t):
    """Step t's cache inside a sequence cache, as :func:`lstm_step_forward` would have returned it.

    The one rule for reading a step out of the stored sequence: x_t and the
    activations i, f, g, o, c, tanh(c), h of step t, the previous state
    (h_{t-1}, c_{t-1}) (``h0, c0`` when t = 0) and the weights.

    Parameters
    ----------
    cache : dict
        From :func:`lstm_forward`.
    t : int
        0-based step (negative counts from the end).

    Returns
    -------
    dict
        What :func:`lstm_step_backward` reads, each activation ``(N, H)``.
    """
    check_cache("cache", cache, _STEP_KEYS + ("h0", "c0", "Wx", "Wh"), "lstm_forward", gate_blocks=4)
    t = check_step_index("t", t, cache["h"].shape[1])
    step = {key: cache[key][:, t] for key in _STEP_KEYS}
    step.update(h_prev=cache["h"][:, t - 1] if t > 0 else cache["h0"],
                c_prev=cache["c"][:, t - 1] if t > 0 else cache["c0"], Wx=cache["Wx"], Wh=cache["Wh"])
    return step


def final_state(cache):
    """The state after the last step of an :func:`lstm_forward` cache: ``(h_T, c_T)``, each ``(N, H)``."""
    check_cache("cache", cache, _STEP_KEYS + ("h0", "c0", "Wx", "Wh"), "lstm_forward", gate_blocks=4)
    return cache["h"][:, -1], cache["c"][:, -1]


def from_torch(weight_ih, weight_hh, bias_ih, bias_hh):
    """Convert ``torch.nn.LSTM`` parameters (as numpy arrays) to this course's layout.

    PyTorch stores ``weight_ih_l0 (4H, D)``, ``weight_hh_l0 (4H, H)`` and two
    biases ``(4H,)`` with the same gate order i, f, g, o. Here the weights are
    transposed and the biases summed, since only their sum enters z:
    Wx = weight_ih^T, Wh = weight_hh^T, b = bias_ih + bias_hh.

    Parameters
    ----------
    weight_ih : ndarray (4H, D)
    weight_hh : ndarray (4H, H)
    bias_ih : ndarray (4H,)
    bias_hh : ndarray (4H,)

    Returns
    -------
    Wx : ndarray (D, 4H)
    Wh : ndarray (H, 4H)
    b : ndarray (4H,)
    """
    weight_ih = as_float_array("weight_ih", weight_ih, ndim=2)
    weight_hh = as_float_array("weight_hh", weight_hh, ndim=2)
    H = weight_hh.shape[1]
    check_shape("weight_hh", weight_hh, (4 * H, H), "(4H, H)")
    check_shape("weight_ih", weight_ih, (4 * H, weight_ih.shape[1]), "(4H, D)")
    Wx, Wh = weight_ih.T, weight_hh.T
    bias_ih = as_float_array("bias_ih", bias_ih, ndim=1)
    bias_hh = as_float_array("bias_hh", bias_hh, ndim=1)
    check_shape("bias_ih", bias_ih, (4 * H,), "(4H,)")
    check_shape("bias_hh", bias_hh, (4 * H,), "(4H,)")
    return Wx.copy(), Wh.copy(), bias_ih + bias_hh


def to_torch(Wx, Wh, b):
    """Inverse of :func:`from_torch`: return ``(weight_ih, weight_hh, bias_ih, bias_hh)``.

    The split of b between PyTorch's two biases is not identifiable from b, so
    the whole bias goes to ``bias_ih`` and ``bias_hh`` is zero. Copying these
    into ``torch.nn.LSTM`` gives a layer that computes exactly the same function.

    Parameters
    ----------
    Wx : ndarray (D, 4H)
    Wh : ndarray (H, 4H)
    b : ndarray (4H,)

    Returns
    -------
    weight_ih : ndarray (4H, D)
    weight_hh : ndarray (4H, H)
    bias_ih : ndarray (4H,)
    bias_hh : ndarray (4H,)
    """
    Wx, Wh, b, _, _ = check_recurrent_params(Wx, Wh, b, gate_blocks=4)
    return Wx.T.copy(), Wh.T.copy(), b.copy(), np.zeros_like(b)
