"""A recurrent layer (Elman RNN or LSTM) followed by a linear readout.

This is the model every training chapter uses:

    h_t = cell(x_t, state_{t-1}),      yhat_t = h_t Wy + by,

with the per-step squared-error loss l_t = 1/2 sum_n ||yhat_{n,t} - y_{n,t}||^2,
**summed** over the batch (not averaged), and optionally weighted per step, so
that a many-to-one task only puts loss on its last step.

Parameters live in a dict with keys ``Wx, Wh, b, Wy, by``. For ``cell="lstm"``
they are ``Wx (D, 4H)``, ``Wh (H, 4H)``, ``b (4H,)`` with gate blocks i, f, g, o;
for ``cell="rnn"`` they are ``(D, H)``, ``(H, H)``, ``(H,)``. The readout is
``Wy (H, O)`` and ``by (O,)``.
"""
import numpy as np

from lstm_course._validation import (
    as_float_array,
    check_array_dict,
    check_cache,
    check_float_dtype,
    check_positive_int,
    check_scalar,
    check_shape,
)
from lstm_course.nn import cells, readout

CELLS = cells.MODEL_CELLS
PARAM_NAMES = ("Wx", "Wh", "b", "Wy", "by")


def check_cell(cell):
    """Raise ``ValueError`` unless ``cell`` is ``"rnn"`` or ``"lstm"``."""
    return cells.get(cell, CELLS).name


def gate_blocks(cell):
    """Number of H-wide column blocks in Wx, Wh and b: 1 for the RNN, 4 for the LSTM."""
    return cells.get(cell, CELLS).gate_blocks


def init_params(cell, input_size, hidden_size, output_size, rng=None, forget_bias=0.0, dtype=np.float64):
    """Initialise a recurrent layer plus readout.

    Input and readout weights are Glorot-uniform, recurrent weights orthogonal
    (per gate block), biases zero except the LSTM forget block, which is
    ``forget_bias``. This is the one initialisation of the course, the character
    model's included (``init_params("lstm", V, H, V, ...)``). The default 0.0 is
    the plain choice that every cell accepts (PyTorch's default); a call that
    wants the forget gate open from the start passes 1.0 (Gers et al. 2000;
    Keras's ``unit_forget_bias=True``), as Chapters 5 to 8 do.

    Parameters
    ----------
    cell : {"rnn", "lstm"}
    input_size, hidden_size, output_size : int
        D, H and O.
    rng : numpy.random.Generator or int, optional
    forget_bias : float
        Initial bias of the forget gate (LSTM only).
    dtype : numpy floating-point dtype
        float64 (default) or float32.

    Returns
    -------
    dict with keys ``Wx, Wh, b, Wy, by``.
    """
    spec = cells.get(cell, CELLS)
    G = spec.gate_blocks
    D = check_positive_int("input_size", input_size)
    H = check_positive_int("hidden_size", hidden_size)
    O = check_positive_int("output_size", output_size)
    forget_bias = check_scalar("forget_bias", forget_bias)
    dtype = check_float_dtype("dtype", dtype)
    if spec.forget_block is None and forget_bias != 0.0:
        raise ValueError(f"forget_bias only applies to a cell with a forget gate, not cell={cell!r}")
    rng = np.random.default_rng(rng)
    limit = np.sqrt(6.0 / (D + H))
    Wx = rng.uniform(-limit, limit, size=(D, G * H))
    Wh = np.concatenate([np.linalg.qr(rng.normal(size=(H, H)))[0] for _ in range(G)], axis=1)
    b = np.zeros(G * H)
    if spec.forget_block is not None:
        b[spec.forget_block * H:(spec.forget_block + 1) * H] = forget_bias
    limit = np.sqrt(6.0 / (H + O))
    Wy = rng.uniform(-limit, limit, size=(H, O))
    by = np.zeros(O)
    return {name: value.astype(dtype) for name, value in zip(PARAM_NAMES, (Wx, Wh, b, Wy, by))}


def check_params(params, cell):
    """Validate a parameter dict and return ``(D, H, O)``."""
    G = gate_blocks(cell)
    arrays = check_array_dict("params", params, PARAM_NAMES, in_place=True)
    for name in PARAM_NAMES:
        as_float_array(f"params[{name!r}]", arrays[name], ndim=2 if name.startswith("W") else 1)
    D, width = arrays["Wx"].shape
    if width % G:
        raise ValueError(f"Wx must have shape (D, {G}H) for cell={cell!r}, got {arrays['Wx'].shape}")
    H = width // G
    O = arrays["Wy"].shape[1]
    blocks = "H" if G == 1 else f"{G}H"
    check_shape("Wh", arrays["Wh"], (H, G * H), f"(H, {blocks})", "H from Wx")
    check_shape("b", arrays["b"], (G * H,), f"({blocks},)", "H from Wx")
    check_shape("Wy", arrays["Wy"], (H, O), "(H, O)", "H from Wx")
    check_shape("by", arrays["by"], (O,), "(O,)", "O from Wy")
    return D, H, O


