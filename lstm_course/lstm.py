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

from ._validation import (as_float_array, check_recurrent_params, check_sequence_inputs,
                          check_shape, check_step_inputs, check_upstream)
from .activations import sigmoid, sigmoid_grad_from_output, tanh_grad_from_output

GATE_ORDER = ("i", "f", "g", "o")


def _step_forward(x, h_prev, c_prev, Wx, Wh, b):
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
             "i": i, "f": f, "g": g, "o": o, "c": c, "tanh_c": tanh_c}
    return h, c, cache


def _step_backward(dh, dc, cache):
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


def _internal_params(Wx, Wh, b, dtype):
    """``[Wx; b]`` and ``Wh`` with columns rolled from (i, f, g, o) to (o, i, f, g), sigmoid columns halved.

    With the three sigmoid blocks first, one ``tanh`` call on z/2 gives all of them
    (sigma(z) = (1 + tanh(z/2)) / 2) and the same call gives g = tanh(z_g).
    Halving a float is exact, so nothing is rounded differently.
    """
    H = Wh.shape[0]
    scale = np.ones(4 * H, dtype=dtype)
    scale[:3 * H] = 0.5
    Wxb = np.vstack([Wx, b[None]]).astype(dtype, copy=False)
    return np.roll(Wxb, H, axis=-1) * scale, np.roll(Wh.astype(dtype, copy=False), H, axis=-1) * scale


def _time_major_with_ones(x, dtype):
    """``x (N, T, D)`` as rows ``(T N, D + 1)`` in time-major order, with a column of ones for the bias."""
    N, T, D = x.shape
    rows = np.empty((T, N, D + 1), dtype=dtype)
    rows[..., :D] = x.transpose(1, 0, 2)
    rows[..., D] = 1.0
    return rows.reshape(T * N, D + 1)


def _sequence_forward(x, h0, c0, Wx, Wh, b):
    """Time-major fast path: the input projection of all steps is one GEMM.

    Storage ``A (T+1, N, 5, H)`` holds per step the blocks (o, i, f, g, c_prev),
    so ``[i, f] * [g, c_prev]`` is one multiply; ``hs (T+1, N, H)`` holds h_0..h_T.
    """
    N, T, D = x.shape
    H = Wh.shape[0]
    dtype = np.result_type(x, h0, c0, Wx, Wh, b)
    Wxb_s, Wh_s = _internal_params(Wx, Wh, b, dtype)
    x_rows = _time_major_with_ones(x, dtype)
    A = np.empty((T + 1, N, 5, H), dtype=dtype)
    A_flat = A.reshape(T + 1, N, 5 * H)
    # x_t Wx + b does not depend on the recurrence: every step in one product.
    np.matmul(x_rows, Wxb_s, out=A_flat[:-1, :, :4 * H].reshape(T * N, 4 * H))
    A[0, :, 4] = c0
    tanh_c = np.empty((T, N, H), dtype=dtype)
    hs = np.empty((T + 1, N, H), dtype=dtype)
    hs[0] = h0
    rec = np.empty((N, 4 * H), dtype=dtype)
    products = np.empty((N, 2, H), dtype=dtype)
    ig, fc = products[:, 0], products[:, 1]
    steps = zip(hs[:-1], A_flat[:-1, :, :4 * H], A_flat[:-1, :, :3 * H], A[:-1, :, 1:3], A[:-1, :, 3:5],
                A[1:, :, 4], tanh_c, A[:-1, :, 0], hs[1:])
    for h_prev, z_t, sig_t, if_t, gc_t, c_t, tanh_c_t, o_t, h_t in steps:
        np.matmul(h_prev, Wh_s, rec)
        np.add(z_t, rec, z_t)              # z = (x Wx + b) + h_prev Wh
        np.tanh(z_t, z_t)                  # tanh(z_g) and tanh(z/2) for o, i, f
        np.multiply(sig_t, 0.5, sig_t)
        np.add(sig_t, 0.5, sig_t)          # sigma(z) = (1 + tanh(z/2)) / 2
        np.multiply(if_t, gc_t, products)  # [i g, f c_prev]
        np.add(ig, fc, c_t)                # c = f c_prev + i g
        np.tanh(c_t, tanh_c_t)
        np.multiply(o_t, tanh_c_t, h_t)    # h = o tanh(c)
    batch = (lambda a: a.transpose(1, 0, 2))  # (T, N, H) storage seen as (N, T, H)
    cache = {"x": x, "h0": h0, "c0": c0, "Wx": Wx, "Wh": Wh, "h": batch(hs[1:]), "c": batch(A[1:, :, 4]),
             "i": batch(A[:-1, :, 1]), "f": batch(A[:-1, :, 2]), "g": batch(A[:-1, :, 3]),
             "o": batch(A[:-1, :, 0]), "tanh_c": batch(tanh_c), "time_major": (A, tanh_c, hs, x_rows)}
    return cache["h"], cache["c"], cache


def _backward_factors(A, tanh_c, q, k):
    """Everything the backward step needs that depends only on the forward pass.

    With slopes s = sigma (1 - sigma) of o, i, f:  k = o (1 - tanh(c)^2) and
    q = [tanh(c) s_o, g s_i, c_prev s_f, i (1 - g^2), f], so that
    dz_o = dh q_0,  dc_total = dc + dh k,  [dz_i, dz_f, dz_g, dc_prev] = dc_total q_1..4.
    """
    sig = A[:, :, 0:3]
    slope = np.subtract(1.0, sig, out=q[:, :, 0:3])
    slope *= sig                                         # s = sigma (1 - sigma), in q for now
    np.multiply(tanh_c, tanh_c, out=k)
    np.subtract(1.0, k, out=k)
    k *= A[:, :, 0]                                      # k = o (1 - tanh(c)^2)
    np.multiply(A[:, :, 3:5], q[:, :, 1:3], out=q[:, :, 1:3])  # [g s_i, c_prev s_f]
    q[:, :, 0] *= tanh_c                                 # tanh(c) s_o
    np.multiply(A[:, :, 3], A[:, :, 3], out=q[:, :, 3])
    np.subtract(1.0, q[:, :, 3], out=q[:, :, 3])
    q[:, :, 3] *= A[:, :, 1]                             # i (1 - g^2)
    q[:, :, 4] = A[:, :, 2]                              # f


