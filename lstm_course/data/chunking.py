"""Cutting sequences into samples, and the sample order a stateful layer needs (Chapter 7, techniques 1, 2 and 5).

- :func:`as_samples`: technique 1, the data as-is, ``(n_seq, T[, D]) -> (n_seq, T, D)``;
- :func:`split_subsequences`: technique 2, consecutive chunks in *sequence-major* order;
- :func:`stateful_sample_index`, :func:`stateful_sample_order` and :func:`stateful_batches`:
  the *interleaved* order in which slot i of batch b+1 continues slot i of batch b, as Keras's
  ``stateful=True`` layers expect (with ``timesteps=1`` this is technique 5, one-step samples).

Training on these batches is :mod:`lstm_course.train.stateful`.
"""
import numpy as np

from lstm_course._validation import as_float_array, check_positive_int


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
        raise ValueError(f"timesteps={timesteps} differs from the sequence length T={T} of series (shape "
                         f"{series.shape}); using the data "
                         "as-is keeps every sequence whole, use split_subsequences to cut it")
    return series



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
        raise ValueError(f"length={length} does not divide T={T} of X (shape {X.shape}, remainder "
                         f"{remainder}); choose a factor "
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


def _check_stateful_sizes(N, T, timesteps, batch_size, source="X"):
    timesteps = check_positive_int("timesteps", timesteps)
    batch_size = check_positive_int("batch_size", batch_size)
    if T % timesteps:
        raise ValueError(f"timesteps={timesteps} must divide the sequence length T={T} of {source} so that every "
                         "slot advances in step; pad the sequences (pad_and_mask) or pick a factor of T")
    if N % batch_size:
        raise ValueError(f"the number of sequences in {source} ({N}) is not a multiple of batch_size={batch_size}: a "
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
    _check_stateful_sizes(N, C, 1, batch_size, source="n_sequences")
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
    # Checked here, at the call, not at the first next(): the loop lives in _batches.
    X = as_float_array("X", X)
    Y = as_float_array("Y", Y)
    if X.ndim >= 2 and Y.ndim >= 2 and X.shape[:2] != Y.shape[:2]:
        raise ValueError(f"Y must share (N, T) = {X.shape[:2]} with X, got {Y.shape[:2]}")
    xs = stateful_sample_order(X, timesteps, batch_size)
    ys = stateful_sample_order(Y, timesteps, batch_size)
    return _batches(xs, ys, batch_size, X.shape[1] // timesteps)


def _batches(xs, ys, batch_size, n_chunks):
    for batch, start in enumerate(range(0, len(xs), batch_size)):
        yield xs[start:start + batch_size], ys[start:start + batch_size], batch % n_chunks == 0
