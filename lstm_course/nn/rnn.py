"""The Elman recurrent network with a tanh nonlinearity.

One step computes

    h_t = tanh(x_t Wx + h_{t-1} Wh + b)

with ``x_t (N, D)``, ``h_t (N, H)``, ``Wx (D, H)``, ``Wh (H, H)`` and ``b (H,)``.
The sequence functions apply that step for t = 1..T over a batch-major input
``x (N, T, D)``; their backward pass is backpropagation through time (BPTT).
"""
import numpy as np

from lstm_course._validation import (
    check_cache,
    check_recurrent_params,
    check_sequence_inputs,
    check_step_index,
    check_step_inputs,
    check_upstream,
)
from lstm_course.nn.activations import tanh_grad_from_output


def _forward_kernel(xz, h_prev, Wh, h):
    """One Elman step from its input projection ``xz = x Wx + b``, written into ``h`` (every RNN pass runs it)."""
    np.matmul(h_prev, Wh, h)
    np.add(h, xz, h)                               # z = x Wx + b + h_prev Wh
    np.tanh(h, h)                                  # h = tanh(z)


def _backward_kernel(dh, slope, Wh_T, dz, dh_prev):
    """One Elman step back from ``dh``: ``dz`` and ``dh_prev`` written in place; ``slope = 1 - h**2``."""
    np.multiply(dh, slope, dz)                     # dL/dz_t = dL/dh_t * (1 - h_t**2)
    np.matmul(dz, Wh_T, dh_prev)                   # dL/dh_{t-1} = dz_t Wh^T


def step_forward(x, h_prev, Wx, Wh, b):
    """The kernel of :func:`rnn_step_forward` (``_forward_kernel`` on one step), without checking inputs.

    Returns
    -------
    h : ndarray (N, H)
    cache : dict
        ``x, h_prev, Wx, Wh, h``, what :func:`step_backward` reads.
    """
    h = np.empty(h_prev.shape, dtype=np.result_type(x, h_prev, Wx, Wh, b))
    _forward_kernel(x @ Wx + b, h_prev, Wh, h)
    return h, {"x": x, "h_prev": h_prev, "Wx": Wx, "Wh": Wh, "h": h}


def step_dz(dh, cache):
    """``_backward_kernel`` on one step cache: ``dz`` and ``dh_prev``, each ``(N, H)``."""
    dtype = np.result_type(dh, cache["h"])
    dz, dh_prev = np.empty(dh.shape, dtype), np.empty(cache["h_prev"].shape, dtype)
    _backward_kernel(dh, tanh_grad_from_output(cache["h"]), cache["Wh"].T, dz, dh_prev)
    return dz, dh_prev


def step_backward(dh, cache):
    """The kernel of :func:`rnn_step_backward` (``_backward_kernel`` on one step), without checking inputs.

    Returns
    -------
    dx, dh_prev, dWx, dWh, db : ndarray
        Shaped like ``x``, ``h_prev``, ``Wx``, ``Wh`` and ``(H,)``.
    """
    dz, dh_prev = step_dz(dh, cache)
    dx = dz @ cache["Wx"].T                        # dL/dx_t = dz_t Wx^T
    dWx = cache["x"].T @ dz                        # dL/dWx = x_t^T dz_t
    dWh = cache["h_prev"].T @ dz                   # dL/dWh = h_{t-1}^T dz_t
    db = dz.sum(axis=0)                            # dL/db = sum over the batch of dz_t
    return dx, dh_prev, dWx, dWh, db


def step_tangent(dz, cache):
    """One step in forward mode: the tangent ``dh (N, H, K)`` of h = tanh(z) from that of z, ``dz (N, H, K)``."""
    return tanh_grad_from_output(cache["h"])[..., None] * dz


