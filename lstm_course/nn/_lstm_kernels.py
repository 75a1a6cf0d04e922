"""The LSTM's fast sequence path: time-major storage, one GEMM for the input projection of all steps.

:func:`lstm_course.nn.lstm.lstm_forward` and :func:`lstm_course.nn.lstm.lstm_backward` call these
kernels; they compute exactly the step-by-step recursion of :mod:`lstm_course.nn.lstm` (equal up to
rounding, ~1e-15, as ``tests/test_lstm.py`` checks), with the gate blocks stored as (o, i, f, g)
so that the three sigmoids and the candidate's tanh are one ``tanh`` call.
"""
import threading

import numpy as np

_SCRATCH = threading.local()


def _scratch(shape, dtype):
    """A per-thread work buffer that the forward pass (pre-activations) and the backward pass (dz) reuse.

    Both are megabytes that never leave their pass; fresh memory of that size
    costs one page fault per 4 kB on every call (as much time as a matrix
    product here), so it is kept and reused.
    """
    size = int(np.prod(shape))
    buffer = getattr(_SCRATCH, "buffer", None)
    if buffer is None or buffer.dtype != dtype or buffer.size < size:
        buffer = _SCRATCH.buffer = np.empty(size, dtype=dtype)
    return buffer[:size].reshape(shape)


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

    The pre-activations of all steps go to the per-thread work buffer (the
    backward pass reuses it for dz). Storage ``A (T+1, 5, N, H)`` holds per step
    the blocks (o, i, f, g, c_prev), each a contiguous (N, H) slab, so every
    elementwise update runs over long contiguous memory and ``[i, f] * [g, c_prev]``
    is one multiply; ``hs (T+1, N, H)`` holds h_0..h_T.
    """
    N, T, D = x.shape
    H = Wh.shape[0]
    dtype = np.result_type(x, h0, c0, Wx, Wh, b)
    Wxb_s, Wh_s = _internal_params(Wx, Wh, b, dtype)
    x_rows = _time_major_with_ones(x, dtype)
    z = _scratch((T, N, 4 * H), dtype)
    # x_t Wx + b does not depend on the recurrence: every step in one product.
    np.matmul(x_rows, Wxb_s, out=z.reshape(T * N, 4 * H))
    A = np.empty((T + 1, 5, N, H), dtype=dtype)
    A[0, 4] = c0
    tanh_c = np.empty((T, N, H), dtype=dtype)
    hs = np.empty((T + 1, N, H), dtype=dtype)
    hs[0] = h0
    rec = np.empty((N, 4 * H), dtype=dtype)
    products = np.empty((2, N, H), dtype=dtype)
    z_by_gate = z.reshape(T, N, 4, H).transpose(0, 2, 1, 3)   # (T, 4, N, H) view
    steps = zip(hs[:-1], z, z_by_gate, A[:-1, :4], A[:-1, :3], A[:-1, 1:3], A[:-1, 3:5], A[1:, 4], tanh_c,
                A[:-1, 0], hs[1:])
    for h_prev, z_t, z_gates_t, gates_t, sig_t, if_t, gc_t, c_t, tanh_c_t, o_t, h_t in steps:
        np.matmul(h_prev, Wh_s, rec)
        np.add(z_t, rec, z_t)                                    # z = (x Wx + b) + h_prev Wh
        np.tanh(z_gates_t, gates_t)                              # tanh(z_g) and tanh(z/2) for o, i, f
        np.multiply(sig_t, 0.5, sig_t)
        np.add(sig_t, 0.5, sig_t)                                # sigma(z) = (1 + tanh(z/2)) / 2
        np.multiply(if_t, gc_t, products)                        # [i g, f c_prev]
        np.add(products[0], products[1], c_t)                    # c = f c_prev + i g
        np.tanh(c_t, tanh_c_t)
        np.multiply(o_t, tanh_c_t, h_t)                          # h = o tanh(c)
    batch = (lambda a: a.transpose(1, 0, 2))  # (T, N, H) storage seen as (N, T, H)
    cache = {"x": x, "h0": h0, "c0": c0, "Wx": Wx, "Wh": Wh, "h": batch(hs[1:]), "c": batch(A[1:, 4]),
             "i": batch(A[:-1, 1]), "f": batch(A[:-1, 2]), "g": batch(A[:-1, 3]),
             "o": batch(A[:-1, 0]), "tanh_c": batch(tanh_c), "time_major": (A, tanh_c, hs, x_rows)}
    return cache["h"], cache["c"], cache


def _backward_factors(A, tanh_c, q, k):
    """Everything the backward step needs that depends only on the forward pass.

    With slopes s = sigma (1 - sigma) of o, i, f:  k = o (1 - tanh(c)^2) and
    q = [tanh(c) s_o, g s_i, c_prev s_f, i (1 - g^2), f], so that
    dz_o = dh q_0,  dc_total = dc + dh k,  [dz_i, dz_f, dz_g, dc_prev] = dc_total q_1..4.
    """
    sig = A[:, 0:3]
    slope = np.subtract(1.0, sig, out=q[:, 0:3])
    slope *= sig                                       # s = sigma (1 - sigma), in q for now
    np.multiply(tanh_c, tanh_c, out=k)
    np.subtract(1.0, k, out=k)
    k *= A[:, 0]                                       # k = o (1 - tanh(c)^2)
    np.multiply(A[:, 3:5], q[:, 1:3], out=q[:, 1:3])   # [g s_i, c_prev s_f]
    q[:, 0] *= tanh_c                                  # tanh(c) s_o
    np.multiply(A[:, 3], A[:, 3], out=q[:, 3])
    np.subtract(1.0, q[:, 3], out=q[:, 3])
    q[:, 3] *= A[:, 1]                                 # i (1 - g^2)
    q[:, 4] = A[:, 2]                                  # f


def _sequence_backward(dh, dc, cache):
    """Backward of :func:`_sequence_forward`; only ``dz Wh^T`` stays in the loop.

    Steps are processed in blocks small enough to stay in cache: first the
    factors of :func:`_backward_factors` for the whole block, then the
    recurrence step by step. The weight gradients are two GEMMs at the end.
    """
    A, tanh_c, hs, x_rows = cache["time_major"]
    x, Wx, Wh = cache["x"], cache["Wx"], cache["Wh"]
    T1, _, N, H = A.shape
    T, D = T1 - 1, x.shape[2]
    dtype = np.result_type(A, dh) if dc is None else np.result_type(A, dh, dc)
    block = max(1, min(T, 16384 // (N * H)))
    q = np.empty((block, 5, N, H), dtype=dtype)
    k = np.empty((block, N, H), dtype=dtype)
    dh_in = dh.transpose(1, 0, 2)
    dc_in = None if dc is None else dc.transpose(1, 0, 2)
    dz = _scratch((T, N, 4 * H), dtype)
    dz_by_gate = dz.reshape(T, N, 4, H).transpose(0, 2, 1, 3)   # (T, 4, N, H) view, blocks (o, i, f, g)
    Wh_T = np.ascontiguousarray(np.roll(Wh.astype(dtype, copy=False), H, axis=-1).T)
    dh_next = np.zeros((N, H), dtype=dtype)
    dh_total = np.empty((N, H), dtype=dtype)
    dc_total = np.empty((N, H), dtype=dtype)
    dc_next = np.zeros((N, H), dtype=dtype)
    for stop in range(T, 0, -block):
        start = max(0, stop - block)
        n = stop - start
        _backward_factors(A[start:stop], tanh_c[start:stop], q[:n], k[:n])
        steps = zip(dh_in[start:stop][::-1], k[:n][::-1], q[:n][::-1], dz_by_gate[start:stop, 0][::-1],
                    dz_by_gate[start:stop, 1:][::-1], dz[start:stop][::-1], range(stop - 1, start - 1, -1))
        for dh_t, k_t, q_t, dz_o, dz_ifg, dz_t, t in steps:
            np.add(dh_t, dh_next, dh_total)
            np.multiply(dh_total, k_t, dc_total)
            np.add(dc_total, dc_next, dc_total)             # dc_total = dc + dh o (1 - tanh(c)^2)
            if dc_in is not None:
                np.add(dc_total, dc_in[t], dc_total)
            np.multiply(dh_total, q_t[0], dz_o)              # dz_o
            np.multiply(dc_total, q_t[1:4], dz_ifg)          # dz_i, dz_f, dz_g
            np.multiply(dc_total, q_t[4], dc_next)           # dc_prev = dc_total f
            np.matmul(dz_t, Wh_T, dh_next)                   # dh_prev = dz Wh^T
    dz_rows = dz.reshape(T * N, 4 * H)
    unroll = (lambda W: np.roll(W, -H, axis=-1))
    Wx_r = np.roll(Wx.astype(dtype, copy=False), H, axis=-1)
    # dx for all steps in one product, returned as a batch-major view of time-major rows (copying it
    # to batch-major order would cost as much as the product).
    dx = (dz_rows @ Wx_r.T).astype(np.result_type(x, dh), copy=False).reshape(T, N, D).transpose(1, 0, 2)
    dWxb = unroll(x_rows.T @ dz_rows)                        # [dWx; db] in one product
    dWh = unroll(hs[:-1].reshape(T * N, H).T @ dz_rows).astype(Wh.dtype, copy=False)
    return (dx, dh_next, dc_next.copy(), dWxb[:D].astype(Wx.dtype, copy=False), dWh,
            dWxb[D].astype(Wh.dtype, copy=False))
