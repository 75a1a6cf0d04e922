"""R independent LSTM models trained at once, stacked along a leading axis.

Repeating an experiment 30 times with a Python loop costs 30 runs. Here the
R models' parameters are stacked, ``Wx (R, D, 4H)``, ``Wh (R, H, 4H)``,
``b (R, 4H)``, ``Wy (R, H, O)``, ``by (R, O)``, and every step is one batched
matrix product over all members::

    z[r] = x_t[r] Wx[r] + h_{t-1}[r] Wh[r] + b[r]        (R, N, 4H)

so the R models share the Python overhead of one. Member r computes exactly
what :mod:`lstm_course.models.recurrent` computes for ``params[name][r]``, with the same
kernels (``lstm.sequence_forward`` with a leading member axis); masked steps
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
from lstm_course.nn import lstm
from lstm_course.nn import readout as readout_layer

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
        check_shape(name, checked[name], shape, labels, "R, H from Wx, O from Wy")
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
        raise ValueError(f"{name} must have shape (N, T) = ({N}, {T}) or (R, N, T) = ({R}, {N}, {T}) "
                         f"(N, T from x), got {weights.shape}")
    return np.broadcast_to(weights, (R, N, T))


def ensemble_forward(params, x, mask=None):
    """Run all R members over their inputs from zero states.

    The LSTM kernels of :mod:`lstm_course.nn.lstm` with a leading member axis: every step is one
    batched matrix product over the members (``h_{t-1}[r] Wh[r]``), the input projection of all
    steps one batched product before the loop.

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
    keep = None if mask is None else _check_weights("mask", mask, R, N, T) == 1.0
    dtype = np.result_type(x, *(params[name] for name in PARAM_NAMES))  # float32 stays float32
    zeros = np.zeros((R, N, H), dtype=dtype)
    h, _, layer = lstm.sequence_forward(x, zeros, zeros, params["Wx"], params["Wh"], params["b"], keep)
    yhat = h @ params["Wy"][:, None] + params["by"][:, None, None, :]
    return yhat, {"layer": layer, "Wy": params["Wy"]}


def ensemble_backward(dyhat, cache):
    """Gradients of every member's loss for :func:`ensemble_forward`.

    The readout member by member, then ``lstm.sequence_backward`` batched over
    the members (the equations of :func:`lstm_course.nn.lstm.lstm_backward`; on masked steps
    (dh, dc) pass straight to the previous step).

    Parameters
    ----------
    dyhat : ndarray (R, N, T, O)

    Returns
    -------
    dict of gradients shaped like the stacked parameters.
    """
    check_cache("cache", cache, ("layer", "Wy"), "ensemble_forward")
    h, Wy = cache["layer"]["h"], cache["Wy"]
    dyhat = as_float_array("dyhat", dyhat, ndim=4)
    check_shape("dyhat", dyhat, h.shape[:3] + (Wy.shape[2],), "(R, N, T, O)")
    readout = [readout_layer.readout_backward(dyhat[r], h[r], Wy[r]) for r in range(h.shape[0])]
    grads = {name: np.stack([member[name] for member, _ in readout]) for name in ("Wy", "by")}
    dh = np.stack([dh_r for _, dh_r in readout])
    _, _, _, grads["Wx"], grads["Wh"], grads["b"] = lstm.sequence_backward(dh, cache["layer"])
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
