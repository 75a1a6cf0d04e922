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

The equations are written once, in the private module ``lstm_course.nn._lstm_kernels``: ``cell_forward`` (a step
forward), ``backward_kernel`` (a step back) and ``tangent_kernel`` (a step in forward mode), which every
function here runs, for one step or, through ``sequence_forward`` and ``sequence_backward``,
for a whole sequence or R stacked models. Each public function checks its inputs, then calls the kernel.
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
from lstm_course.nn._lstm_kernels import (
    GATE_ORDER,
    backward_kernel,
    by_gate,
    cell_forward,
    halving_columns,
    local_derivatives,
    sequence_backward,
    sequence_forward,
    tangent_kernel,
)

_STEP_KEYS = ("x", "i", "f", "g", "o", "c", "tanh_c", "h")


def step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """The kernel of :func:`lstm_step_forward`: ``cell_forward`` on one step, without checking inputs.

    Returns ``h, c (N, H)`` and the cache: the inputs, the gates ``i, f, g, o``, ``c``, ``tanh_c``, ``h``.
    """
    N, H = h_prev.shape
    dtype = np.result_type(x, h_prev, c_prev, Wx, Wh, b)
    z = x @ Wx + b
    z += h_prev @ Wh                              # z = x Wx + h_prev Wh + b
    z *= halving_columns(H, dtype)
    cell, (c, tanh_c, h) = np.empty((5, N, H), dtype=dtype), np.empty((3, N, H), dtype=dtype)
    cell[0] = c_prev
    cell_forward(by_gate(z, H, 0), cell, c, tanh_c, h, np.array(0.5, dtype=dtype))
    _, i, f, g, o = cell
    cache = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "Wx": Wx, "Wh": Wh,
             "i": i, "f": f, "g": g, "o": o, "c": c, "tanh_c": tanh_c, "h": h}
    return h, c, cache


def _step_local_derivatives(cache):
    """``local_derivatives`` of a step cache: ``slopes, c_partials (4, N, H)`` and ``dh_dc (N, H)``."""
    gates = np.stack([cache[key] for key in GATE_ORDER])
    return local_derivatives(gates, cache["c_prev"], cache["tanh_c"])


def step_dz(dh, dc, cache):
    """``backward_kernel`` on one step cache: ``dz (N, 4H)``, ``dh_prev (N, H)`` and ``dc_prev (N, H)``."""
    local = _step_local_derivatives(cache)
    N, H = dh.shape
    dtype = np.result_type(local[0], dh, dc)
    dz, d, dh_prev = np.empty((N, 4 * H), dtype), np.empty((5, N, H), dtype), np.empty((N, H), dtype)
    dc_prev = backward_kernel(dh, dc, cache["tanh_c"], local, cache["Wh"].T, d, dz, by_gate(dz, H, 0), dh_prev)
    return dz, dh_prev, dc_prev


def step_backward(dh, dc, cache):
    """The kernel of :func:`lstm_step_backward` (``backward_kernel`` on one step), without checks."""
    dz, dh_prev, dc_prev = step_dz(dh, dc, cache)
    # z = x Wx + h_prev Wh + b
    return dz @ cache["Wx"].T, dh_prev, dc_prev, cache["x"].T @ dz, cache["h_prev"].T @ dz, dz.sum(axis=0)


def step_tangent(dz, dc_prev, cache):
    """``tangent_kernel`` on one step cache: tangents ``dh, dc (N, H, K)`` from ``dz (N, 4H, K)``, ``dc_prev``."""
    H = dc_prev.shape[1]
    dz_gates = np.moveaxis(dz.reshape(dz.shape[0], 4, H, -1), 1, 0)
    return tangent_kernel(dz_gates, dc_prev, cache["tanh_c"], _step_local_derivatives(cache))


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step.

    z = x Wx + h_prev Wh + b, split into blocks (i, f, g, o);
    c = sigmoid(z_f) * c_prev + sigmoid(z_i) * tanh(z_g);  h = sigmoid(z_o) * tanh(c).
    Checks its inputs, then runs :func:`step_forward` (``cell_forward`` on one step).

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
    Checks its inputs, then runs :func:`step_backward` (``backward_kernel`` on one step).

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

    The recursion of :func:`lstm_step_forward` for t = 1..T from (h_0, c_0) = (``h0``, ``c0``):
    checks its inputs, then runs ``sequence_forward``, which computes x_t Wx + b for all
    steps in one matrix product and then, step by step, h_{t-1} Wh and ``cell_forward``, the
    kernel :func:`lstm_step_forward` runs too (equal to stepping up to rounding, ~1e-15).

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
    return sequence_forward(x, h0, c0, Wx, Wh, b)


def lstm_backward(dh, cache, dc=None):
    """Backpropagation through time for :func:`lstm_forward`.

    Walks t = T..1. The hidden-state error is the injected ``dh[:, t]`` plus
    what step t+1 sends back through Wh; the cell error is ``dc[:, t]`` plus
    ``dc_next * f_{t+1}``, the carousel path. Checks its inputs, then runs
    ``sequence_backward``: ``backward_kernel`` (the step
    :func:`lstm_step_backward` runs) at every step, and the weight gradients,
    summed over t, as single matrix products over all (t, n) pairs after the loop.

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
    if cache.get("keep") is not None:
        raise ValueError("cache is not a cache of lstm_forward: it has a mask (use masked_lstm_backward)")
    dh = check_upstream("dh", dh, cache["h"].shape, "(N, T, H)")
    if dc is not None:
        dc = check_upstream("dc", dc, cache["c"].shape, "(N, T, H)")
    return sequence_backward(dh, cache, dc)


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
