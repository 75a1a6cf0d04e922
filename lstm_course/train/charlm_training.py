"""Streaming, stateful TBPTT(k1, k2) training of the character language model.

The training text is laid out as in Chapter 7's stateful batching: it is cut
into ``batch_size`` contiguous slices, one per batch slot, and
:func:`lstm_course.data.chunking.stateful_batches` delivers them ``k1`` characters
at a time, so slot i of each chunk continues slot i of the previous one and the
LSTM state can be carried across chunks. The windows are those of
:func:`lstm_course.train.tbptt.schedule.tbptt_schedule`: every k1 steps an update
backpropagates the losses of the last k1 steps through the last k2 steps.

Each update re-runs the forward pass over its window with the current weights
(k2 forward and k2 backward steps per update, on the fast sequence path of
:mod:`lstm_course.nn.lstm`), starting from the state carried in from the previous
window, which is a constant for the gradient. With ``stateful=False`` that
state is zero for every window instead (a state reset every window). The
gradient is clipped (:func:`lstm_course.train.optim.clip_grad_norm`) and applied by
the optimiser (for instance :class:`lstm_course.train.optim.Adam`).

**Compute** is counted in cell-steps, ``batch_size`` x window length summed
over updates; configurations compared at equal compute get the same budget.
"""
import time
from typing import NamedTuple

import numpy as np

from lstm_course._blas import blas_threads
from lstm_course._progress import progress_bar
from lstm_course._validation import check_int, check_object, check_positive_int, check_scalar
from lstm_course.data.chunking import stateful_batches
from lstm_course.lab import unrolling
from lstm_course.models import charlm
from lstm_course.nn import lstm
from lstm_course.train.optim import clip_grad_norm
from lstm_course.train.tbptt.schedule import tbptt_schedule


class TrainingHistory(NamedTuple):
    """What :func:`train` measured."""

    updates: np.ndarray
    """Number of updates done at each evaluation."""
    cell_steps: np.ndarray
    """Compute spent (cell-steps) at each evaluation."""
    valid_bpc: np.ndarray
    """Validation bits per character at each evaluation."""
    train_bpc: np.ndarray
    """Per update: bits per character of the injected training losses."""
    seconds: float
    """Wall-clock seconds spent in updates (evaluations excluded)."""
    activation_bytes: int
    """Bytes of the largest window's forward cache (what the backward pass must keep)."""
    samples: dict
    """Update number -> text sampled at that evaluation (when a prime was given)."""