def _sequence_forward(x, h0, Wx, Wh, b):
    """Fast path of :func:`rnn_forward`: ``_forward_kernel`` over time-major storage ``hs (T+1, N, H)``.

    The input projection x_t Wx + b does not depend on the recurrence, so it is one
    product for all steps; the loop keeps only h_{t-1} Wh, the add and the tanh.
    """
    N, T, D = x.shape
    H = Wh.shape[0]
    dtype = np.result_type(x, h0, Wx, Wh, b)
    Wh = Wh.astype(dtype, copy=False)
    hs = np.empty((T + 1, N, H), dtype=dtype)
    hs[0] = h0
    xz = (x.transpose(1, 0, 2).reshape(T * N, D).astype(dtype, copy=False) @ Wx.astype(dtype, copy=False)
          + b).reshape(T, N, H)
    for h_prev, xz_t, h_t in zip(hs[:-1], xz, hs[1:]):
        _forward_kernel(xz_t, h_prev, Wh, h_t)
    h = hs[1:].transpose(1, 0, 2)   # (T, N, H) storage seen as (N, T, H)
    return h, {"x": x, "h0": h0, "h": h, "Wx": Wx, "Wh": Wh, "time_major": (hs,)}


def _sequence_backward(dh, cache):
    """Fast path of :func:`rnn_backward`: ``_backward_kernel`` at every step, nothing else in the loop.

    The slopes 1 - h_t^2 are computed for all steps at once, and dWx, dWh, db
    are single products over all (t, n) pairs after the loop.
    """
    x, Wx, Wh = cache["x"], cache["Wx"], cache["Wh"]
    if "time_major" in cache:
        (hs,) = cache["time_major"]
    else:  # a cache assembled by hand: rebuild the time-major states
        hs = np.concatenate([cache["h0"][None], cache["h"].transpose(1, 0, 2)])
    T1, N, H = hs.shape
    T, D = T1 - 1, x.shape[2]
    dtype = np.result_type(hs, dh)
    slope = tanh_grad_from_output(hs[1:])                  # tanh'(z_t) = 1 - h_t^2, (T, N, H)
    dz = np.empty((T, N, H), dtype=dtype)
    Wh_T = np.ascontiguousarray(Wh.T, dtype=dtype)
    dh_next = np.zeros((N, H), dtype=dtype)
    for dh_t, slope_t, dz_t in zip(dh.transpose(1, 0, 2)[::-1], slope[::-1], dz[::-1]):
        np.add(dh_t, dh_next, dz_t)                        # dL/dh_t (total) = dh[:, t] + dz_{t+1} Wh^T
        _backward_kernel(dz_t, slope_t, Wh_T, dz_t, dh_next)
    dz_rows = dz.reshape(T * N, H)
    dx = np.ascontiguousarray((dz_rows @ Wx.T).reshape(T, N, D).transpose(1, 0, 2), dtype=np.result_type(x, dh))
    x_rows = x.transpose(1, 0, 2).reshape(T * N, D)
    dWx = (x_rows.T @ dz_rows).astype(Wx.dtype, copy=False)
    dWh = (hs[:-1].reshape(T * N, H).T @ dz_rows).astype(Wh.dtype, copy=False)
    db = dz_rows.sum(axis=0).astype(Wh.dtype, copy=False)
    return dx, dh_next, dWx, dWh, db


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    """One Elman step, h = tanh(x Wx + h_prev Wh + b).

    Parameters
    ----------
    x : ndarray (N, D)
        Input at this step.
    h_prev : ndarray (N, H)
        Hidden state from the previous step.
    Wx : ndarray (D, H)
        Input-to-hidden weights.
    Wh : ndarray (H, H)
        Hidden-to-hidden (recurrent) weights.
    b : ndarray (H,)
        Bias.

    Returns
    -------
    h : ndarray (N, H)
        New hidden state.
    cache : dict
        ``x, h_prev, Wx, Wh, h``: everything :func:`rnn_step_backward` reads.
    """
    Wx, Wh, b, D, H = check_recurrent_params(Wx, Wh, b, gate_blocks=1)
    x, (h_prev,) = check_step_inputs(x, {"h_prev": h_prev}, D, H)
    return step_forward(x, h_prev, Wx, Wh, b)