def forward(params, x, cell="lstm", h0=None, c0=None):
    """Run the recurrent layer and the readout over a sequence.

    Parameters
    ----------
    params : dict
        ``Wx, Wh, b, Wy, by``.
    x : ndarray (N, T, D)
    cell : {"rnn", "lstm"}
    h0 : ndarray (N, H), optional
    c0 : ndarray (N, H), optional
        LSTM only.

    Returns
    -------
    yhat : ndarray (N, T, O)
        yhat_t = h_t Wy + by.
    cache : dict
        The layer cache plus ``cell``, ``h`` and the readout weights.
    """
    spec = cells.get(cell, CELLS)
    check_params(params, cell)
    (h, *_), layer_cache = spec.forward(x, spec.initial_state(h0=h0, c0=c0), params["Wx"], params["Wh"], params["b"])
    yhat = h @ params["Wy"] + params["by"]
    return yhat, {"cell": cell, "layer": layer_cache, "h": h, "Wy": params["Wy"]}


def backward(dyhat, cache):
    """Gradients of the loss for :func:`forward`.

    dWy = sum_{n,t} h_{n,t}^T dyhat_{n,t}, dby = sum_{n,t} dyhat_{n,t}, and
    dh = dyhat Wy^T is handed to the layer's BPTT.

    Parameters
    ----------
    dyhat : ndarray (N, T, O)
    cache : dict
        From :func:`forward`.

    Returns
    -------
    grads : dict
        ``Wx, Wh, b, Wy, by``, plus ``h0`` (and ``c0`` for the LSTM), the
        gradient on the initial state.
    """
    check_cache("cache", cache, ("cell", "layer", "h", "Wy"), "forward")
    spec = cells.get(cache["cell"], CELLS)
    h = cache["h"]
    N, T, _ = h.shape
    dyhat = as_float_array("dyhat", dyhat, ndim=3)
    check_shape("dyhat", dyhat, (N, T, cache["Wy"].shape[1]), "(N, T, O)")
    grads, dh = readout.readout_backward_kernel(dyhat, h, cache["Wy"])
    _, dstate0, grads["Wx"], grads["Wh"], grads["b"] = spec.backward(dh, cache["layer"])
    grads.update((f"{name}0", d) for name, d in zip(spec.state_names, dstate0))
    return grads


def squared_error(yhat, y, step_weights=None):
    """Per-step squared error, summed over the batch.

    L = sum_t w_t * 1/2 sum_n ||yhat_{n,t} - y_{n,t}||^2.

    Parameters
    ----------
    yhat, y : ndarray (N, T, O)
    step_weights : ndarray (T,) or (N, T), optional
        w_t (or w_{n,t}); ones if omitted. A many-to-one loss uses a weight of 1
        on the last step and 0 elsewhere; a mask of valid steps is also a weight.

    Returns
    -------
    loss : float
    dyhat : ndarray (N, T, O)
    """
    yhat = as_float_array("yhat", yhat, ndim=3)
    y = as_float_array("y", y, ndim=3)
    check_shape("y", y, yhat.shape, "(N, T, O) like yhat")
    N, T, _ = y.shape
    dtype = np.result_type(yhat, y)
    if step_weights is None:
        weights = np.ones((N, T), dtype=dtype)
    else:
        step_weights = as_float_array("step_weights", step_weights)
        if step_weights.shape not in ((T,), (N, T)):
            raise ValueError(f"step_weights must have shape (T,) = ({T},) or (N, T) = ({N}, {T}), "
                             f"got {step_weights.shape}")
        weights = np.broadcast_to(step_weights.astype(dtype, copy=False), (N, T))
    return readout.squared_error_kernel(yhat, y, weights)


def loss_and_grads(params, x, y, cell="lstm", step_weights=None, h0=None, c0=None):
    """Full-BPTT loss and parameter gradients: forward, loss, backward in one call.

    Returns
    -------
    loss : float
    grads : dict
        Keyed like ``params`` (``Wx, Wh, b, Wy, by``).
    """
    yhat, cache = forward(params, x, cell, h0, c0)
    loss, dyhat = squared_error(yhat, y, step_weights)
    grads = backward(dyhat, cache)
    return loss, {name: grads[name] for name in PARAM_NAMES}