def slot_streams(codes, batch_size, multiple):
    """Cut ``codes`` into ``batch_size`` contiguous slices, each trimmed to a multiple of ``multiple``.

    Returns inputs and next-character targets, both ``(batch_size, L)``: slot i
    reads slice i of the text in order (the stateful layout of Chapter 7).
    """
    N, k = check_positive_int("batch_size", batch_size), check_positive_int("multiple", multiple)
    if not isinstance(codes, np.ndarray) or codes.ndim != 1 or codes.dtype.kind not in "iu":
        raise ValueError(f"codes must be a 1-D numpy array of integer character codes, got {type(codes).__name__}")
    length = (codes.size - 1) // N // k * k
    if length < k:
        raise ValueError(f"the text ({codes.size} characters) is too short for {N} slots of {k} steps")
    starts = np.arange(N)[:, None] * ((codes.size - 1) // N) + np.arange(length)[None]
    return codes[starts], codes[starts + 1]


def _check_config(k1, k2, budget):
    k1, k2 = check_int("k1", k1, minimum=1), check_int("k2", k2, minimum=1)
    if k1 > k2:
        raise ValueError(f"this trainer needs k1 <= k2 (it carries the state from inside the window), got {k1} > {k2}")
    return k1, k2, check_int("budget", budget, minimum=1)


def train(params, train_codes, valid_codes, k1, k2, optimizer, budget, batch_size=32, stateful=True,
          max_grad_norm=5.0, evaluations=10, vocab=None, prime=None, sample_length=200, temperature=0.8,
          rng=None, progress=False, threads=1):
    """Train ``params`` in place with TBPTT(k1, k2) until ``budget`` cell-steps are spent.

    Parameters
    ----------
    params : dict ``Wx, Wh, b, Wy, by`` (see :mod:`lstm_course.models.charlm`)
    train_codes, valid_codes : int ndarray
        The two streams, encoded.
    k1, k2 : int, 1 <= k1 <= k2
    optimizer : object with ``step(params, grads)``
    budget : int
        Compute to spend, in cell-steps (``batch_size`` x window length per update).
    batch_size : int
        Number of slots of the stateful layout.
    stateful : bool
        Carry the state between windows (True) or start every window from zero.
    max_grad_norm : float
        Global-norm clipping threshold.
    evaluations : int
        Number of validation measurements, spread evenly over the budget.
    vocab, prime : Vocabulary and str, optional
        If both are given, a sample starting with ``prime`` is drawn at every evaluation.
    threads : int or None
        BLAS threads while training (see ``lstm_course._blas.blas_threads``);
        one is fastest for these small products on a shared machine.

    Returns
    -------
    TrainingHistory
    """
    with blas_threads(threads):
        return _train(params, train_codes, valid_codes, k1, k2, optimizer, budget, batch_size, stateful,
                      max_grad_norm, evaluations, vocab, prime, sample_length, temperature, rng, progress)


def _train(params, train_codes, valid_codes, k1, k2, optimizer, budget, batch_size, stateful, max_grad_norm,
           evaluations, vocab, prime, sample_length, temperature, rng, progress):
    k1, k2, budget = _check_config(k1, k2, budget)
    V, H = charlm.check_params(params)
    train_codes = charlm.check_codes("train_codes", train_codes, V)
    valid_codes = charlm.check_codes("valid_codes", valid_codes, V)
    if valid_codes.ndim != 1 or valid_codes.size < 2:
        raise ValueError(f"valid_codes must be a 1-D stream of at least 2 codes, got shape {valid_codes.shape}")
    check_object("optimizer", optimizer, ("step",), "an optimiser with step(params, grads), e.g. optim.Adam")
    max_grad_norm = check_scalar("max_grad_norm", max_grad_norm, low=0.0, low_open=True)
    evaluations = check_int("evaluations", evaluations, minimum=1)
    check_int("sample_length", sample_length, minimum=1)
    check_scalar("temperature", temperature, low=0.0, low_open=True)
    rng = np.random.default_rng(rng)
    X, Y = slot_streams(train_codes, batch_size, k1)
    dtype = params["Wh"].dtype
    next_check = sorted(set(np.linspace(budget / evaluations, budget, evaluations).round().astype(int).tolist()))
    log = {"updates": [], "cell_steps": [], "valid_bpc": [], "train_bpc": []}
    samples, spent, seconds = {}, 0, 0.0
    bar = progress_bar(None, progress, total=budget, unit="cell-step", desc=f"TBPTT({k1}, {k2})")
    zero = np.zeros((batch_size, H), dtype=dtype)
    while spent < budget:  # one epoch per pass through the stateful batches, from a zero state
        xs = ys = np.zeros((batch_size, 0), dtype=np.int64)
        carry = (zero, zero)
        batches = stateful_batches(X, Y, k1, batch_size)
        for (xb, yb, _), (t, w, first) in zip(batches, tbptt_schedule(X.shape[1], k1, k2)):
            start = time.perf_counter()
            xs = np.concatenate([xs, xb.astype(np.int64)], axis=1)[:, -(t - w + 1):]
            ys = np.concatenate([ys, yb.astype(np.int64)], axis=1)[:, -(t - w + 1):]
            weights = np.zeros(t - w + 1, dtype=dtype)
            weights[first - w:] = 1.0                     # inject the losses of steps first..t
            h0, c0 = carry if stateful else (zero, zero)
            loss, grads, (h, c) = charlm.loss_and_grads(params, xs, ys, h0, c0, weights)
            next_w = max(1, t + k1 - k2 + 1)             # the next window starts at step next_w
            if next_w > w:                                # its entering state was computed here
                carry = (h[:, next_w - w - 1].copy(), c[:, next_w - w - 1].copy())
            clip_grad_norm(grads, max_grad_norm)
            optimizer.step(params, grads)
            seconds += time.perf_counter() - start
            spent += xs.size
            log["train_bpc"].append(charlm.bits_per_character(loss, (t - first + 1) * batch_size))
            if bar is not None:
                bar.update(xs.size)
            while next_check and spent >= next_check[0]:
                next_check.pop(0)
                log["updates"].append(len(log["train_bpc"]))
                log["cell_steps"].append(spent)
                log["valid_bpc"].append(charlm.evaluate_bpc(params, valid_codes))
                if vocab is not None and prime is not None:
                    samples[len(log["train_bpc"])] = charlm.sample(params, vocab, prime, sample_length,
                                                                  temperature, rng)
            if spent >= budget:
                break
    if bar is not None:
        bar.close()
    return TrainingHistory(*(np.array(log[key]) for key in ("updates", "cell_steps", "valid_bpc", "train_bpc")),
                           seconds, window_activation_bytes(params, batch_size, k2), samples)


def window_activation_bytes(params, batch_size, k2):
    """Bytes of the forward cache of one k2-step window (the memory TBPTT keeps per update)."""
    V, H = charlm.check_params(params)
    batch_size, k2 = check_positive_int("batch_size", batch_size), check_positive_int("k2", k2)
    x = np.zeros((batch_size, k2, V), dtype=params["Wh"].dtype)
    cache = lstm.lstm_forward(x, None, None, params["Wx"], params["Wh"], params["b"])[2]
    return unrolling.activation_bytes(cache)