def _sequence_backward(dh, dc, cache):
    """Backward of :func:`_sequence_forward`; only ``dz Wh^T`` stays in the loop.

    Steps are processed in blocks small enough to stay in cache: first the
    factors of :func:`_backward_factors` for the whole block, then the
    recurrence step by step. The weight gradients are two GEMMs at the end.
    """
    A, tanh_c, hs, x_rows = cache["time_major"]
    x, Wx, Wh = cache["x"], cache["Wx"], cache["Wh"]
    T1, N, _, H = A.shape
    T, D = T1 - 1, x.shape[2]
    dtype = np.result_type(A, dh) if dc is None else np.result_type(A, dh, dc)
    block = max(1, min(T, 16384 // (N * H)))
    q = np.empty((block, N, 5, H), dtype=dtype)
    k = np.empty((block, N, H), dtype=dtype)
    dh_in = dh.transpose(1, 0, 2)
    dc_in = None if dc is None else dc.transpose(1, 0, 2)
    dz = np.empty((T, N, 4 * H), dtype=dtype)
    dz_blocks = dz.reshape(T, N, 4, H)
    Wh_T = np.ascontiguousarray(np.roll(Wh.astype(dtype, copy=False), H, axis=-1).T)
    dh_next = np.zeros((N, H), dtype=dtype)
    dh_total = np.empty((N, H), dtype=dtype)
    dc_total = np.empty((N, 1, H), dtype=dtype)   # (N, 1, H) broadcasts against four blocks
    dc_total_2d = dc_total[:, 0]
    tail = np.empty((N, 2, H), dtype=dtype)       # [dz_g, dc_prev]
    dz_g, dc_next = tail[:, 0], tail[:, 1]
    dc_next[...] = 0.0
    for stop in range(T, 0, -block):
        start = max(0, stop - block)
        n = stop - start
        _backward_factors(A[start:stop], tanh_c[start:stop], q[:n], k[:n])
        steps = zip(dh_in[start:stop][::-1], k[:n][::-1], q[:n][::-1], dz_blocks[start:stop][::-1],
                    dz[start:stop][::-1], range(stop - 1, start - 1, -1))
        for dh_t, k_t, q_t, dz_b, dz_t, t in steps:
            np.add(dh_t, dh_next, dh_total)
            np.multiply(dh_total, k_t, dc_total_2d)
            np.add(dc_total_2d, dc_next, dc_total_2d)       # dc_total = dc + dh o (1 - tanh(c)^2)
            if dc_in is not None:
                np.add(dc_total_2d, dc_in[t], dc_total_2d)
            np.multiply(dh_total, q_t[:, 0], dz_b[:, 0])     # dz_o
            np.multiply(dc_total, q_t[:, 1:3], dz_b[:, 1:3])  # dz_i, dz_f
            np.multiply(dc_total, q_t[:, 3:5], tail)         # dz_g, dc_prev = dc_total f
            dz_b[:, 3] = dz_g
            np.matmul(dz_t, Wh_T, dh_next)                   # dh_prev = dz Wh^T
    dz_rows = dz.reshape(T * N, 4 * H)
    unroll = (lambda W: np.roll(W, -H, axis=-1))
    Wx_r = np.roll(Wx.astype(dtype, copy=False), H, axis=-1)
    dx = (dz_rows @ Wx_r.T).reshape(T, N, D).transpose(1, 0, 2)
    dWxb = unroll(x_rows.T @ dz_rows)                        # [dWx; db] in one product
    dWh = unroll(hs[:-1].reshape(T * N, H).T @ dz_rows).astype(Wh.dtype, copy=False)
    dx = np.ascontiguousarray(dx, dtype=np.result_type(x, dh))
    return (dx, dh_next, dc_next.copy(), dWxb[:D].astype(Wx.dtype, copy=False), dWh,
            dWxb[D].astype(Wh.dtype, copy=False))


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
        ``x, h_prev, c_prev, Wx, Wh`` and the activations ``i, f, g, o, c, tanh_c``.
    """
    Wx, Wh, b, D, H = check_recurrent_params(Wx, Wh, b, gate_blocks=4)
    x, (h_prev, c_prev) = check_step_inputs(x, {"h_prev": h_prev, "c_prev": c_prev}, D, H)
    return _step_forward(x, h_prev, c_prev, Wx, Wh, b)


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
    dh = check_upstream("dh", dh, cache["c"].shape, "(N, H)")
    dc = check_upstream("dc", dc, cache["c"].shape, "(N, H)")
    return _step_backward(dh, dc, cache)


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
    dh0 : ndarray (N, H)
    dc0 : ndarray (N, H)
    dWx : ndarray (D, 4H)
    dWh : ndarray (H, 4H)
    db : ndarray (4H,)
    """
    dh = check_upstream("dh", dh, cache["h"].shape, "(N, T, H)")
    if dc is not None:
        dc = check_upstream("dc", dc, cache["c"].shape, "(N, T, H)")
    return _sequence_backward(dh, dc, cache)


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
    Wx, Wh, _, _, H = check_recurrent_params(weight_ih.T, weight_hh.T, np.zeros(weight_hh.shape[0]), 4)
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
