"""Streaming, stateful TBPTT(k1, k2) training of the character language model, on Chapter 6's engine.

The training text is laid out as in Chapter 7's stateful batching: it is cut
into ``batch_size`` contiguous slices, one per batch slot (:func:`slot_streams`),
and delivered ``k1`` characters at a time, so slot i of each chunk continues
slot i of the previous one and the LSTM state is carried across chunks.

The loop is :class:`lstm_course.train.tbptt.engine.TBPTTTrainer` with the
softmax cross-entropy head: every character is run forward once, and every k1
steps an update backpropagates the losses of the last k1 steps through the last
k2 stored steps (k1 and k2 independent; when windows overlap, k1 < k2, the
stored activations are reused, as Williams & Peng proposed). The gradient of
the loss **per character** (``per_character_loss=True``; the summed loss
otherwise) is clipped at ``max_grad_norm`` and applied by the optimiser (for
instance :class:`lstm_course.train.optim.Adam`); the history reports the
fraction of updates that clipping rescaled and keeps a copy of the weights at
the best validation measurement. With ``stateful=False`` the state is reset to
zero every k1 steps instead of carried, so no window reaches back past its own
block of k1 characters.

**Compute** is counted as in Chapter 6, in cell-steps forward plus backward:
an update at t costs ``batch_size`` x (the k1 steps run forward since the last
update + the t - w + 1 steps backpropagated). Configurations compared at equal
compute get the same budget.
"""
import time
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from lstm_course._progress import progress_bar
from lstm_course._validation import as_rng, check_int, check_object, check_positive_int, check_scalar
from lstm_course.models import charlm
from lstm_course.nn import readout
from lstm_course.train.tbptt.engine import TBPTTTrainer
from lstm_course.train.tbptt.schedule import tbptt_schedule


class TrainingHistory(NamedTuple):
    """What :func:`train` measured (its arrays are float64 whatever the parameters' dtype)."""

    updates: np.ndarray
    """Number of updates done at each evaluation."""
    cell_steps: np.ndarray
    """Compute spent (cell-steps, forward + backward) at each evaluation."""
    valid_bpc: np.ndarray
    """Validation bits per character at each evaluation."""
    train_bpc: np.ndarray
    """Per update: bits per character of the injected training losses."""
    seconds: float
    """Wall-clock seconds spent in updates (evaluations excluded)."""
    activation_bytes: int
    """Bytes the engine's ring buffer held at the end of an epoch (what the backward pass keeps)."""
    samples: dict
    """Update number -> text sampled at that evaluation (when a prime was given)."""
    clipped_fraction: float
    """Fraction of the updates whose gradient norm exceeded ``max_grad_norm``."""
    best_params: dict
    """A copy of the weights at the evaluation with the lowest validation bits per character."""


