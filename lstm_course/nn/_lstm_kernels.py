"""The LSTM's equations, once: the step kernels, and the time-major sequence loops that run them.

Every LSTM pass of the package runs these kernels: :func:`cell_forward` (one step forward),
:func:`backward_kernel` (one step back) and :func:`tangent_kernel` (one step in forward mode, for
RTRL), the last two through the step's partial derivatives :func:`local_derivatives`. A single step
(:mod:`lstm_course.nn.lstm`), a whole sequence (:func:`sequence_forward`, :func:`sequence_backward`)
and R stacked models (leading axes ``(R, N)``, :mod:`lstm_course.models.ensemble`) differ only in the
arrays they hand to the kernels. The gate order is i, f, g, o everywhere.

Sequences are stored steps first, ``(T, ..., N, H)``, so that step t is one contiguous slab. What does
not depend on the recurrence is one matrix product for all steps: the input projection ``x_t Wx + b``
before the loop, and ``dx``, ``dWx``, ``db``, ``dWh`` after it. Other modules use these kernels through
:mod:`lstm_course.nn.lstm`.
"""
import threading

import numpy as np

from lstm_course.nn.activations import sigmoid_grad_from_output, tanh_grad_from_output

GATE_ORDER = ("i", "f", "g", "o")


def halving_columns(H, dtype):
    """``(4H,)``: 1/2 on the sigmoid blocks i, f, o of z, 1 on g (halving a float is exact).

    :func:`cell_forward` reads z with these columns halved, since sigmoid(z) = (1 + tanh(z / 2)) / 2
    gives all three sigmoid gates from one tanh call.
    """
    return np.repeat(np.array([0.5, 0.5, 1.0, 0.5], dtype=dtype), H)


def cell_forward(z_gates, cell, c, tanh_c, h, half):
    """The elementwise part of one step (every LSTM forward pass runs it), written into the given arrays.

    ``...`` below is the batch ``(N,)``, or ``(R, N)`` for R stacked models.

    Parameters
    ----------
    z_gates : ndarray (4, ..., H)
        The pre-activation block by block (i, f, g, o), the blocks of i, f, o halved (:func:`halving_columns`).
    cell : ndarray (5, ..., H)
        Holds c_prev in block 0; receives i, f, g, o in blocks 1-4 (so [c_prev, i] [f, g] is one product).
    c, tanh_c, h : ndarray (..., H)
        Receive c, tanh(c) and h.
    half : ndarray ()
        0.5 in the arrays' dtype (a Python float is converted at every call, which doubles a small product's cost).
    """
    # Outputs are positional, ufunc(a, b, out): a keyword adds a third to the cost of a small call.
    gates = np.tanh(z_gates, cell[1:])            # tanh(z / 2) for i, f, o (g is redone below) ...
    np.multiply(gates, half, gates)
    np.add(gates, half, gates)                    # ... so that i, f, o = sigmoid(z) = (1 + tanh(z / 2)) / 2
    np.tanh(z_gates[2], cell[3])                  # g = tanh(z_g)
    products = np.multiply(cell[:2], cell[2:4])   # [f c_prev, i g]
    np.add(products[0], products[1], c)           # c = f * c_prev + i * g
    np.tanh(c, tanh_c)
    np.multiply(cell[4], tanh_c, h)               # h = o * tanh(c)


def local_derivatives(gates, c_prev, tanh_c, out=None):
    """The partial derivatives of one step (or of a stack of steps), gate by gate.

    Parameters
    ----------
    gates : ndarray (4, ..., H)
        i, f, g, o.
    c_prev, tanh_c : ndarray (..., H)
    out : tuple of three arrays, optional
        Where to write the results (same shapes).

    Returns
    -------
    slopes : ndarray (4, ..., H)
        [di/dz_i, df/dz_f, dg/dz_g, do/dz_o].
    c_partials : ndarray (4, ..., H)
        [dc/dc_prev, dc/di, dc/df, dc/dg].
    dh_dc : ndarray (..., H)
        dh/dc (and dh/do = tanh(c)).
    """
    i, f, g, o = gates
    slopes, c_partials, dh_dc = out if out is not None else (np.empty(gates.shape, gates.dtype),
                                                             np.empty(gates.shape, gates.dtype),
                                                             np.empty(tanh_c.shape, gates.dtype))
    sigmoid_grad_from_output(i, out=slopes[0])                  # di/dz_i = i (1 - i)
    sigmoid_grad_from_output(f, out=slopes[1])                  # df/dz_f = f (1 - f)
    tanh_grad_from_output(g, out=slopes[2])                     # dg/dz_g = 1 - g^2
    sigmoid_grad_from_output(o, out=slopes[3])                  # do/dz_o = o (1 - o)
    # c = f * c_prev + i * g
    c_partials[0] = f                                           # dc/dc_prev = f, the carousel
    c_partials[1] = g                                           # dc/di = g
    c_partials[2] = c_prev                                      # dc/df = c_prev
    c_partials[3] = i                                           # dc/dg = i
    # h = o * tanh(c)
    np.multiply(o, tanh_grad_from_output(tanh_c), out=dh_dc)    # dh/dc = o (1 - tanh(c)^2); dh/do = tanh(c)
    return slopes, c_partials, dh_dc


