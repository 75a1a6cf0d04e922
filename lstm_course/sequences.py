"""Preparing long sequences for truncated BPTT: the six techniques of Chapter 7.

How a long series is cut into ``[samples, timesteps, features]`` decides how many
steps each forward and backward pass sees. This module turns each technique into
a function:

1. :func:`as_samples`: use the data as-is, ``(n_seq, T[, D]) -> (n_seq, T, D)``;
2. :func:`split_subsequences`: the naive split into consecutive chunks, and
   :func:`stateful_batches` / :func:`stateful_sample_order` / :func:`fit_stateful`
   to carry state across the chunks with Keras ``stateful=True`` semantics;
3. :func:`autocorrelation`, :func:`partial_autocorrelation`,
   :func:`suggest_window_length` and :func:`sentence_samples`: domain-specific
   splits (time series lags, sentences);
4. :func:`grid_search_timesteps`: a systematic search over subsequence lengths,
   every configuration repeated by one vectorised ensemble
   (:mod:`lstm_course.ensemble`);
5. one-step samples ``[N T, 1, D]``: :func:`fit_stateful` with ``timesteps=1``;
6. decoupled forward/backward lengths: the TBPTT(k1, k2) engine,
   :mod:`lstm_course.tbptt`.

Variable-length data is padded by :func:`pad_and_mask`; :func:`masked_lstm_forward`
and :func:`masked_lstm_backward` freeze the state on masked steps, and
:func:`masked_loss_and_grads` gives them no loss, so padding changes nothing.
"""
from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from . import ensemble, lstm, models
from ._progress import progress_bar
from ._validation import (as_float_array, check_positive_int, check_recurrent_params,
                          check_sequence_inputs, check_shape, check_upstream)
from .optim import Adam

# --------------------------------------------------------------------------- 1, 2


def as_samples(series, timesteps=None):
    """Technique 1: use each sequence as one sample, ``[samples, timesteps, features]``.

    Parameters
    ----------
    series : array_like (n_seq, T) or (n_seq, T, D)
        A 2-D array holds univariate sequences and gains a feature axis of size 1.
    timesteps : int, optional
        If given, it must equal T: this technique never cuts a sequence.

    Returns
    -------
    ndarray (n_seq, T, D)
    """
    series = as_float_array("series", series)
    if series.ndim == 2:
        series = series[:, :, None]
    if series.ndim != 3:
        raise ValueError(f"series must have shape (n_seq, T) or (n_seq, T, D), got {series.shape}")
    T = series.shape[1]
    if timesteps is not None and check_positive_int("timesteps", timesteps) != T:
        raise ValueError(f"timesteps={timesteps} differs from the sequence length T={T}; using the data "
                         "as-is keeps every sequence whole, use split_subsequences to cut it")
    return series


def _check_sequences(name, X):
    X = as_float_array(name, X)
    if X.ndim != 3:
        raise ValueError(f"{name} must have shape (N, T, D), got {X.shape}")
    return X