def slot_streams(codes, batch_size, multiple):
    """Cut ``codes`` into ``batch_size`` contiguous slices, each trimmed to a multiple of ``multiple``.

    Returns inputs and next-character targets, both ``(batch_size, L)``: slot i
    reads slice i of the text in order (the stateful layout of Chapter 7).
    """
    N, k = check_positive_int("batch_size", batch_size), check_positive_int("multiple", multiple)
    if not isinstance(codes, np.ndarray) or codes.ndim != 1 or codes.dtype.kind not in "iu":
        raise ValueError(f"codes must be a 1-D numpy array of integer character codes, got {type(codes).__name__}")
    if codes.size and codes.min() < 0:
        raise ValueError(f"codes must hold character codes >= 0, got {codes.min()}")
    length = (codes.size - 1) // N // k * k
    if length < k:
        raise ValueError(f"codes ({codes.size} characters) is too short for {N} slots of {k} steps")
    starts = np.arange(N)[:, None] * ((codes.size - 1) // N) + np.arange(length)[None]
    return codes[starts], codes[starts + 1]


def train(params, train_codes, valid_codes, k1, k2, optimizer, budget, batch_size=32, stateful=True,
          max_grad_norm=1.0, per_character_loss=True, evaluations=10, vocab=None, prime=None, sample_length=200,
          temperature=0.8, rng=None, progress=False, threads=1, dropout=0.0):
    """Train ``params`` in place with TBPTT(k1, k2) until ``budget`` cell-steps are spent.

    Parameters
    ----------
    params : dict ``Wx, Wh, b, Wy, by`` (see :mod:`lstm_course.models.charlm`)
    train_codes, valid_codes : int ndarray
        The two streams, encoded.
    k1, k2 : int >= 1
        Any pair: k1 < k2 (overlapping windows), k1 = k2, or k1 > k2.
    optimizer : object with ``step(params, grads)``
    budget : int
        Compute to spend, in cell-steps forward + backward (see the module docstring).
    batch_size : int
        Number of slots of the stateful layout.
    stateful : bool
        Carry the state between windows (True) or reset it to zero every k1 steps.
    max_grad_norm : float
        Global-norm clipping threshold, for the per-character (or summed) loss's gradient. On
        *Moby-Dick* (H = 128, 32 slots, Adam from 0.01) the default 1.0 clipped 0 to 0.13 % of the
        updates of Chapter 8's comparison runs (``experiments/results/char_lm_runs.csv``): it catches
        rare spikes instead of rescaling every update.
    per_character_loss : bool
        Train on each update's loss per character (True) or on its summed loss.
    evaluations : int
        Number of validation measurements, spread evenly over the budget.
    vocab, prime : Vocabulary and str, optional
        If both are given, a sample starting with ``prime`` is drawn at every evaluation.
    threads : int or None
        BLAS threads while training (threadpoolctl; None leaves numpy's setting): on a
        shared machine OpenBLAS's threads wait for each other, and one is fastest for
        these small products.
    dropout : float in [0, 1)
        Inverted dropout on the readout's input while training (:func:`lstm_course.nn.readout.with_dropout`),
        its masks drawn from ``rng``; the validation measurements use no dropout.

    Returns
    -------
    TrainingHistory
    """
    V, _ = charlm.check_model(params)
    k1, k2 = check_positive_int("k1", k1), check_positive_int("k2", k2)
    budget = check_int("budget", budget, minimum=1)
    train_codes = charlm.check_codes("train_codes", train_codes, V)
    valid_codes = charlm.check_codes("valid_codes", valid_codes, V)
    for name, codes in (("train_codes", train_codes), ("valid_codes", valid_codes)):
        if codes.ndim != 1 or codes.size < 2:
            raise ValueError(f"{name} must be a 1-D stream of at least 2 codes, got shape {codes.shape}")
    check_object("optimizer", optimizer, ("step",), "an optimiser with step(params, grads), e.g. optim.Adam")
    max_grad_norm = check_scalar("max_grad_norm", max_grad_norm, low=0.0, low_open=True)
    for name, flag in (("stateful", stateful), ("per_character_loss", per_character_loss)):
        if not isinstance(flag, bool):
            raise ValueError(f"{name} must be True or False, got {flag!r}")
    evaluations = check_int("evaluations", evaluations, minimum=1)
    check_int("sample_length", sample_length, minimum=1)
    check_scalar("temperature", temperature, low=0.0, low_open=True)
    threads = check_positive_int("threads", threads, allow_none=True)
    dropout = check_scalar("dropout", dropout, low=0.0, high=1.0, high_open=True)
    rng = as_rng("rng", rng)
    X, Y = slot_streams(train_codes, batch_size, k1)
    head = readout.with_dropout("softmax_cross_entropy", dropout, rng)
    trainer = TBPTTTrainer(params, optimizer, k1, k2, "lstm", head, max_grad_norm,
                           loss_per_target=per_character_loss)
    sampling = None if vocab is None or prime is None else (vocab, prime, sample_length, temperature,
                                                             rng)
    with threadpool_limits(limits=threads, user_api="blas"):
        return _train(trainer, X, Y, valid_codes, budget, stateful, evaluations, sampling, progress)


class _Run:
    """The counters and measurements of one :func:`train` call; :meth:`after_update` is the engine's callback."""

    def __init__(self, params, valid_codes, budget, evaluations, costs, sampling, bar):
        self.params, self.valid_codes, self.costs, self.sampling, self.bar = params, valid_codes, costs, sampling, bar
        self.checks = sorted(set(np.linspace(budget / evaluations, budget, evaluations).round().astype(int).tolist()))
        self.updates = self.spent = self.epoch_updates = 0
        self.log = {"updates": [], "cell_steps": [], "valid_bpc": []}
        self.samples, self.best_bpc, self.best_params, self.evaluation_seconds = {}, np.inf, None, 0.0

    def after_update(self, t, loss, grads):
        cost = self.costs[self.epoch_updates]
        self.updates, self.epoch_updates, self.spent = self.updates + 1, self.epoch_updates + 1, self.spent + cost
        if self.bar is not None:
            self.bar.update(cost)
        while self.checks and self.spent >= self.checks[0]:
            self.checks.pop(0)
            start = time.perf_counter()
            bpc = charlm.evaluate_bpc(self.params, self.valid_codes)
            for key, value in zip(self.log, (self.updates, self.spent, bpc)):
                self.log[key].append(value)
            if bpc < self.best_bpc:
                self.best_bpc, self.best_params = bpc, {name: value.copy() for name, value in self.params.items()}
            if self.sampling is not None:
                vocab, prime, length, temperature, rng = self.sampling
                self.samples[self.updates] = charlm.sample(self.params, vocab, prime, length, temperature, rng)
            self.evaluation_seconds += time.perf_counter() - start


def _train(trainer, X, Y, valid_codes, budget, stateful, evaluations, sampling, progress):
    params, (N, T), k1 = trainer.params, X.shape, trainer.k1
    V, dtype = params["Wx"].shape[0], params["Wh"].dtype
    resets = None if stateful else np.arange(1 + k1, T + 1, k1)
    # What each update of an epoch costs: the steps run forward since the last update plus those backpropagated.
    schedule = tbptt_schedule(T, k1, trainer.k2, resets)
    previous = [0] + [t for t, _, _ in schedule[:-1]]
    costs = np.array([N * ((t - w + 1) + (t - before)) for (t, w, _), before in zip(schedule, previous)])
    bar = progress_bar(None, progress, total=budget, unit="cell-step", desc=f"TBPTT({k1}, {trainer.k2})")
    run = _Run(params, valid_codes, budget, evaluations, costs, sampling, bar)
    train_bpc, norms, seconds, stored = [], [], 0.0, 0
    while run.spent < budget:   # one epoch per pass over the slots, from a zero state
        n_chunks = min(len(costs), int(np.searchsorted(np.cumsum(costs), budget - run.spent)) + 1)
        chunks = ((charlm.one_hot(X[:, j:j + k1], V, dtype), Y[:, j:j + k1]) for j in range(0, n_chunks * k1, k1))
        run.epoch_updates = 0
        start = time.perf_counter()
        history = trainer.fit_stream(chunks, resets=None if stateful else resets[resets <= n_chunks * k1],
                                     on_update=run.after_update)
        seconds += time.perf_counter() - start
        train_bpc.extend(history.losses / (history.n_targets * np.log(2.0)))
        norms.extend(history.grad_norms)
        stored = max(stored, trainer.stored_bytes())
    if bar is not None:
        bar.close()
    return TrainingHistory(*(np.array(run.log[key]) for key in ("updates", "cell_steps", "valid_bpc")),
                           np.array(train_bpc), seconds - run.evaluation_seconds, stored, run.samples,
                           float(np.mean(np.array(norms) > trainer.max_grad_norm)), run.best_params)
