"""R independent LSTM models trained at once, stacked along a leading axis.

Repeating an experiment 30 times with a Python loop costs 30 runs. Here the
R models' parameters are stacked, ``Wx (R, D, 4H)``, ``Wh (R, H, 4H)``,
``b (R, 4H)``, ``Wy (R, H, O)``, ``by (R, O)``, and every step is one batched
matrix product over all members::

    z[r] = x_t[r] Wx[r] + h_{t-1}[r] Wh[r] + b[r]        (R, N, 4H)

so the R models share the Python overhead of one. Member r computes exactly
what :mod:`lstm_course.models.recurrent` computes for ``params[name][r]``; masked steps
(``mask = 0``) freeze the state as in :func:`lstm_course.data.masking.masked_lstm_forward`.
Optimisers from :mod:`lstm_course.train.optim` act element-wise, so applying one to
the stacked arrays updates each member as its own optimiser would.
"""
import numpy as np

from lstm_course._progress import progress_bar
from lstm_course._validation import (
    as_float_array,
    check_array_dict,
    check_binary_mask,
    check_cache,
    check_callable,
    check_int,
    check_object,
    check_positive_int,
    check_scalar,
    check_sequence,
    check_shape,
)
from lstm_course.models import recurrent

PARAM_NAMES = recurrent.PARAM_NAMES


def init_ensemble(seeds, input_size, hidden_size, output_size, forget_bias=0.0):
    """Stack ``recurrent.init_params("lstm", ..., rng=seed)`` for every seed.

    Parameters
    ----------
    seeds : sequence of int
        One seed per member; R = len(seeds).
    input_size, hidden_size, output_size : int
    forget_bias : float

    Returns
    -------
    dict ``Wx (R, D, 4H), Wh (R, H, 4H), b (R, 4H), Wy (R, H, O), by (R, O)``.
    """
    seeds = check_sequence("seeds", seeds, lambda label, seed: check_int(label, seed, minimum=0))
    forget_bias = check_scalar("forget_bias", forget_bias)
    members = [recurrent.init_params("lstm", input_size, hidden_size, output_size, int(seed), forget_bias)
               for seed in seeds]
    return {name: np.stack([member[name] for member in members]) for name in PARAM_NAMES}


def member(params, r):
    """Copy of member r's parameters as a single-model dict (see :mod:`lstm_course.models.recurrent`)."""
    R = _check_ensemble(params)[0]
    r = check_int("r", r, minimum=0, maximum=R - 1)
    return {name: params[name][r].copy() for name in PARAM_NAMES}


def _check_ensemble(params):
    checked = check_array_dict("params", params, keys=PARAM_NAMES)
    R, D, width = as_float_array("Wx", checked["Wx"], ndim=3).shape
    if width % 4:
        raise ValueError(f"params['Wx'] must have shape (R, D, 4H); its {width} columns are not a multiple of 4")
    H = width // 4
    O = np.shape(checked["Wy"])[-1] if checked["Wy"].ndim else 0
    for name, shape, labels in (("Wx", (R, D, 4 * H), "(R, D, 4H)"), ("Wh", (R, H, 4 * H), "(R, H, 4H)"),
                                ("b", (R, 4 * H), "(R, 4H)"), ("Wy", (R, H, O), "(R, H, O)"),
                                ("by", (R, O), "(R, O)")):
        check_shape(name, checked[name], shape, labels)
    return R, D, H, O


def _check_batch(name, array, R, last):
    """Accept ``(N, T, last)`` shared by all members or ``(R, N, T, last)``; return 4-D."""
    array = as_float_array(name, array)
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or array.shape[0] not in (1, R) or (last is not None and array.shape[3] != last):
        raise ValueError(f"{name} must have shape (N, T, {last}) or (R, N, T, {last}) with R={R}, "
                         f"got {array.shape}")
    return array


def _check_weights(name, weights, R, N, T):
    weights = as_float_array(name, weights)
    if weights.shape not in ((N, T), (R, N, T)):
        raise ValueError(f"{name} must have shape (N, T) = ({N}, {T}) or (R, N, T) = ({R}, {N}, {T}), "
                         f"got {weights.shape}")
    return np.broadcast_to(weights, (R, N, T))


def _gate_constants(H, dtype):
    """Per-column constants that turn one tanh into the four gate activations.

    sigmoid(z) = (1 + tanh(z / 2)) / 2, so a = tanh(z * scale) * scale + shift gives
    sigmoid on the i, f, o blocks (scale 1/2, shift 1/2) and tanh on g (scale 1,
    shift 0): one transcendental call per step instead of four. The derivative
    of either activation from its output is a * is_sigmoid + is_tanh - a^2
    (a (1 - a) for sigmoid, 1 - a^2 for tanh).
    """
    scale = np.full(4 * H, 0.5, dtype=dtype)
    scale[2 * H:3 * H] = 1.0
    is_sigmoid = (scale == 0.5).astype(dtype)
    return scale, 1.0 - scale, is_sigmoid, 1.0 - is_sigmoid