def backward_kernel(dh, dc, tanh_c, local, Wh_T, d, dz, dz_gates, dh_prev):
    """One step back (every LSTM backward pass runs it), from the upstream errors ``dh, dc (..., H)``.

    ``local`` is the step's :func:`local_derivatives`; ``Wh_T (4H, H)`` (or ``(R, 4H, H)``). Writes
    [dc_prev, di, df, dg, do] into ``d (5, ..., H)``, dz into ``dz (..., 4H)`` (``dz_gates (4, ..., H)``
    is the same memory block by block) and ``dz Wh^T`` into ``dh_prev``; returns dc_prev.
    """
    slopes, c_partials, dh_dc = local
    # h = o * tanh(c): the output gate sees tanh(c) ...
    np.multiply(dh, tanh_c, d[4])                    # do = dh tanh(c)
    # ... and the cell receives dh through o * tanh'(c), plus dc from the future (the carousel).
    dc_total = np.multiply(dh, dh_dc)
    np.add(dc_total, dc, dc_total)                   # dc_total = dc + dh o (1 - tanh(c)^2)
    # c = f * c_prev + i * g
    np.multiply(dc_total, c_partials, d[:4])         # [dc_prev, di, df, dg] = dc_total [f, g, c_prev, i]
    # Through the gate nonlinearities to the pre-activation z, blocks in the order i, f, g, o.
    np.multiply(d[1:], slopes, dz_gates)             # dz = [di, df, dg, do] [i(1-i), f(1-f), 1-g^2, o(1-o)]
    # z = x Wx + h_prev Wh + b: dx and the weight gradients follow from dz (for all steps at once).
    np.matmul(dz, Wh_T, dh_prev)                     # dh_prev = dz Wh^T
    return d[0]


def tangent_kernel(dz_gates, dc_prev, tanh_c, local):
    """One step in forward mode: tangents ``(dh, dc)`` from those of z and c_prev, K directions at once.

    ``dz_gates (4, ..., H, K)``: the tangent of z block by block; ``dc_prev (..., H, K)``;
    ``tanh_c (..., H)`` and ``local`` (:func:`local_derivatives`) of the step.
    """
    slopes, (f, g, c_prev, i), dh_dc = (array[..., None] for array in local)
    di, df, dg, do = slopes * dz_gates                # through the gate nonlinearities, blocks i, f, g, o
    dc = f * dc_prev + g * di + c_prev * df + i * dg  # c = f * c_prev + i * g
    dh = tanh_c[..., None] * do + dh_dc * dc          # h = o * tanh(c)
    return dh, dc


_SCRATCH = threading.local()


def scratch(shape, dtype):
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


def rows_with_ones(x, dtype):
    """``x (..., N, T, D)`` as time-major rows ``(T, ..., N, D + 1)`` with a column of ones (for the bias)."""
    *lead, T, D = x.shape
    rows = np.empty((T, *lead, D + 1), dtype=dtype)
    rows[..., :D] = np.moveaxis(x, -2, 0)
    rows[..., D] = 1.0
    return rows


def by_members(a):
    """``(T, ..., N, K)`` as ``(..., T N, K)``: each member's rows together, for a (batched) matrix product."""
    if a.ndim == 3:
        return a.reshape(-1, a.shape[-1])
    return np.moveaxis(a, 0, -3).reshape(*a.shape[1:-2], -1, a.shape[-1])