def split_subsequences(X, length, pad=False):
    """Technique 2: cut every sequence into consecutive chunks of ``length`` steps.

    Sample ``n * C + j`` is chunk j of sequence n (C = number of chunks per
    sequence): each sequence's chunks are consecutive and in order. This is
    the *sequence-major* order; see :func:`stateful_sample_order` for the
    order a stateful layer needs.

    Parameters
    ----------
    X : array_like (N, T, D) or (N, T)
        A 2-D array (e.g. step weights or a mask) is split along its second axis too.
    length : int
        Steps per chunk.
    pad : bool
        If T is not a multiple of ``length``, pad the last chunk of each
        sequence at the end with zeros and also return a mask.

    Returns
    -------
    chunks : ndarray (N * C, length, D) (or (N * C, length) for 2-D input)
    mask : ndarray (N * C, length), only when ``pad=True``
        1.0 on real steps, 0.0 on padding.
    """
    length = check_positive_int("length", length)
    X = as_float_array("X", X)
    if X.ndim not in (2, 3):
        raise ValueError(f"X must have shape (N, T, D) or (N, T), got {X.shape}")
    N, T = X.shape[:2]
    remainder = T % length
    if remainder and not pad:
        raise ValueError(f"length={length} does not divide T={T} (remainder {remainder}); choose a factor "
                         f"of T, or pass pad=True to zero-pad the last chunk to {length} steps and get "
                         "a mask that marks the padding")
    C = -(-T // length)
    padded = np.zeros((N, C * length) + X.shape[2:], dtype=X.dtype)
    padded[:, :T] = X
    chunks = padded.reshape((N * C, length) + X.shape[2:])
    if not pad:
        return chunks
    mask = np.zeros((N, C * length))
    mask[:, :T] = 1.0
    return chunks, mask.reshape(N * C, length)


def _check_stateful_sizes(N, T, timesteps, batch_size):
    timesteps = check_positive_int("timesteps", timesteps)
    batch_size = check_positive_int("batch_size", batch_size)
    if T % timesteps:
        raise ValueError(f"timesteps={timesteps} must divide the sequence length T={T} so that every "
                         "slot advances in step; pad the sequences (pad_and_mask) or pick a factor of T")
    if N % batch_size:
        raise ValueError(f"the number of sequences ({N}) is not a multiple of batch_size={batch_size}: a "
                         "stateful layer has a fixed batch size, one slot per sequence. Options: use a "
                         f"batch_size that divides {N} (e.g. 1 or {N}), drop {N % batch_size} sequences, "
                         "or add all-padding sequences with a zero mask")
    return timesteps, batch_size


def stateful_sample_index(n_sequences, n_chunks, batch_size):
    """Which (sequence, chunk) sits at each position of the stateful sample order.

    Sequences are taken in groups of ``batch_size``; within a group, batch b
    holds chunk b of every sequence, sequence ``g * batch_size + i`` in slot i.
    So slot i of batch b+1 continues slot i of batch b, and the state must be
    reset every ``n_chunks`` batches, when a new group starts.

    Returns
    -------
    sequence, chunk : ndarray (n_sequences * n_chunks,) of int
    """
    N = check_positive_int("n_sequences", n_sequences)
    C = check_positive_int("n_chunks", n_chunks)
    _check_stateful_sizes(N, C, 1, batch_size)
    B = batch_size
    group, chunk, slot = np.meshgrid(np.arange(N // B), np.arange(C), np.arange(B), indexing="ij")
    return (group * B + slot).ravel(), chunk.ravel()


def stateful_sample_order(X, timesteps, batch_size):
    """The flat sample array to pass to a stateful ``fit(..., shuffle=False, batch_size=B)``.

    Parameters
    ----------
    X : array_like (N, T, D) or (N, T)
    timesteps : int
        Must divide T.
    batch_size : int
        B, must divide N.

    Returns
    -------
    ndarray (N * T / timesteps, timesteps, D) (or without D for 2-D input)
        Samples in the order of :func:`stateful_sample_index`: consecutive
        blocks of B samples are the batches, and the state must be reset
        every T / timesteps batches (every B T / timesteps samples), when the
        next group of B sequences starts.
    """
    X = as_float_array("X", X)
    if X.ndim not in (2, 3):
        raise ValueError(f"X must have shape (N, T, D) or (N, T), got {X.shape}")
    N, T = X.shape[:2]
    timesteps, batch_size = _check_stateful_sizes(N, T, timesteps, batch_size)
    C = T // timesteps
    sequence, chunk = stateful_sample_index(N, C, batch_size)
    return split_subsequences(X, timesteps)[sequence * C + chunk]


def stateful_batches(X, Y, timesteps, batch_size):
    """Yield ``(xb, yb, reset)`` with Keras ``stateful=True`` semantics.

    The state left in slot i after a batch is the initial state of slot i in
    the next batch, so slot i of batch b+1 continues the same sequence as slot
    i of batch b. ``reset`` is True when the slots start new sequences and the
    state must be zeroed first.

    Parameters
    ----------
    X : array_like (N, T, D) or (N, T)
    Y : array_like (N, T, O) or (N, T)
        Targets (or step weights) aligned with X.
    timesteps : int
        Must divide T.
    batch_size : int
        Must divide N (a stateful layer has one slot per sequence and a fixed batch size).

    Yields
    ------
    xb : ndarray (batch_size, timesteps, D)
    yb : ndarray (batch_size, timesteps, O)
    reset : bool
    """
    X = as_float_array("X", X)
    Y = as_float_array("Y", Y)
    if X.shape[:2] != Y.shape[:2]:
        raise ValueError(f"X and Y must share (N, T), got {X.shape[:2]} and {Y.shape[:2]}")
    xs = stateful_sample_order(X, timesteps, batch_size)
    ys = stateful_sample_order(Y, timesteps, batch_size)
    n_chunks = X.shape[1] // timesteps
    for batch, start in enumerate(range(0, len(xs), batch_size)):
        yield xs[start:start + batch_size], ys[start:start + batch_size], batch % n_chunks == 0


def stateful_forward(params, samples, batch_size, reset_every, cell="lstm"):
    """Run a flat sample array through a stateful layer, as Keras ``predict`` would.

    Consecutive blocks of ``batch_size`` samples form the batches; slot i's
    final state becomes slot i's initial state in the next batch, and all
    states are zeroed every ``reset_every`` batches.

    Parameters
    ----------
    params : dict
        ``Wx, Wh, b, Wy, by``.
    samples : ndarray (S, timesteps, D)
        S must be a multiple of ``batch_size``.
    batch_size : int
    reset_every : int
        Batches between state resets.
    cell : {"rnn", "lstm"}

    Returns
    -------
    h : ndarray (S, timesteps, H)
        The hidden state at every step of every sample.
    """
    samples = _check_sequences("samples", samples)
    batch_size = check_positive_int("batch_size", batch_size)
    reset_every = check_positive_int("reset_every", reset_every)
    if len(samples) % batch_size:
        raise ValueError(f"samples holds {len(samples)} samples, not a multiple of batch_size={batch_size}")
    hidden = []
    h = c = None
    for batch, start in enumerate(range(0, len(samples), batch_size)):
        if batch % reset_every == 0:
            h = c = None
        _, cache = models.forward(params, samples[start:start + batch_size], cell, h,
                                  c if cell == "lstm" else None)
        hidden.append(cache["h"])
        h = cache["h"][:, -1]
        c = cache["layer"]["c"][:, -1] if cell == "lstm" else None
    return np.concatenate(hidden)


def fit_stateful(params, X, Y, step_weights, timesteps, batch_size, optimizer, n_epochs,
                 cell="lstm", progress=False):
    """Train with TBPTT(k, k) the Keras way: stateful batches of ``timesteps`` steps.

    Each batch from :func:`stateful_batches` gets one update from BPTT over
    its ``timesteps`` steps, started from the state that the previous batch
    left in each slot (a constant: no gradient flows into earlier batches).
    ``timesteps=1`` is technique 5, one-step samples, TBPTT(1, 1).

    Parameters
    ----------
    params : dict
        Updated in place.
    X : ndarray (N, T, D)
    Y : ndarray (N, T, O)
    step_weights : ndarray (N, T)
    timesteps, batch_size : int
    optimizer : object with ``step(params, grads)``
    n_epochs : int
        Passes over the data, in the same order each time.
    cell : {"rnn", "lstm"}
    progress : bool

    Returns
    -------
    ndarray (n_epochs,)
        Each epoch's loss per unit of step weight.
    """
    X = _check_sequences("X", X)
    weights = as_float_array("step_weights", step_weights, ndim=2)
    check_shape("step_weights", weights, X.shape[:2], "(N, T)")
    epochs = range(check_positive_int("n_epochs", n_epochs))
    epochs = progress_bar(epochs, progress, desc=f"stateful TBPTT({timesteps}, {timesteps})")
    losses = np.empty(len(epochs))
    # The step weights ride along as an extra target channel, so one call orders both.
    targets = np.concatenate([as_float_array("Y", Y, ndim=3), weights[..., None]], axis=2)
    for epoch in epochs:
        total = 0.0
        h = c = None
        for xb, yb, reset in stateful_batches(X, targets, timesteps, batch_size):
            if reset:
                h = c = None
            yhat, cache = models.forward(params, xb, cell, h, c)
            loss, dyhat = models.squared_error(yhat, yb[..., :-1], yb[..., -1])
            grads = models.backward(dyhat, cache)
            optimizer.step(params, {name: grads[name] for name in models.PARAM_NAMES})
            total += loss
            h = cache["h"][:, -1]
            c = cache["layer"]["c"][:, -1] if cell == "lstm" else None
        losses[epoch] = total / max(float(weights.sum()), 1.0)
    return losses

def r_squared(params, data, cell="lstm"):
    """Coefficient of determination of a model run over whole sequences, counting weighted steps only.

    R^2 = 1 - sum w (yhat - y)^2 / sum w (y - ybar)^2, with ybar the weighted
    mean target: 1 is perfect, 0 is no better than predicting ybar.

    Parameters
    ----------
    params : dict
    data : :class:`lstm_course.tasks.TaskData`
    cell : {"rnn", "lstm"}
    """
    yhat = models.forward(params, data.x, cell)[0]
    weights = as_float_array("step_weights", data.step_weights, ndim=2)[..., None]
    mean = np.sum(weights * data.y) / np.sum(weights)
    return float(1.0 - np.sum(weights * (yhat - data.y) ** 2) / np.sum(weights * (data.y - mean) ** 2))


# --------------------------------------------------------------------------- masking


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
    mask = np.zeros((len(arrays), L))
    for n, array in enumerate(arrays):
        X[n, :len(array)] = array
        mask[n, :len(array)] = 1.0
    return X, mask


def _check_mask(mask, N, T):
    mask = as_float_array("mask", mask, ndim=2)
    check_shape("mask", mask, (N, T), "(N, T)")
    if not np.all((mask == 0.0) | (mask == 1.0)):
        raise ValueError("mask must hold only 0 (padding) and 1 (real step)")
    return mask


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
        ``mask``, ``h0``, ``c0`` and the per-step caches of :func:`lstm_course.lstm.lstm_step_forward`.
    """
    Wx, Wh, b, D, H = check_recurrent_params(Wx, Wh, b, gate_blocks=4)
    x, (h0, c0) = check_sequence_inputs(x, {"h0": h0, "c0": c0}, D, H)
    N, T, _ = x.shape
    keep = _check_mask(mask, N, T)[..., None] == 1.0
    dtype = np.result_type(x, h0, c0, Wx, Wh, b)
    h, c = np.empty((N, T, H), dtype=dtype), np.empty((N, T, H), dtype=dtype)
    h_prev, c_prev, steps = h0, c0, []
    for t in range(T):
        h_new, c_new, step = lstm._step_forward(x[:, t], h_prev, c_prev, Wx, Wh, b)
        h_prev = h[:, t] = np.where(keep[:, t], h_new, h_prev)
        c_prev = c[:, t] = np.where(keep[:, t], c_new, c_prev)
        steps.append(step)
    return h, c, {"keep": keep, "h0": h0, "c0": c0, "h": h, "steps": steps}


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
    dh = check_upstream("dh", dh, cache["h"].shape, "(N, T, H)")
    keep, steps = cache["keep"], cache["steps"]
    N, T, H = dh.shape
    Wx, Wh = steps[0]["Wx"], steps[0]["Wh"]
    dx = np.zeros((N, T, Wx.shape[0]), dtype=np.result_type(Wx, dh))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H, dtype=Wh.dtype)
    dh_next, dc_next = np.zeros((N, H), dtype=dh.dtype), np.zeros((N, H), dtype=dh.dtype)
    for t in reversed(range(T)):
        dh_total = dh[:, t] + dh_next
        dx[:, t], dh_prev, dc_prev, dWx_t, dWh_t, db_t = lstm._step_backward(
            np.where(keep[:, t], dh_total, 0.0), np.where(keep[:, t], dc_next, 0.0), steps[t])
        dh_next = dh_prev + np.where(keep[:, t], 0.0, dh_total)
        dc_next = dc_prev + np.where(keep[:, t], 0.0, dc_next)
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dh_next, dc_next, dWx, dWh, db


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
    models.check_params(params, "lstm")
    h, _, cache = masked_lstm_forward(x, mask, h0, c0, params["Wx"], params["Wh"], params["b"])
    N, T, H = h.shape
    weights = _check_mask(mask, N, T)
    if step_weights is not None:
        weights = weights * np.broadcast_to(as_float_array("step_weights", step_weights), (N, T))
    loss, dyhat = models.squared_error(h @ params["Wy"] + params["by"], y, weights)
    grads = {"Wy": h.reshape(N * T, H).T @ dyhat.reshape(N * T, -1), "by": dyhat.sum(axis=(0, 1))}
    _, _, _, grads["Wx"], grads["Wh"], grads["b"] = masked_lstm_backward(dyhat @ params["Wy"].T, cache)
    return loss, grads

# --------------------------------------------------------------------------- 3


def autocorrelation(series, max_lag):
    """Sample autocorrelation r_0..r_max_lag of a 1-D series.

    r_k = sum_{t=0}^{n-1-k} (x_t - m)(x_{t+k} - m) / sum_t (x_t - m)^2, the usual
    biased estimator (it keeps the sequence positive semi-definite).

    Parameters
    ----------
    series : array_like (n,)
    max_lag : int
        Largest lag, < n.

    Returns
    -------
    ndarray (max_lag + 1,), with r_0 = 1.
    """
    x = as_float_array("series", series, ndim=1)
    max_lag = check_positive_int("max_lag", max_lag)
    if max_lag >= len(x):
        raise ValueError(f"max_lag must be smaller than the series length {len(x)}, got {max_lag}")
    centred = x - x.mean()
    denominator = centred @ centred
    if denominator == 0:
        raise ValueError("series is constant; its autocorrelation is undefined")
    return np.array([centred[:len(x) - k] @ centred[k:] for k in range(max_lag + 1)]) / denominator


def durbin_levinson(acf):
    """Partial autocorrelations from autocorrelations by the Durbin-Levinson recursion.

    phi_{k,k} = (r_k - sum_{j<k} phi_{k-1,j} r_{k-j}) / (1 - sum_{j<k} phi_{k-1,j} r_j),
    phi_{k,j} = phi_{k-1,j} - phi_{k,k} phi_{k-1,k-j}.

    Parameters
    ----------
    acf : array_like (K + 1,)
        r_0 = 1, r_1, ..., r_K.

    Returns
    -------
    ndarray (K + 1,)
        1, phi_{1,1}, ..., phi_{K,K}.
    """
    r = as_float_array("acf", acf, ndim=1)
    pacf = np.ones(len(r))
    phi = np.zeros(0)
    for k in range(1, len(r)):
        reflection = (r[k] - phi @ r[k - 1:0:-1]) / (1.0 - phi @ r[1:k])
        phi = np.append(phi - reflection * phi[::-1], reflection)
        pacf[k] = reflection
    return pacf


def partial_autocorrelation(series, max_lag):
    """Sample partial autocorrelation of a 1-D series (Durbin-Levinson on :func:`autocorrelation`).

    Returns
    -------
    ndarray (max_lag + 1,), with the lag-0 entry 1.
    """
    return durbin_levinson(autocorrelation(series, max_lag))


def significance_bound(n, z=1.96):
    """z / sqrt(n): the approximate 95% band of a sample (P)ACF of white noise of length n."""
    return z / np.sqrt(check_positive_int("n", n))


def suggest_window_length(series, max_lag, z=1.96):
    """Suggest the number of input time steps from the significant partial autocorrelations.

    The window is the largest lag k <= max_lag with abs(PACF_k) > z / sqrt(n):
    a model that sees the last k inputs sees every lag that still carries
    information the shorter lags do not.

    Returns
    -------
    window : int
        1 when no lag is significant.
    significant : ndarray of int
        All significant lags.
    """
    pacf = partial_autocorrelation(series, max_lag)
    significant = np.flatnonzero(np.abs(pacf[1:]) > significance_bound(len(series), z)) + 1
    return (int(significant.max()) if len(significant) else 1), significant


EXAMPLE_PARAGRAPH = (
    "The river rose slowly during the night. By morning the lower fields were under water, "
    "and the farmers moved their animals to the ridge. Nobody spoke much. A heron stood in "
    "the flooded orchard as if it had always lived there. When the rain stopped at noon, the "
    "children ran down to the new shore to throw stones."
)


def split_sentences(text):
    """Split text after '.', '!' or '?' followed by white space; returns non-empty sentences."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string")
    return [sentence.strip() for sentence in re.split(r"(?<=[.!?])\s+", text.strip()) if sentence.strip()]


class SentenceSamples(NamedTuple):
    """Padded token ids of one sentence per row."""

    ids: np.ndarray
    mask: np.ndarray
    vocabulary: list
    sentences: list


def sentence_samples(text=EXAMPLE_PARAGRAPH, level="word", length=None):
    """Technique 3 for text: one sample per sentence, token ids padded to a common length.

    Tokens are lower-cased words (punctuation dropped) or characters. Id 0 is
    reserved for padding, so real tokens get ids 1..V in order of first use.

    Parameters
    ----------
    text : str
    level : {"word", "char"}
    length : int, optional
        Padded length; the longest sentence's if omitted.

    Returns
    -------
    SentenceSamples
        ``ids (n_sentences, L)`` (float, as :func:`pad_and_mask` returns),
        ``mask (n_sentences, L)``, ``vocabulary`` (token of id k at index k - 1)
        and the sentences.
    """
    if level not in ("word", "char"):
        raise ValueError(f"level must be 'word' or 'char', got {level!r}")
    sentences = split_sentences(text)
    tokenised = [re.findall(r"[a-z']+", s.lower()) if level == "word" else list(s) for s in sentences]
    vocabulary = list(dict.fromkeys(token for tokens in tokenised for token in tokens))
    index = {token: k + 1 for k, token in enumerate(vocabulary)}
    X, mask = pad_and_mask([[index[token] for token in tokens] for tokens in tokenised], length)
    return SentenceSamples(X[..., 0], mask, vocabulary, sentences)

# --------------------------------------------------------------------------- 4


class GridSearchResult(NamedTuple):
    """Test errors of a grid search: ``scores[l, r]`` for length ``lengths[l]`` and repeat r."""

    lengths: np.ndarray
    scores: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def grid_search_timesteps(make_task, lengths, repeats=30, hidden_size=16, n_epochs=20, batch_size=16,
                          learning_rate=1e-2, forget_bias=1.0, seed=0, progress=False):
    """Technique 4: train on subsequences of each length, ``repeats`` times, and score on whole sequences.

    For each length, the training sequences are cut by :func:`split_subsequences`
    (padded and masked when the length does not divide T) and used as
    independent samples, each starting from a zero state (Keras's default,
    stateless layer), for ``n_epochs`` shuffled passes: every length sees the
    same data and the same number of epochs, so shorter lengths make more,
    smaller updates. The ``repeats`` models differ in initial weights and
    shuffling and are trained together as one :mod:`lstm_course.ensemble`.
    Each model is then run over the whole test sequences, and its score is
    the mean squared error per target.

    Parameters
    ----------
    make_task : callable
        ``make_task(rng)`` returns a :class:`lstm_course.tasks.TaskData`; it is
        called with ``seed`` for training data and ``seed + 1`` for test data.
    lengths : sequence of int
        Subsequence lengths to try, each <= T.
    repeats : int
        Models per length (R).
    hidden_size, n_epochs, batch_size : int
    learning_rate : float
        Adam's step size.
    forget_bias : float
        Initial forget-gate bias.
    seed : int
    progress : bool

    Returns
    -------
    GridSearchResult
        ``lengths``, ``scores (len(lengths), repeats)``, ``mean`` and ``std`` over repeats.
    """
    repeats = check_positive_int("repeats", repeats)
    n_epochs = check_positive_int("n_epochs", n_epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    lengths = np.array([check_positive_int("lengths[...]", length) for length in lengths], dtype=int)
    if len(lengths) == 0:
        raise ValueError("lengths is empty; expected at least one subsequence length")
    train, test = make_task(seed), make_task(seed + 1)
    N, T, D = train.x.shape
    if lengths.max() > T:
        raise ValueError(f"every length must be <= T={T}, got {lengths.max()}")
    scores = np.empty((len(lengths), repeats))
    rows = enumerate(lengths)
    rows = progress_bar(list(rows), progress, desc="grid search")
    for row, length in rows:
        x, mask = split_subsequences(train.x, length, pad=True)
        y = split_subsequences(train.y, length, pad=True)[0]
        weights = split_subsequences(train.step_weights, length, pad=True)[0] * mask
        rng = np.random.default_rng([seed, int(length)])
        params = ensemble.init_ensemble(rng.integers(2**32, size=repeats), D, hidden_size,
                                        train.y.shape[2], forget_bias=forget_bias)

        per_epoch = -(-len(x) // batch_size)
        # Each member shuffles the samples independently every epoch.
        order = np.argsort(rng.random((n_epochs, repeats, len(x))), axis=2)

        def make_batch(update):
            epoch, start = divmod(update, per_epoch)
            picks = order[epoch, :, start * batch_size:(start + 1) * batch_size]
            return x[picks], y[picks], weights[picks], mask[picks]

        ensemble.fit_ensemble(params, make_batch, Adam(learning_rate), n_epochs * per_epoch)
        yhat = ensemble.ensemble_forward(params, test.x)[0]
        errors = np.sum(test.step_weights[..., None] * (yhat - test.y) ** 2, axis=(1, 2, 3))
        scores[row] = errors / test.step_weights.sum()
    return GridSearchResult(lengths, scores, scores.mean(axis=1), scores.std(axis=1))