def ensemble_forward(params, x, mask=None):
    """Run all R members over their inputs from zero states.

    Parameters
    ----------
    params : dict of stacked parameters
    x : ndarray (N, T, D) shared by every member, or (R, N, T, D)
    mask : ndarray (N, T) or (R, N, T), optional
        0 freezes the state at that step.

    Returns
    -------
    yhat : ndarray (R, N, T, O)
    cache : dict
    """
    R, D, H, _ = _check_ensemble(params)
    x = _check_batch("x", x, R, D)
    N, T = x.shape[1:3]
    if mask is not None:
        check_binary_mask("mask", mask, np.shape(mask), "(N, T) or (R, N, T)")
    keep = None if mask is None else _check_weights("mask", mask, R, N, T)[..., None] == 1.0
    Wh = params["Wh"]
    dtype = np.result_type(x, *(params[name] for name in PARAM_NAMES))  # float32 stays float32
    scale, shift, is_sigmoid, is_tanh = _gate_constants(H, dtype)
    # The input projection of every step in one batched product, stored time-major.
    xz = (x.reshape(x.shape[0], N * T, D) @ params["Wx"] + params["b"][:, None]).reshape(R, N, T, 4 * H)
    xz = np.ascontiguousarray(xz.transpose(2, 0, 1, 3))
    gates, slopes = np.empty((T, R, N, 4 * H), dtype=dtype), np.empty((T, R, N, 4 * H), dtype=dtype)
    c_all, tanh_c_all = np.empty((T, R, N, H), dtype=dtype), np.empty((T, R, N, H), dtype=dtype)
    h_all = np.empty((R, T + 1, N, H), dtype=dtype)  # h_all[:, t] is the state before step t
    h_all[:, 0] = 0.0
    h = c = np.zeros((R, N, H), dtype=dtype)
    for t in range(T):
        a = np.tanh((xz[t] + h @ Wh) * scale, out=gates[t])
        a *= scale
        a += shift
        np.subtract(a * is_sigmoid + is_tanh, a * a, out=slopes[t])
        c_new = a[..., H:2 * H] * c + a[..., :H] * a[..., 2 * H:3 * H]
        tanh_c = np.tanh(c_new, out=tanh_c_all[t])
        h_new = a[..., 3 * H:] * tanh_c
        if keep is not None:
            h_new, c_new = np.where(keep[:, :, t], h_new, h), np.where(keep[:, :, t], c_new, c)
        # Keep h contiguous for the next product; h_all[:, t + 1] is a strided view.
        h_all[:, t + 1] = h = h_new
        c = c_all[t] = c_new
    hidden = h_all[:, 1:].transpose(0, 2, 1, 3)
    yhat = hidden @ params["Wy"][:, None] + params["by"][:, None, None, :]
    return yhat, {"x": x, "keep": keep, "h": h_all, "c": c_all, "tanh_c": tanh_c_all,
                  "gates": gates, "slopes": slopes, "Wh": Wh, "Wy": params["Wy"]}


