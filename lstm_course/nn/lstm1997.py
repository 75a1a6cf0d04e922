"""The original LSTM of Hochreiter & Schmidhuber (1997): memory cell blocks, no forget gate.

A layer has C memory cell blocks of S cells each. The S cells of block j share
one input gate and one output gate. With ``z = x Wx + y_prev Wh + b`` split
into columns ``[net_in (C) | net_out (C) | net_c (C*S)]``::

    y_in  = sigmoid(net_in)                 input gate of each block   (N, C)
    y_out = sigmoid(net_out)                output gate of each block  (N, C)
    s     = s_prev + y_in * g(net_c)        internal state, the CEC    (N, C*S)
    y_c   = y_out * h(s)                    cell outputs               (N, C*S)

where a block's gate value multiplies all S of its cells (cell v of block j is
column ``j*S + v``). The self-connection of s has weight 1 and the identity as
activation: this is the constant error carousel, ds_prev = ds exactly.

Squashing functions: the paper's choices, a logistic sigmoid scaled to
[-2, 2] for the cell input and to [-1, 1] for the cell output,

    g(x) = 4 sigmoid(x) - 2 = 2 tanh(x/2),     h(x) = 2 sigmoid(x) - 1 = tanh(x/2).

We keep them (rather than tanh) so that the chapter's 1997 cell is the paper's
cell; they differ from tanh only by the scalings above.

Shapes: ``x (N, D)``, ``y_prev, s_prev (N, C*S)``, ``Wx (D, C*(2+S))``,
``Wh (C*S, C*(2+S))``, ``b (C*(2+S),)``. The cell outputs are the recurrent
signal fed back through ``Wh``. Sequences are batch-major, ``(N, T, D)``.

Drift. Nothing ever removes content from s: s(t) = s(0) + sum of all gated
inputs. On a long stream whose cell inputs do not average to zero, the magnitude
of s grows without bound, h(s) saturates and h'(s) -> 0, which blocks both output and
error. The forget gate of Gers, Schmidhuber & Cummins (2000), implemented in
:mod:`lstm_course.nn.lstm`, was added to let a cell reset itself.

Learning rules. :func:`lstm1997_backward` computes the exact gradient (full
BPTT). With ``truncated=True`` it applies the paper's truncated rule instead:
errors arriving at the net inputs of gates and cells (``dz``) update the
weights but are *not* sent back in time through ``Wh``; only the CEC carries
error from step t to step t-1.
"""
import numpy as np

from lstm_course._validation import (
    as_float_array,
    check_cache,
    check_float_dtype,
    check_positive_int,
    check_scalar,
    check_sequence_inputs,
    check_shape,
    check_step_index,
    check_step_inputs,
    check_upstream,
)
from lstm_course.nn.activations import (
    sigmoid,
    sigmoid_grad_from_output,
    squash_input,
    squash_input_grad_from_output,
    squash_output,
    squash_output_grad_from_output,
)


def _split_columns(z, C):
    return z[:, :C], z[:, C:2 * C], z[:, 2 * C:]


def expand_gate(gate, S):
    """A block's gate value, shared by its ``S`` cells (the reverse of :func:`block_sum`).

    Returns
    -------
    ndarray (N, C*S)
        From ``gate (N, C)``.
    """
    return np.repeat(gate, S, axis=1)


