"""Padding and masking: sequences of different lengths in one batch (Chapter 7).

:func:`pad_and_mask` stacks variable-length sequences; :func:`masked_lstm_forward` and
:func:`masked_lstm_backward` freeze the LSTM state on masked steps, and
:func:`masked_loss_and_grads` gives those steps no loss, so padding changes nothing.
"""
import numpy as np

from lstm_course._validation import (
    as_float_array,
    check_binary_mask,
    check_cache,
    check_positive_int,
    check_recurrent_params,
    check_scalar,
    check_sequence_inputs,
    check_upstream,
)
from lstm_course.models import recurrent
from lstm_course.nn import lstm, readout


def pad_and_mask(sequences, length=None, value=0.0):
    """Stack variable-length sequences into one array, padding at the end.

    Parameters
    ----------
    sequences : list of array_like, each (T_n,) or (T_n, D)
    length : int, optional
        Padded length L; the longest sequence's length if omitted.
    value : float
        Fill value of padded steps.

    Returns
    -------
    X : ndarray (N, L, D)
    mask : ndarray (N, L)
        1.0 on the first T_n steps of row n, 0.0 on padding.
    """
    if isinstance(sequences, (str, bytes, dict, np.ndarray)) or not isinstance(sequences, (list, tuple)):
        raise ValueError(f"sequences must be a list of arrays, got {type(sequences).__name__}")
    value = check_scalar("value", value)
    if len(sequences) == 0:
        raise ValueError("sequences is empty; expected at least one sequence")
    arrays = []
    for n, sequence in enumerate(sequences):
        array = as_float_array(f"sequences[{n}]", sequence)
        if array.ndim == 1:
            array = array[:, None]
        if array.ndim != 2:
            raise ValueError(f"sequences[{n}] must have shape (T_n,) or (T_n, D), got {array.shape}")
        arrays.append(array)
    D = arrays[0].shape[1]
    for n, array in enumerate(arrays):
        if array.shape[1] != D:
            raise ValueError(f"sequences[{n}] has {array.shape[1]} features, sequences[0] has {D}")
    longest = max(len(array) for array in arrays)
    L = longest if length is None else check_positive_int("length", length)
    if L < longest:
        raise ValueError(f"length={L} is shorter than the longest sequence ({longest} steps); "
                         "split long sequences first (split_subsequences) or raise length")
    X = np.full((len(arrays), L, D), value, dtype=np.result_type(*arrays))
    mask = np.zeros((len(arrays), L), X.dtype)
    for n, array in enumerate(arrays):
        X[n, :len(array)] = array
        mask[n, :len(array)] = 1.0
    return X, mask


def _check_mask(mask, N, T):
    return check_binary_mask("mask", mask, (N, T), "(N, T)")


def masked_lstm_forward(x, mask, h0, c0, Wx, Wh, b):
    """LSTM forward pass in which masked steps leave the state unchanged.

    (h_t, c_t) = LSTM step from (h_{t-1}, c_{t-1}) where m_t = 1, and
    (h_t, c_t) = (h_{t-1}, c_{t-1}) where m_t = 0, per sequence.

    Parameters
    ----------
    x : ndarray (N, T, D)
    mask : ndarray (N, T)
        1 on real steps, 0 on padding.
    h0, c0 : ndarray (N, H) or None
    Wx : ndarray (D, 4H)
    Wh : ndarray (H, 4H)
    b : ndarray (4H,)

    Returns
    -------
    h, c : ndarray (N, T, H)
    cache : dict
        :func:`lstm_course.nn.lstm.lstm_forward`'s cache (the same kernel runs, with
        ``keep = (mask == 1)``, shape (N, T)), so :func:`lstm_course.nn.lstm.step_cache`
        reads step t out of it: ``x``, the step's activations ``i, f, g, o, tanh_c``
        (N, T, H), the layer's (frozen) states ``h, c``, ``h0, c0``, ``Wx, Wh``, ``keep``.
    """
    Wx, Wh, b, D, H = check_recurrent_params(Wx, Wh, b, gate_blocks=4)
    x, (h0, c0) = check_sequence_inputs(x, {"h0": h0, "c0": c0}, D, H)
    N, T, _ = x.shape
    return lstm.sequence_forward(x, h0, c0, Wx, Wh, b, keep=_check_mask(mask, N, T) == 1.0)


def masked_lstm_backward(dh, cache):
    """Backward pass of :func:`masked_lstm_forward`.

    On a real step the incoming (dh, dc) go through the LSTM step; on a
    masked step they pass unchanged to (h_{t-1}, c_{t-1}), since there
    h_t = h_{t-1} and c_t = c_{t-1}.

    Parameters
    ----------
    dh : ndarray (N, T, H)
    cache : dict

    Returns
    -------
    dx : ndarray (N, T, D)
    dh0, dc0 : ndarray (N, H)
    dWx : ndarray (D, 4H)
    dWh : ndarray (H, 4H)
    db : ndarray (4H,)
    """
    check_cache("cache", cache, ("x", "i", "f", "g", "o", "tanh_c", "h", "c", "h0", "c0", "Wx", "Wh", "keep",
                                 "time_major"), "masked_lstm_forward", gate_blocks=4)
    if cache["keep"] is None:
        raise ValueError("cache is not a cache of masked_lstm_forward: it has no mask (an lstm_forward cache?)")
    dh = check_upstream("dh", dh, cache["h"].shape, "(N, T, H)")
    return lstm.sequence_backward(dh, cache)


def masked_loss_and_grads(params, x, y, mask, step_weights=None, h0=None, c0=None):
    """Loss and gradients of an LSTM + readout on padded sequences.

    The state is frozen on masked steps (:func:`masked_lstm_forward`) and the
    loss is L = sum_{n,t} m_{n,t} w_{n,t} 1/2 ||yhat_{n,t} - y_{n,t}||^2, so a
    padded batch gives the same loss and gradients as its unpadded sequences.

    Parameters
    ----------
    params : dict
        ``Wx, Wh, b, Wy, by`` of an LSTM model.
    x : ndarray (N, T, D)
    y : ndarray (N, T, O)
    mask : ndarray (N, T)
    step_weights : ndarray (N, T) or (T,), optional
    h0, c0 : ndarray (N, H), optional

    Returns
    -------
    loss : float
    grads : dict keyed like ``params``
    """
    recurrent.check_params(params, "lstm")
    h, _, cache = masked_lstm_forward(x, mask, h0, c0, params["Wx"], params["Wh"], params["b"])
    N, T, H = h.shape
    weights = _check_mask(mask, N, T)
    if step_weights is not None:
        step_weights = as_float_array("step_weights", step_weights)
        if step_weights.shape not in ((T,), (N, T)):
            raise ValueError(f"step_weights must have shape (T,) = ({T},) or (N, T) = {(N, T)}, "
                             f"got {step_weights.shape}")
        weights = weights * step_weights
    loss, dyhat = recurrent.squared_error(h @ params["Wy"] + params["by"], y, weights)
    grads, dh = readout.readout_backward(dyhat, h, params["Wy"])
    _, _, _, grads["Wx"], grads["Wh"], grads["b"] = masked_lstm_backward(dh, cache)
    return loss, grads