def input_projection(rows, Wxb, out):
    """``out[t] = x_t Wx + b`` for every step at once: ``rows (T, ..., N, D + 1)``, ``Wxb = [Wx; b]``."""
    if rows.ndim == 3:
        np.matmul(by_members(rows), Wxb, out=out.reshape(-1, out.shape[-1]))
    else:  # one product per member, then laid out steps first
        T, N = rows.shape[0], rows.shape[-2]
        out[...] = np.moveaxis((by_members(rows) @ Wxb).reshape(*Wxb.shape[:-2], T, N, -1), -3, 0)
    return out


def affine_backward(dz, rows, hs, Wx):
    """Through z = x Wx + h_prev Wh + b for all steps: ``dx (..., N, T, D)``, ``[dWx; db]`` and ``dWh``.

    ``dz (T, ..., N, 4H)``, ``rows`` from :func:`rows_with_ones`, ``hs (T + 1, ..., N, H)`` the
    states h_0..h_T; the weight gradients are summed over steps and sequences, per member. ``dx`` is
    a batch-major view of time-major rows (copying it to batch-major order would cost as much as
    the product).
    """
    T, N = dz.shape[0], dz.shape[-2]
    dz_rows = by_members(dz)
    dx = (dz_rows @ np.swapaxes(Wx, -1, -2)).reshape(*dz.shape[1:-2], T, N, -1)
    dWxb = np.swapaxes(by_members(rows), -1, -2) @ dz_rows
    dWh = np.swapaxes(by_members(hs[:-1]), -1, -2) @ dz_rows
    return np.swapaxes(dx, -3, -2), dWxb, dWh


def by_gate(a, H, axis):
    """A ``(..., 4H)`` array seen block by block, the four gate blocks along ``axis`` (a view)."""
    return np.moveaxis(a.reshape(*a.shape[:-1], 4, H), -2, axis)


def batch_major(a):
    """``(T, ..., N, H)`` storage seen as ``(..., N, T, H)`` (a view)."""
    return np.moveaxis(a, 0, -2)


def sequence_forward(x, h0, c0, Wx, Wh, b, keep=None):
    """The kernel of ``lstm_forward``: :func:`cell_forward` for t = 1..T, without checking inputs.

    x_t Wx + b does not depend on the recurrence, so it is one matrix product for all steps
    before the loop, which keeps h_{t-1} Wh and the elementwise step. Optional leading member
    axes ``...`` (R stacked models): ``x (..., N, T, D)`` (a member axis of 1 is shared by all),
    ``h0, c0 (..., N, H)``, ``Wx (..., D, 4H)``, ``Wh (..., H, 4H)``, ``b (..., 4H)``; ``keep (..., N, T)``
    (bool) freezes the state where False. Returns ``h, c (..., N, T, H)`` and the cache.
    """
    T, H, lead = x.shape[-2], Wh.shape[-2], h0.shape[:-1]
    dtype = np.result_type(x, h0, c0, Wx, Wh, b)
    columns = halving_columns(H, dtype)
    Wxb_half = np.concatenate([Wx, b[..., None, :]], axis=-2).astype(dtype, copy=False) * columns
    Wh_half = Wh.astype(dtype, copy=False) * columns
    rows = rows_with_ones(x, dtype)
    # x_t Wx + b does not depend on the recurrence: every step in one product.
    z = input_projection(rows, Wxb_half, scratch((T, *lead, 4 * H), dtype))
    A = np.empty((T + 1, 5, *lead, H), dtype=dtype)   # per step c_prev, i, f, g, o: A[t + 1, 0] is c_t
    A[0, 0] = c0
    A[-1, 1:] = 0                                     # the last row holds only c_T: no uninitialised memory in a cache
    tanh_c, hs = np.empty((T, *lead, H), dtype=dtype), np.empty((T + 1, *lead, H), dtype=dtype)
    hs[0] = h0
    recurrent, half = np.empty((*lead, 4 * H), dtype=dtype), np.array(0.5, dtype=dtype)
    frozen = [None] * T if keep is None else ~np.moveaxis(keep, -1, 0)[..., None]
    steps = zip(hs[:-1], z, by_gate(z, H, 1), A[:-1], A[1:, 0], tanh_c, hs[1:], frozen)
    for h_prev, z_t, z_gates, cell, c, tanh_c_t, h, frozen_t in steps:
        np.matmul(h_prev, Wh_half, recurrent)
        np.add(z_t, recurrent, z_t)                    # z = x Wx + h_prev Wh + b
        cell_forward(z_gates, cell, c, tanh_c_t, h, half)
        if frozen_t is not None:                       # a masked step keeps the previous state
            np.copyto(h, h_prev, where=frozen_t)
            np.copyto(c, cell[0], where=frozen_t)
    cache = {"x": x, "h0": h0, "c0": c0, "Wx": Wx, "Wh": Wh, "keep": keep, "h": batch_major(hs[1:]),
             "c": batch_major(A[1:, 0]), **{key: batch_major(A[:-1, 1 + k]) for k, key in enumerate(GATE_ORDER)},
             "tanh_c": batch_major(tanh_c), "time_major": (A, tanh_c, hs, rows)}
    return cache["h"], cache["c"], cache


