"""The 1997 learning rule as Hochreiter & Schmidhuber ran it: partial derivatives carried forward.

The paper's truncated rule is a form of real-time recurrent learning (RTRL,
Williams & Zipser 1989) truncated to the cell: the recurrent inputs y(t-1) are
treated as constants, so the state s_v of cell v depends on only two weight
columns, its own cell-input column and its block's input-gate column. Their
sensitivities are carried forward with the state. With u_t = [x_t, y(t-1), 1]
(the I = D + C*S + 1 units feeding the layer)::

    ds_v/dw_{c_v}  (t) = ds_v/dw_{c_v}  (t-1) + y_in_j g'(net_c_v) u_t
    ds_v/dw_{in_j} (t) = ds_v/dw_{in_j} (t-1) + g(net_c_v) y_in_j (1 - y_in_j) u_t

and at every step the error on the state, e_v = dy_v y_out_j h'(s_v) (+ ds_v),
turns them into weight gradients: dW_c += e ds/dw_c, dW_in += sum over the
block of e ds/dw_in, and the output gate, which has no memory, gets
dW_out += u_t (sum_block dy h(s)) y_out (1 - y_out). The sensitivities have
the size of the weights (times N), so memory does not grow with T and each
step costs O(W). The result equals :func:`lstm_course.nn.lstm1997.lstm1997_backward`
with ``truncated=True``, which gets the same numbers by walking backward over
a stored sequence.
"""
import tracemalloc
from typing import NamedTuple

import numpy as np

from lstm_course._validation import check_sequence_inputs, check_upstream
from lstm_course.nn.activations import sigmoid_grad_from_output
from lstm_course.nn.lstm1997 import (
    block_sum,
    check_lstm1997_params,
    expand_gate,
    squash_input_grad_from_output,
    squash_output_grad_from_output,
    step_forward,
)


class ForwardGradient(NamedTuple):
    """Weight gradients of the truncated 1997 rule and the layer's last output and state."""

    dWx: np.ndarray
    """(D, C*(2+S))"""
    dWh: np.ndarray
    """(C*S, C*(2+S))"""
    db: np.ndarray
    """(C*(2+S),)"""
    y: np.ndarray
    """(N, C*S), cell outputs after the last step."""
    s: np.ndarray
    """(N, C*S), cell states after the last step."""


def lstm1997_forward_gradient(x, y0, s0, Wx, Wh, b, dy, ds=None, block_size=1):
    """The truncated 1997 rule computed forward in time, in memory independent of T.

    Parameters
    ----------
    x : ndarray (N, T, D)
    y0, s0 : ndarray (N, C*S) or None
        Initial cell outputs and states; ``None`` means zeros.
    Wx : ndarray (D, C*(2+S))
    Wh : ndarray (C*S, C*(2+S))
    b : ndarray (C*(2+S),)
    dy : ndarray (N, T, C*S)
        Error on the cell outputs at every step; only ``dy[:, t]`` is read at step t.
    ds : ndarray (N, T, C*S), optional
        Error injected on the states (zeros if omitted).
    block_size : int

    Returns
    -------
    ForwardGradient
        ``dWx, dWh, db`` equal to ``lstm1997_backward(dy, cache, ds, truncated=True)[3:]``,
        and the last ``y, s``. Apart from the validation of the inputs (which scans them
        once), nothing allocated here grows with T.
    """
    Wx, Wh, b, D, C = check_lstm1997_params(Wx, Wh, b, block_size)
    S, CS = block_size, Wh.shape[0]
    x, (y, s) = check_sequence_inputs(x, {"y0": y0, "s0": s0}, D, CS)
    N, T, _ = x.shape
    dy = check_upstream("dy", dy, (N, T, CS), "(N, T, C*S)")
    if ds is not None:
        ds = check_upstream("ds", ds, (N, T, CS), "(N, T, C*S)")
    return _forward_gradient(x, y, s, Wx, Wh, b, dy, ds, S)


def _forward_gradient(x, y, s, Wx, Wh, b, dy, ds, S):
    N, T, D = x.shape
    CS = Wh.shape[0]
    C = CS // S
    dtype = np.result_type(x, Wx, Wh, b, dy)
    I = D + CS + 1
    sens_c = np.zeros((N, CS, I), dtype=dtype)      # d s_v / d (cell-input column of v)
    sens_in = np.zeros((N, CS, I), dtype=dtype)     # d s_v / d (input-gate column of v's block)
    grad_c, grad_in, grad_out = (np.zeros((I, width), dtype=dtype) for width in (CS, C, C))
    u = np.ones((N, I), dtype=dtype)
    for t in range(T):
        u[:, :D], u[:, D:D + CS] = x[:, t], y            # u_t = [x_t, y(t-1), 1], y(t-1) held constant
        y, s, step = step_forward(x[:, t], y, s, Wx, Wh, b, S)
        y_in, y_out, g, h = expand_gate(step["y_in"], S), expand_gate(step["y_out"], S), step["g"], step["h"]
        # s = s_prev + y_in g(net_c): each sensitivity grows by the direct partial of this step's increment.
        sens_c += (y_in * squash_input_grad_from_output(g))[:, :, None] * u[:, None, :]
        sens_in += (g * sigmoid_grad_from_output(y_in))[:, :, None] * u[:, None, :]
        # The error on s at this step: through y = y_out h(s), plus any injected ds.
        error = dy[:, t] * y_out * squash_output_grad_from_output(h)
        if ds is not None:
            error = error + ds[:, t]
        grad_c += np.einsum("nv,nvi->iv", error, sens_c)
        grad_in += block_sum(np.einsum("nv,nvi->iv", error, sens_in), S)
        # The output gate has no memory: its gradient is this step's alone.
        grad_out += u.T @ (block_sum(dy[:, t] * h, S) * sigmoid_grad_from_output(step["y_out"]))
    grad = np.concatenate([grad_in, grad_out, grad_c], axis=1)   # columns [in | out | c], as in z
    return ForwardGradient(grad[:D], grad[D:D + CS], grad[-1], y, s)


def peak_memory(fn, *args, **kwargs):
    """Peak number of bytes that ``fn(*args, **kwargs)`` allocates while it runs (via ``tracemalloc``).

    Arrays that exist before the call (the inputs) are not counted; temporaries are.
    ``tracemalloc`` also counts what other threads allocate meanwhile (in a notebook, the
    kernel's I/O thread), which can only raise a peak, so the smallest of three runs is returned.
    """
    peaks = []
    for _ in range(3):
        tracemalloc.start()
        try:
            fn(*args, **kwargs)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return min(peaks)