def block_sum(values, S):
    """The sum over each block's ``S`` cells (the reverse of :func:`expand_gate`).

    Returns
    -------
    ndarray (N, C)
        From ``values (N, C*S)``.
    """
    N, CS = values.shape
    return values.reshape(N, CS // S, S).sum(axis=2)


def step_forward(x, y_prev, s_prev, Wx, Wh, b, block_size):
    """The kernel of :func:`lstm1997_step_forward`: one step of the 1997 LSTM, without checking its inputs.

    Returns
    -------
    y, s : ndarray (N, C*S)
    cache : dict
        What :func:`step_backward` reads.
    """
    C = y_prev.shape[1] // block_size
    z = x @ Wx + y_prev @ Wh + b
    net_in, net_out, net_c = _split_columns(z, C)
    y_in = sigmoid(net_in)
    y_out = sigmoid(net_out)
    g = squash_input(net_c)
    s = s_prev + expand_gate(y_in, block_size) * g
    h = squash_output(s)
    y = expand_gate(y_out, block_size) * h
    cache = {"x": x, "y_prev": y_prev, "Wx": Wx, "Wh": Wh, "block_size": block_size,
             "y_in": y_in, "y_out": y_out, "g": g, "s": s, "h": h}
    return y, s, cache


def step_dz(dy, ds, cache):
    """One step back to the pre-activation, without checking its inputs: ``dz (N, 3C)``, ``dy_prev``, ``ds_prev``."""
    S = cache["block_size"]
    y_in, y_out, g, h = cache["y_in"], cache["y_out"], cache["g"], cache["h"]
    # y = y_out * h(s): the output gate collects dy * h(s) from all S cells of its block ...
    dy_out = block_sum(dy * h, S)
    # ... and the state receives dy through y_out * h'(s), plus ds from the future (the CEC).
    ds_total = ds + dy * expand_gate(y_out, S) * squash_output_grad_from_output(h)
    # s = s_prev + y_in * g: the carousel passes ds_total back unchanged (weight 1, identity).
    ds_prev = ds_total
    dy_in = block_sum(ds_total * g, S)
    dg = ds_total * expand_gate(y_in, S)
    dz = np.concatenate([dy_in * sigmoid_grad_from_output(y_in),
                         dy_out * sigmoid_grad_from_output(y_out),
                         dg * squash_input_grad_from_output(g)], axis=1)
    # z = x Wx + y_prev Wh + b
    return dz, dz @ cache["Wh"].T, ds_prev


def step_backward(dy, ds, cache):
    """The kernel of :func:`lstm1997_step_backward`, without checking its inputs.

    Returns
    -------
    dx, dy_prev, ds_prev, dWx, dWh, db : ndarray
        Shaped like ``x``, ``y_prev``, ``s_prev``, ``Wx``, ``Wh`` and ``b``.
    """
    dz, dy_prev, ds_prev = step_dz(dy, ds, cache)
    # z = x Wx + y_prev Wh + b
    return dz @ cache["Wx"].T, dy_prev, ds_prev, cache["x"].T @ dz, cache["y_prev"].T @ dz, dz.sum(axis=0)


def check_lstm1997_params(Wx, Wh, b, block_size):
    """Validate the weights of a layer of blocks of size ``block_size``; return ``(Wx, Wh, b, D, C)``."""
    S = check_positive_int("block_size", block_size)
    Wx = as_float_array("Wx", Wx, ndim=2)
    Wh = as_float_array("Wh", Wh, ndim=2)
    b = as_float_array("b", b, ndim=1)
    CS = Wh.shape[0]
    if CS % S:
        raise ValueError(f"Wh must have C*S rows for block_size S={S}, got {CS} rows")
    C = CS // S
    columns = f"C*(2+S) = {C}*{2 + S}"
    check_shape("Wh", Wh, (CS, C * (2 + S)), f"(C*S, {columns})")
    D = Wx.shape[0]
    check_shape("Wx", Wx, (D, C * (2 + S)), f"(D, {columns})")
    check_shape("b", b, (C * (2 + S),), f"({columns},)")
    return Wx, Wh, b, D, C


def init_lstm1997_params(input_size, n_blocks, block_size, rng=None, scale=0.1,
                         input_gate_bias=0.0, output_gate_bias=0.0, dtype=np.float64):
    """Weights uniform in [-scale, scale], gate biases as given, cell-input biases 0.

    The paper initialises weights in [-0.1, 0.1] (or [-0.2, 0.2]) and often
    biases gates negatively so that cells start closed.

    Returns
    -------
    Wx : ndarray (D, C*(2+S))
    Wh : ndarray (C*S, C*(2+S))
    b : ndarray (C*(2+S),)
    """
    D = check_positive_int("input_size", input_size)
    C = check_positive_int("n_blocks", n_blocks)
    S = check_positive_int("block_size", block_size)
    scale = check_scalar("scale", scale, low=0.0)
    input_gate_bias = check_scalar("input_gate_bias", input_gate_bias)
    output_gate_bias = check_scalar("output_gate_bias", output_gate_bias)
    dtype = check_float_dtype("dtype", dtype)
    rng = np.random.default_rng(rng)
    width = C * (2 + S)
    Wx = rng.uniform(-scale, scale, size=(D, width))
    Wh = rng.uniform(-scale, scale, size=(C * S, width))
    b = np.zeros(width)
    b[:C] = input_gate_bias
    b[C:2 * C] = output_gate_bias
    return Wx.astype(dtype), Wh.astype(dtype), b.astype(dtype)


def lstm1997_step_forward(x, y_prev, s_prev, Wx, Wh, b, block_size=1):
    """One step of a layer of 1997 memory cell blocks.

    z = x Wx + y_prev Wh + b = [net_in | net_out | net_c];
    s = s_prev + sigmoid(net_in) * g(net_c);  y = sigmoid(net_out) * h(s),
    with each block's gate values shared by its S cells.

    Parameters
    ----------
    x : ndarray (N, D)
    y_prev : ndarray (N, C*S)
        Cell outputs of the previous step.
    s_prev : ndarray (N, C*S)
        Internal states of the previous step.
    Wx : ndarray (D, C*(2+S))
    Wh : ndarray (C*S, C*(2+S))
    b : ndarray (C*(2+S),)
    block_size : int
        S, the number of cells sharing one input and one output gate.

    Returns
    -------
    y : ndarray (N, C*S)
    s : ndarray (N, C*S)
    cache : dict
        ``x, y_prev, Wx, Wh, block_size`` and ``y_in, y_out, g, s, h``.
    """
    Wx, Wh, b, D, C = check_lstm1997_params(Wx, Wh, b, block_size)
    x, (y_prev, s_prev) = check_step_inputs(x, {"y_prev": y_prev, "s_prev": s_prev}, D, Wh.shape[0])
    return step_forward(x, y_prev, s_prev, Wx, Wh, b, block_size)


def lstm1997_step_backward(dy, ds, cache):
    """Backward pass of :func:`lstm1997_step_forward`.

    With ds_total = ds + dy * y_out * h'(s):
    dy_out = sum_block(dy * h(s)); dy_in = sum_block(ds_total * g); dg = ds_total * y_in;
    ds_prev = ds_total (the constant error carousel); then
    dz = [dy_in y_in(1-y_in), dy_out y_out(1-y_out), dg g'(net_c)] and
    dx = dz Wx^T, dy_prev = dz Wh^T, dWx = x^T dz, dWh = y_prev^T dz, db = sum_n dz.

    Parameters
    ----------
    dy : ndarray (N, C*S)
        Gradient on this step's cell outputs.
    ds : ndarray (N, C*S)
        Gradient on this step's internal state arriving from later steps.
    cache : dict
        From :func:`lstm1997_step_forward`.

    Returns
    -------
    dx : ndarray (N, D)
    dy_prev : ndarray (N, C*S)
    ds_prev : ndarray (N, C*S)
    dWx : ndarray (D, C*(2+S))
    dWh : ndarray (C*S, C*(2+S))
    db : ndarray (C*(2+S),)
    """
    check_cache("cache", cache, ("Wh", "Wx", "block_size", "g", "h", "s", "x", "y_in", "y_out", "y_prev"),
                "lstm1997_step_forward")
    dy = check_upstream("dy", dy, cache["s"].shape, "(N, C*S)")
    ds = check_upstream("ds", ds, cache["s"].shape, "(N, C*S)")
    return step_backward(dy, ds, cache)


def lstm1997_forward(x, y0, s0, Wx, Wh, b, block_size=1):
    """Run a layer of 1997 memory cell blocks over a batch-major sequence.

    Applies :func:`lstm1997_step_forward` for t = 1..T from (y_0, s_0).

    Parameters
    ----------
    x : ndarray (N, T, D)
    y0 : ndarray (N, C*S) or None
        Initial cell outputs; ``None`` means zeros.
    s0 : ndarray (N, C*S) or None
        Initial internal states; ``None`` means zeros.
    Wx, Wh, b : see :func:`lstm1997_step_forward`
    block_size : int

    Returns
    -------
    y : ndarray (N, T, C*S)
        Cell outputs at every step.
    s : ndarray (N, T, C*S)
        Internal states at every step.
    cache : dict
        ``x, y0, s0, Wx, Wh, block_size, y, s`` and ``y_in, y_out`` (N, T, C),
        ``g, h`` (N, T, C*S).
    """
    Wx, Wh, b, D, C = check_lstm1997_params(Wx, Wh, b, block_size)
    CS = Wh.shape[0]
    x, (y0, s0) = check_sequence_inputs(x, {"y0": y0, "s0": s0}, D, CS)
    N, T, _ = x.shape
    dtype = np.result_type(x, y0, s0, Wx, Wh, b)
    stored = {key: np.empty((N, T, CS), dtype=dtype) for key in ("y", "s", "g", "h")}
    stored.update({key: np.empty((N, T, C), dtype=dtype) for key in ("y_in", "y_out")})
    y_prev, s_prev = y0, s0
    for t in range(T):
        y_prev, s_prev, step = step_forward(x[:, t], y_prev, s_prev, Wx, Wh, b, block_size)
        step["y"] = y_prev
        for key, array in stored.items():
            array[:, t] = step[key]
    cache = {"x": x, "y0": y0, "s0": s0, "Wx": Wx, "Wh": Wh, "block_size": block_size, **stored}
    return stored["y"], stored["s"], cache


_SEQUENCE_KEYS = ("Wh", "Wx", "block_size", "g", "h", "s", "s0", "x", "y", "y0", "y_in", "y_out")


def lstm1997_backward(dy, cache, ds=None, truncated=False):
    """Gradients for :func:`lstm1997_forward`: full BPTT or the paper's truncated rule.

    Walks t = T..1. The state error is ``ds[:, t]`` plus the error of s_t
    passed back unchanged by the carousel. With ``truncated=False`` (exact
    gradient) the cell-output error also includes what step t+1 sends back
    through Wh. With ``truncated=True`` that recurrent term is dropped: errors
    reaching the gate and cell net inputs update the weights but stop there,
    as in Hochreiter & Schmidhuber (1997), so only the CEC carries error back
    in time.

    Parameters
    ----------
    dy : ndarray (N, T, C*S)
        Upstream gradient on every cell output.
    cache : dict
        From :func:`lstm1997_forward`.
    ds : ndarray (N, T, C*S), optional
        Upstream gradient on every internal state (zeros if omitted).
    truncated : bool
        Use the paper's truncated learning rule instead of full BPTT.

    Returns
    -------
    dx : ndarray (N, T, D)
    dy0 : ndarray (N, C*S)
        Zero under the truncated rule, which sends nothing back through Wh.
    ds0 : ndarray (N, C*S)
    dWx : ndarray (D, C*(2+S))
    dWh : ndarray (C*S, C*(2+S))
    db : ndarray (C*(2+S),)
    """
    check_cache("cache", cache, _SEQUENCE_KEYS, "lstm1997_forward")
    x, y0, s0, Wx, Wh, S = (cache[key] for key in ("x", "y0", "s0", "Wx", "Wh", "block_size"))
    dy = check_upstream("dy", dy, cache["y"].shape, "(N, T, C*S)")
    ds = np.zeros_like(dy) if ds is None else check_upstream("ds", ds, cache["s"].shape, "(N, T, C*S)")
    if not isinstance(truncated, (bool, np.bool_)):
        raise ValueError(f"truncated must be True or False, got {truncated!r}")
    N, T, _ = dy.shape
    dx = np.zeros(x.shape, dtype=np.result_type(x, dy))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[1], dtype=Wh.dtype)
    dy_next = np.zeros_like(y0)
    ds_next = np.zeros_like(s0)
    for t in reversed(range(T)):
        dx[:, t], dy_prev, ds_next, dWx_t, dWh_t, db_t = step_backward(
            dy[:, t] + dy_next, ds[:, t] + ds_next, step_cache(cache, t))
        dy_next = np.zeros_like(dy_prev) if truncated else dy_prev
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dy_next, ds_next, dWx, dWh, db


def step_cache(cache, t):
    """Step t's cache inside an :func:`lstm1997_forward` cache, as :func:`lstm1997_step_forward` returns it.

    The one rule for reading a step out of the stored sequence: x_t, the gate and
    cell activations of step t, y_{t-1} (``y0`` when t = 0), the weights and the block size.

    Parameters
    ----------
    cache : dict
        From :func:`lstm1997_forward`.
    t : int
        0-based step (negative counts from the end).
    """
    check_cache("cache", cache, _SEQUENCE_KEYS, "lstm1997_forward")
    t = check_step_index("t", t, cache["y"].shape[1])
    step = {key: cache[key][:, t] for key in ("x", "y_in", "y_out", "g", "s", "h")}
    step.update(Wx=cache["Wx"], Wh=cache["Wh"], block_size=cache["block_size"],
                y_prev=cache["y"][:, t - 1] if t > 0 else cache["y0"])
    return step


def final_state(cache):
    """The state after the last step of an :func:`lstm1997_forward` cache: ``(y_T, s_T)``."""
    check_cache("cache", cache, _SEQUENCE_KEYS, "lstm1997_forward")
    return cache["y"][:, -1], cache["s"][:, -1]