def ensemble_backward(dyhat, cache):
    """Gradients of every member's loss for :func:`ensemble_forward`.

    The equations of :func:`lstm_course.nn.lstm.lstm_backward`, batched over
    members: with dc_total = dc + dh o (1 - tanh(c)^2), the pre-activation
    gradient is dz = [dc_total g, dc_total c_prev, dc_total i, dh tanh(c)]
    times the gate slopes [i(1-i), f(1-f), 1-g^2, o(1-o)]. On masked steps
    (dh, dc) pass straight to the previous step.

    Parameters
    ----------
    dyhat : ndarray (R, N, T, O)

    Returns
    -------
    dict of gradients shaped like the stacked parameters.
    """
    check_cache("cache", cache, ("x", "keep", "h", "c", "tanh_c", "gates", "slopes", "Wh", "Wy"), "ensemble_forward")
    h_all, keep, gates, tanh_c, c_all = (cache[key] for key in ("h", "keep", "gates", "tanh_c", "c"))
    R, T1, N, H = h_all.shape
    T = T1 - 1
    dyhat = as_float_array("dyhat", dyhat, ndim=4)
    check_shape("dyhat", dyhat, (R, N, T, cache["Wy"].shape[2]), "(R, N, T, O)")
    dyhat_tm = np.ascontiguousarray(dyhat.transpose(0, 2, 1, 3)).reshape(R, T * N, -1)
    # The readout, member by member: recurrent.readout_backward over the T * N rows.
    h_rows = h_all[:, 1:].reshape(R, T * N, H)
    readout = [recurrent.readout_backward(dyhat_tm[r], h_rows[r], cache["Wy"][r]) for r in range(R)]
    grads = {name: np.stack([member[name] for member, _ in readout]) for name in ("Wy", "by")}
    dh_out = np.stack([dh for _, dh in readout]).reshape(R, T, N, H)
    Wh_T = cache["Wh"].transpose(0, 2, 1)
    dtype = np.result_type(gates, dyhat)
    dz = np.empty((R, T, N, 4 * H), dtype=dtype)
    dgates = np.empty((R, N, 4 * H), dtype=dtype)
    dh_next = dc_next = zeros = np.zeros((R, N, H), dtype=dtype)
    for t in reversed(range(T)):
        dh, dc = dh_out[:, t] + dh_next, dc_next
        if keep is not None:
            passed_h, passed_c = np.where(keep[:, :, t], 0.0, dh), np.where(keep[:, :, t], 0.0, dc)
            dh, dc = np.where(keep[:, :, t], dh, 0.0), np.where(keep[:, :, t], dc, 0.0)
        a = gates[t]
        dc_total = dc + dh * a[..., 3 * H:] * (1.0 - tanh_c[t] ** 2)
        np.multiply(dc_total, a[..., 2 * H:3 * H], out=dgates[..., :H])
        np.multiply(dc_total, c_all[t - 1] if t > 0 else zeros, out=dgates[..., H:2 * H])
        np.multiply(dc_total, a[..., :H], out=dgates[..., 2 * H:3 * H])
        np.multiply(dh, tanh_c[t], out=dgates[..., 3 * H:])
        dz_t = np.multiply(dgates, cache["slopes"][t], out=dz[:, t])
        dh_next, dc_next = dz_t @ Wh_T, dc_total * a[..., H:2 * H]
        if keep is not None:
            dh_next, dc_next = dh_next + passed_h, dc_next + passed_c
    # Weight gradients: one batched product over all (t, n) pairs per member.
    dz_flat = dz.reshape(R, T * N, 4 * H)
    x = cache["x"]
    x_flat = np.ascontiguousarray(x.transpose(0, 2, 1, 3)).reshape(x.shape[0], T * N, -1)
    grads["Wx"] = x_flat.transpose(0, 2, 1) @ dz_flat
    grads["Wh"] = h_all[:, :-1].reshape(R, T * N, H).transpose(0, 2, 1) @ dz_flat
    grads["b"] = dz_flat.sum(axis=1)
    return grads


def ensemble_loss_and_grads(params, x, y, step_weights=None, mask=None):
    """Every member's loss and gradients.

    L_r = sum_{n,t} m_{n,t} w_{n,t} 1/2 ||yhat_{r,n,t} - y_{n,t}||^2 (summed over the batch, as
    :func:`lstm_course.models.recurrent.squared_error`).

    Parameters
    ----------
    x : ndarray (N, T, D) or (R, N, T, D)
    y : ndarray (N, T, O) or (R, N, T, O)
    step_weights, mask : ndarray (N, T) or (R, N, T), optional

    Returns
    -------
    losses : ndarray (R,)
    grads : dict of stacked gradients
    """
    yhat, cache = ensemble_forward(params, x, mask)
    R, N, T, O = yhat.shape
    y = _check_batch("y", y, R, O)
    if y.shape[1:3] != (N, T):
        raise ValueError(f"y must have N = {N} sequences and T = {T} steps like x, got shape {y.shape}")
    dtype = np.result_type(yhat, y)  # float32 model and data stay float32
    weights = (np.ones((R, N, T), dtype=dtype) if step_weights is None
               else _check_weights("step_weights", step_weights, R, N, T).astype(dtype, copy=False))
    if mask is not None:
        weights = weights * _check_weights("mask", mask, R, N, T).astype(dtype, copy=False)
    residual = weights[..., None] * (yhat - y)
    losses = 0.5 * np.sum(residual * (yhat - y), axis=(1, 2, 3))
    return losses, ensemble_backward(residual, cache)


def fit_ensemble(params, make_batch, optimizer, n_updates, progress=False):
    """Train all members in place, one update each per batch.

    Parameters
    ----------
    params : dict of stacked parameters
    make_batch : callable
        ``make_batch(update)`` returns ``(x, y, step_weights, mask)`` with the
        shapes of :func:`ensemble_loss_and_grads` (``mask`` may be None).
    optimizer : object with ``step(params, grads)``
        Element-wise optimisers (SGD, Adam) treat the members independently.
    n_updates : int
    progress : bool

    Returns
    -------
    ndarray (n_updates, R)
        Each member's loss per unit of step weight, before each update.
    """
    _check_ensemble(params)
    check_callable("make_batch", make_batch)
    check_object("optimizer", optimizer, ("step",), "an optimiser such as optim.Adam")
    updates = range(check_positive_int("n_updates", n_updates))
    updates = progress_bar(updates, progress, desc="ensemble updates")
    history = []
    for update in updates:
        x, y, step_weights, mask = make_batch(update)
        losses, grads = ensemble_loss_and_grads(params, x, y, step_weights, mask)
        optimizer.step(params, grads)
        total = np.ones(np.shape(x)[-3:-1]) if step_weights is None else np.asarray(step_weights)
        if mask is not None:
            total = total * mask
        history.append(losses / np.maximum(np.reshape(total, (-1,) + total.shape[-2:]).sum(axis=(1, 2)), 1.0))
    return np.array(history)