def rnn_step_backward(dh, cache):
    """Backward pass of :func:`rnn_step_forward`.

    With z = x Wx + h_prev Wh + b and dz = dh * (1 - h**2):
    dx = dz Wx^T, dh_prev = dz Wh^T, dWx = x^T dz, dWh = h_prev^T dz, db = sum_n dz.

    Parameters
    ----------
    dh : ndarray (N, H)
        Gradient of the loss with respect to the step's output ``h``.
    cache : dict
        From :func:`rnn_step_forward`.

    Returns
    -------
    dx : ndarray (N, D)
    dh_prev : ndarray (N, H)
    dWx : ndarray (D, H)
    dWh : ndarray (H, H)
    db : ndarray (H,)
    """
    check_cache("cache", cache, ("x", "h_prev", "h", "Wx", "Wh"), "rnn_step_forward", gate_blocks=1)
    dh = check_upstream("dh", dh, cache["h"].shape, "(N, H)")
    return step_backward(dh, cache)


def rnn_forward(x, h0, Wx, Wh, b):
    """Run the Elman RNN over a whole sequence.

    h_t = tanh(x_t Wx + h_{t-1} Wh + b) for t = 1..T, starting from h_0 = ``h0``.

    Parameters
    ----------
    x : ndarray (N, T, D)
        Batch-major input sequence.
    h0 : ndarray (N, H) or None
        Initial hidden state; ``None`` means zeros.
    Wx : ndarray (D, H)
    Wh : ndarray (H, H)
    b : ndarray (H,)

    Returns
    -------
    h : ndarray (N, T, H)
        Hidden state at every step.
    cache : dict
        ``x, h0, h, Wx, Wh``. These stored activations are the memory cost of
        unrolling: BPTT reads all T of them on the way back.
    """
    Wx, Wh, b, D, H = check_recurrent_params(Wx, Wh, b, gate_blocks=1)
    x, (h0,) = check_sequence_inputs(x, {"h0": h0}, D, H)
    return _sequence_forward(x, h0, Wx, Wh, b)


def rnn_backward(dh, cache):
    """Backpropagation through time for :func:`rnn_forward`.

    Walks t = T..1, adding the error that arrives from step t+1 to the error
    injected at step t, and sums the per-step weight gradients, because every
    step uses the same weights:

        dL/dh_t (total) = dh[:, t] + dz_{t+1} Wh^T,     dL/dW = sum_t dL/dW|_t.

    Parameters
    ----------
    dh : ndarray (N, T, H)
        Upstream gradient on every hidden output (zeros where no loss is attached).
    cache : dict
        From :func:`rnn_forward`.

    Returns
    -------
    dx : ndarray (N, T, D)
    dh0 : ndarray (N, H)
    dWx : ndarray (D, H)
    dWh : ndarray (H, H)
    db : ndarray (H,)
    """
    check_cache("cache", cache, ("x", "h0", "h", "Wx", "Wh"), "rnn_forward", gate_blocks=1)
    dh = check_upstream("dh", dh, cache["h"].shape, "(N, T, H)")
    return _sequence_backward(dh, cache)


def step_cache(cache, t):
    """Step t's cache inside a sequence cache, as :func:`rnn_step_forward` would have returned it.

    This is the one rule for reading a step out of the stored sequence: x_t, h_t,
    h_{t-1} (``h0`` when t = 0) and the weights. Every per-step backward walk
    over an :func:`rnn_forward` cache uses it.

    Parameters
    ----------
    cache : dict
        From :func:`rnn_forward`.
    t : int
        0-based step (negative counts from the end).

    Returns
    -------
    dict
        ``x (N, D), h_prev (N, H), h (N, H), Wx, Wh``: what :func:`rnn_step_backward` reads.
    """
    check_cache("cache", cache, ("x", "h0", "h", "Wx", "Wh"), "rnn_forward", gate_blocks=1)
    t = check_step_index("t", t, cache["h"].shape[1])
    return {"x": cache["x"][:, t], "h_prev": cache["h"][:, t - 1] if t > 0 else cache["h0"],
            "h": cache["h"][:, t], "Wx": cache["Wx"], "Wh": cache["Wh"]}


def final_state(cache):
    """The state after the last step of an :func:`rnn_forward` cache: ``h_T (N, H)``."""
    check_cache("cache", cache, ("x", "h0", "h", "Wx", "Wh"), "rnn_forward", gate_blocks=1)
    return cache["h"][:, -1]