def sequence_backward(dh, cache, dc=None):
    """The kernel of ``lstm_backward``: :func:`backward_kernel` for t = T..1, without checking inputs.

    The local derivatives are computed for blocks of steps small enough to stay in cache; only
    :func:`backward_kernel` runs per step, and the products through ``Wx`` and the weight gradients
    are single matrix products over all (t, n) pairs after the loop. Where the cache's ``keep`` is
    False, (dh, dc) pass unchanged to the previous step. Returns ``dx, dh0, dc0, dWx, dWh, db``.
    """
    A, tanh_c, hs, rows = cache["time_major"]
    Wx, Wh, keep = cache["Wx"], cache["Wh"], cache.get("keep")
    T, *lead, H = tanh_c.shape
    dtype = np.result_type(A, dh) if dc is None else np.result_type(A, dh, dc)
    block = max(1, min(T, 16384 // (int(np.prod(lead)) * H)))
    buffers = [np.empty((block, 4, *lead, H), dtype), np.empty((block, 4, *lead, H), dtype),
               np.empty((block, *lead, H), dtype)]
    dz = scratch((T, *lead, 4 * H), dtype)
    Wh_T = np.ascontiguousarray(np.swapaxes(Wh, -1, -2), dtype=dtype)
    dh_in = np.moveaxis(dh, -2, 0)
    dc_in = [None] * T if dc is None else np.moveaxis(dc, -2, 0)
    frozen = [None] * T if keep is None else ~np.moveaxis(keep, -1, 0)[..., None]
    d, dh_total = np.empty((5, *lead, H), dtype), np.empty((*lead, H), dtype)
    dh_next, dc_next = np.zeros((*lead, H), dtype), np.zeros((*lead, H), dtype)
    for stop in range(T, 0, -block):
        start = max(0, stop - block)
        slopes, c_partials, dh_dc = (buffer[:stop - start] for buffer in buffers)
        local_derivatives(np.moveaxis(A[start:stop, 1:], 1, 0), A[start:stop, 0], tanh_c[start:stop],
                          (np.moveaxis(slopes, 1, 0), np.moveaxis(c_partials, 1, 0), dh_dc))
        back = slice(stop - 1, start - 1 if start else None, -1)
        steps = zip(dh_in[back], dc_in[back], tanh_c[back], slopes[::-1], c_partials[::-1], dh_dc[::-1],
                    dz[back], by_gate(dz[back], H, 1), frozen[back])
        for dh_t, dc_t, tanh_c_t, slopes_t, c_partials_t, dh_dc_t, dz_t, dz_gates, frozen_t in steps:
            np.add(dh_t, dh_next, dh_total)
            dc_at_t = dc_next if dc_t is None else dc_next + dc_t   # from step t + 1, plus any injected at t
            if frozen_t is None:
                dc_next = backward_kernel(dh_total, dc_at_t, tanh_c_t, (slopes_t, c_partials_t, dh_dc_t),
                                          Wh_T, d, dz_t, dz_gates, dh_next)
            else:                                      # a masked step passes (dh, dc) back unchanged
                passed_h, passed_c = np.where(frozen_t, dh_total, 0.0), np.where(frozen_t, dc_at_t, 0.0)
                dc_next = passed_c + backward_kernel(
                    np.where(frozen_t, 0.0, dh_total), np.where(frozen_t, 0.0, dc_at_t), tanh_c_t,
                    (slopes_t, c_partials_t, dh_dc_t), Wh_T, d, dz_t, dz_gates, dh_next)
                dh_next += passed_h
    D = Wx.shape[-2]
    dx, dWxb, dWh = affine_backward(dz, rows, hs, Wx.astype(dtype, copy=False))
    return (dx.astype(np.result_type(cache["x"], dh), copy=False), dh_next, dc_next.copy(),
            dWxb[..., :D, :].astype(Wx.dtype, copy=False), dWh.astype(Wh.dtype, copy=False),
            dWxb[..., D, :].astype(Wh.dtype, copy=False))
