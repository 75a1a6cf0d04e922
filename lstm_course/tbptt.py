"""Exact truncated backpropagation through time, TBPTT(k1, k2).

Semantics (Williams & Peng 1990's BPTT(h; h'), in Sutskever 2013's k1/k2
notation). Steps are numbered 1..T.

- **Update times**: t = k1, 2 k1, ..., plus t = T when T is not a multiple of k1.
- **Window**: the update at time t backpropagates over steps w..t with
  w = max(1, t - k2 + 1); ``k2=None`` means no truncation (w = 1).
- **Injected losses**: l_tau for tau in [max(w, t - k1 + 1), t]. For the
  partial last block (t = T) this range starts after the previous update time,
  so every loss belongs to exactly one block. Each injected loss is
  backpropagated down to step w and no further: the state entering step w is
  treated as a constant.

Consequences: with k1 = k2 (Keras's stateful windows) the loss at window
position j is backpropagated through only j steps; with k1 > k2 the losses of
steps t - k1 + 1 .. t - k2 are never used at all.

A **reset** at step r (a new sequence starts there) returns the state entering
step r to (h0, c0) and restarts the clock: step r plays the role of step 1, so
the previous sequence gets its own partial-last-block update at r - 1, and no
window ever crosses r.

The per-step loss is l_tau = 1/2 sum_n ||h_tau Wy + by - y_tau||^2, **summed over
the batch** (not averaged), optionally times a step weight w_tau, exactly as in
:func:`lstm_course.models.squared_error`.
"""
from __future__ import annotations

import array
import collections
from typing import NamedTuple

import numpy as np

from . import lstm, models, rnn
from ._progress import progress_bar
from ._validation import as_float_array, check_positive_int, check_shape
from .optim import clip_grad_norm

def _check_truncation(k1, k2):
    k1 = check_positive_int("k1", k1)
    k2 = check_positive_int("k2", k2, allow_none=True)
    return k1, k2


def _reset_steps(resets):
    """Turn ``resets`` (None, per-step boolean flags or 1-based step indices) into a sorted array.

    Returns ``(steps, n_flags)``: the 1-based steps at which a new sequence
    starts, and the number of flags given (None when indices were given).
    """
    if resets is None:
        return np.zeros(0, dtype=np.int64), None
    array = np.asarray(resets)
    if array.ndim != 1:
        raise ValueError(f"resets must be a 1-D array of per-step flags or of 1-based step indices, "
                         f"got shape {array.shape}")
    if array.dtype == bool:
        return np.flatnonzero(array) + 1, array.size
    if array.size and array.dtype.kind not in "iu":
        raise ValueError(f"resets must hold booleans (per-step flags) or integers (1-based step indices), "
                         f"got dtype {array.dtype}")
    if array.size and array.min() < 1:
        raise ValueError(f"reset indices are 1-based steps and must be >= 1, got {array.min()}")
    return np.unique(array.astype(np.int64)), None


def tbptt_schedule(T, k1, k2, resets=None):
    """The updates of TBPTT(k1, k2) over a sequence of T steps.

    Parameters
    ----------
    T : int
        Number of steps.
    k1 : int >= 1
        Steps between updates.
    k2 : int >= 1 or None
        Steps of backpropagation per update (None: back to the sequence start).
    resets : 1-D bool array (T,) or int array, optional
        Steps (flags, or 1-based indices) at which a new sequence starts.

    Returns
    -------
    list of (t, w, first_injected)
        One tuple per update, 1-based: the update time t, the first step w of
        the backpropagation window, and the first step whose loss is injected
        (losses first_injected..t are injected; those between the previous
        update and first_injected are dropped).
    """
    T = check_positive_int("T", T)
    k1, k2 = _check_truncation(k1, k2)
    reset_steps, n_flags = _reset_steps(resets)
    if n_flags is not None and n_flags != T:
        raise ValueError(f"resets flags must have length T = {T}, got {n_flags}")
    starts = [1] + [int(r) for r in reset_steps if 1 < r <= T]
    ends = [start - 1 for start in starts[1:]] + [T]
    schedule = []
    for start, end in zip(starts, ends):
        previous = start - 1
        update_times = list(range(start - 1 + k1, end + 1, k1))
        if not update_times or update_times[-1] != end:
            update_times.append(end)
        for t in update_times:
            w = start if k2 is None else max(start, t - k2 + 1)
            schedule.append((t, w, max(w, previous + 1)))
            previous = t
    return schedule


class TBPTTCost(NamedTuple):
    """Cost of TBPTT(k1, k2) over one sequence (see :func:`cost_summary`)."""

    n_updates: int
    backward_steps: tuple      # steps backpropagated at each update, t - w + 1
    total_backward_steps: int
    stored_steps: int          # steps whose activations must be kept (ring-buffer size used)
    injected_losses: int
    dropped_losses: int        # losses never injected (k1 > k2)


def cost_summary(T, k1, k2):
    """Updates, backward steps and memory of TBPTT(k1, k2) on a T-step sequence.

    Counted from :func:`tbptt_schedule`, so they can be checked against the
    closed forms: ceil(T / k1) updates; min(t, k2) backward steps at update t;
    min(k2, T) stored steps (T when k2 is None); and, when k1 > k2, k1 - k2
    dropped losses per full block.

    Returns
    -------
    TBPTTCost
    """
    schedule = tbptt_schedule(T, k1, k2)
    backward_steps = tuple(t - w + 1 for t, w, _ in schedule)
    injected = sum(t - first + 1 for t, _, first in schedule)
    return TBPTTCost(n_updates=len(schedule), backward_steps=backward_steps,
                     total_backward_steps=sum(backward_steps), stored_steps=max(backward_steps),
                     injected_losses=injected, dropped_losses=T - injected)


class TBPTTHistory(NamedTuple):
    """What :meth:`TBPTTTrainer.fit_stream` records, one entry per update."""

    update_times: np.ndarray   # (n_updates,) 1-based step of each update
    losses: np.ndarray         # (n_updates,) sum of the injected weighted losses
    n_targets: np.ndarray      # (n_updates,) sum of injected step weights over the batch

    @property
    def mean_losses(self):
        """Loss per target vector at each update: losses / n_targets (0 where nothing was injected)."""
        return self.losses / np.maximum(self.n_targets, 1.0)


class TBPTTTrainer:
    """Streaming TBPTT(k1, k2) training with O(k2 N H) memory.

    The trainer walks a stream one step at a time. Every k1 steps (and at the
    end of each sequence) it backpropagates the injected losses through the
    last k2 stored steps, applies ``optimizer`` to ``params`` in place, and
    continues the forward pass with the new weights.

    Overlapping windows (k2 > k1) reuse the activations that were stored when
    each step was run forward, even though the weights have changed since. This
    is the efficient choice of Williams & Peng (1990): the backward pass pairs
    the stored activations with the *current* weight matrices, instead of
    recomputing the overlap with the new weights (k2 extra forward steps per
    update) or keeping a history of old weights. With fixed weights (no
    optimiser or a learning rate of 0) the gradients are exact.

    Memory: a ring buffer of the last min(k2, steps since reset) step caches,
    so storage is O(k2 N (D + H)) <= O(max(k1, k2) N H) and does not grow with
    the stream. (With ``k2=None`` every step since the last reset is kept.)

    Parameters
    ----------
    params : dict
        ``Wx, Wh, b, Wy, by`` (see :mod:`lstm_course.models`); updated in place.
    optimizer : object with ``step(params, grads)`` or None
        None keeps the weights fixed (gradients only).
    k1 : int >= 1
    k2 : int >= 1 or None
    cell : {"lstm", "rnn"}
    max_grad_norm : float, optional
        Clip the global gradient norm before each optimiser step.
    """

    def __init__(self, params, optimizer, k1, k2, cell="lstm", max_grad_norm=None):
        self.cell = models.check_cell(cell)
        self.D, self.H, self.O = models.check_params(params, cell)
        self.k1, self.k2 = _check_truncation(k1, k2)
        if optimizer is not None and not callable(getattr(optimizer, "step", None)):
            raise ValueError(f"optimizer must have a step(params, grads) method or be None, got {optimizer!r}")
        if max_grad_norm is not None and not (np.isfinite(max_grad_norm) and max_grad_norm > 0):
            raise ValueError(f"max_grad_norm must be a finite number > 0 or None, got {max_grad_norm!r}")
        self.params, self.optimizer, self.max_grad_norm = params, optimizer, max_grad_norm
        self.buffer = collections.deque(maxlen=self.k2)

    # -- one step forward -------------------------------------------------
    def _forward_step(self, x_t, y_t, weight_t):
        p = self.params
        if self.cell == "lstm":
            h, c, cache = lstm._step_forward(x_t, self._h, self._c, p["Wx"], p["Wh"], p["b"])
            cache["h"] = h
            self._h, self._c = h, c
        else:
            h, cache = rnn._step_forward(x_t, self._h, p["Wx"], p["Wh"], p["b"])
            self._h = h
        self.buffer.append((cache, y_t, weight_t))

    # -- one update ---------------------------------------------------------
    def _update(self, t, on_update):
        """Backpropagate the losses injected at update time t through the buffered window."""
        p = self.params
        window = len(self.buffer)                       # steps w..t, w = t - window + 1
        n_injected = min(window, t - self._last_update)  # steps first_injected..t
        grads = {name: np.zeros_like(p[name]) for name in models.PARAM_NAMES}
        loss = n_targets = 0.0
        dh_next = np.zeros_like(self._h)
        dc_next = np.zeros_like(self._h)
        for position in range(window - 1, -1, -1):
            cache, y_tau, weight_tau = self.buffer[position]
            dh = dh_next
            if position >= window - n_injected:
                residual = cache["h"] @ p["Wy"] + p["by"] - y_tau
                weights = weight_tau[:, None]
                loss += 0.5 * float(np.sum(weights * residual ** 2))
                n_targets += float(np.sum(weight_tau))
                dyhat = weights * residual
                grads["Wy"] += cache["h"].T @ dyhat
                grads["by"] += dyhat.sum(axis=0)
                dh = dh + dyhat @ p["Wy"].T
            # Stored activations, current weight matrices (see the class docstring).
            cache["Wx"], cache["Wh"] = p["Wx"], p["Wh"]
            if self.cell == "lstm":
                _, dh_next, dc_next, dWx, dWh, db = lstm._step_backward(dh, dc_next, cache)
            else:
                _, dh_next, dWx, dWh, db = rnn._step_backward(dh, cache)
            grads["Wx"] += dWx
            grads["Wh"] += dWh
            grads["b"] += db
        # dh_next now holds the gradient on the state entering step w: treated as a constant.
        if on_update is not None:
            on_update(t, grads, loss)
        if self.optimizer is not None:
            if self.max_grad_norm is not None:
                clip_grad_norm(grads, self.max_grad_norm)
            self.optimizer.step(p, grads)
        self._last_update = t
        for log, value in zip(self._record, (t, loss, n_targets)):
            log.append(value)

    def _start_sequence(self, t):
        self._h = self._h0
        self._c = self._c0
        self.buffer.clear()
        self._segment_start = t
        self._last_update = t - 1

    def _check_chunk(self, index, chunk):
        if not isinstance(chunk, (tuple, list)) or len(chunk) not in (2, 3):
            raise ValueError(f"stream chunk {index} must be a tuple (x, y) or (x, y, step_weights), "
                             f"got {type(chunk).__name__}")
        x = as_float_array(f"chunk {index} x", chunk[0], ndim=3)
        N, T, _ = x.shape
        y = as_float_array(f"chunk {index} y", chunk[1], ndim=3)
        if self._N is None:
            self._N = N
        check_shape(f"chunk {index} x", x, (self._N, T, self.D), "(N, T_chunk, D) with N fixed by the first chunk")
        check_shape(f"chunk {index} y", y, (self._N, T, self.O), "(N, T_chunk, O) like its x")
        if len(chunk) == 3 and chunk[2] is not None:
            weights = as_float_array(f"chunk {index} step_weights", chunk[2])
            if weights.shape not in ((T,), (N, T)):
                raise ValueError(f"chunk {index} step_weights must have shape (T_chunk,) = ({T},) or "
                                 f"(N, T_chunk) = ({N}, {T}), got {weights.shape}")
            weights = np.broadcast_to(weights, (N, T))
        else:
            weights = np.ones((N, T), dtype=x.dtype)
        return x, y, weights

    def _initial_state(self, name, state):
        if state is None:
            return None
        if name == "c0" and self.cell != "lstm":
            raise ValueError("c0 is only used by cell='lstm'")
        return as_float_array(name, state, ndim=2)

    def fit_stream(self, chunks, resets=None, h0=None, c0=None, progress=False, on_update=None):
        """Train on one stream, which may hold several sequences separated by resets.

        Each call is one stream: it starts from (h0, c0) at step 1 and ends with the
        final partial update (the t = T rule), so calling it once per epoch replays
        the sequence from its start.

        Parameters
        ----------
        chunks : iterable of (x, y) or (x, y, step_weights)
            Consecutive pieces of the stream, ``x (N, T_chunk, D)``,
            ``y (N, T_chunk, O)``, ``step_weights (T_chunk,)`` or ``(N, T_chunk)``;
            T_chunk may differ between chunks, N may not. A generator works,
            so the stream never needs to be in memory whole (a
            :class:`lstm_course.tasks.TaskData` is such a 3-tuple).
        resets : 1-D bool array (per-step flags) or int array (1-based steps), optional
            Steps at which a new sequence starts: the state entering them is
            (h0, c0) again (for the whole batch), the previous sequence gets its
            final partial update, and no window crosses them.
        h0, c0 : ndarray (N, H), optional
            State entering step 1 and every reset (zeros if omitted).
        progress : bool
            Show a tqdm bar counting steps.
        on_update : callable, optional
            ``on_update(t, grads, loss)`` is called at every update with the
            TBPTT gradient, before clipping and the optimiser step (which may
            clip ``grads`` in place: copy them to keep them).

        Returns
        -------
        TBPTTHistory
        """
        reset_steps, n_flags = _reset_steps(resets)
        reset_set = set(reset_steps.tolist())
        self._h0, self._c0 = self._initial_state("h0", h0), self._initial_state("c0", c0)
        # The per-update log is the only storage that grows with the stream: 24 bytes per update.
        self._N, t = None, 0
        self._record = (array.array("q"), array.array("d"), array.array("d"))
        bar = progress_bar(None, progress, unit="step", desc=f"TBPTT({self.k1}, {self.k2})")
        for index, chunk in enumerate(chunks):
            x, y, weights = self._check_chunk(index, chunk)
            if t == 0:
                self._prepare_states(x.dtype)
                self._start_sequence(1)
            for step in range(x.shape[1]):
                t += 1
                if t in reset_set and t > self._segment_start:
                    if self._last_update < t - 1:
                        self._update(t - 1, on_update)
                    self._start_sequence(t)
                # Copies, so the buffer does not keep whole chunks alive.
                self._forward_step(x[:, step].copy(), y[:, step].copy(), weights[:, step].copy())
                if (t - self._segment_start + 1) % self.k1 == 0:
                    self._update(t, on_update)
            if bar is not None:
                bar.update(x.shape[1])
        if bar is not None:
            bar.close()
        if t == 0:
            raise ValueError("the stream is empty; expected at least one chunk with T_chunk >= 1")
        if n_flags is not None and n_flags != t:
            raise ValueError(f"resets flags must have one entry per step, {t}, got {n_flags}")
        if self._last_update < t:
            self._update(t, on_update)
        self.buffer.clear()
        return TBPTTHistory(*(np.array(log) for log in self._record))

    def _prepare_states(self, dtype):
        shape = (self._N, self.H)
        for name in ("_h0", "_c0"):
            state = getattr(self, name)
            if state is None:
                setattr(self, name, np.zeros(shape, dtype=dtype))
            else:
                check_shape(name[1:], state, shape, "(N, H)")


def tbptt_gradients(params, x, y, k1, k2, cell="lstm", h0=None, c0=None, step_weights=None, resets=None):
    """Gradients of TBPTT(k1, k2) at every update time, with the weights held fixed.

    The per-step loss is l_tau = 1/2 sum_n ||h_tau Wy + by - y_tau||^2, summed
    over the batch n (not averaged); ``step_weights`` multiplies it by w_tau.
    At update time t (see :func:`tbptt_schedule`) the gradient is

        g_t = d/dtheta sum_{tau = first..t} l_tau,

    backpropagated through steps w..t only, with the state entering step w
    held constant.

    Parameters
    ----------
    params : dict
        ``Wx, Wh, b, Wy, by``; LSTM ``Wx (D, 4H)``, ``Wh (H, 4H)``, ``b (4H,)``
        with gate blocks i, f, g, o, or RNN ``(D, H)``, ``(H, H)``, ``(H,)``;
        readout ``Wy (H, O)``, ``by (O,)``. Not modified.
    x : ndarray (N, T, D)
    y : ndarray (N, T, O)
    k1 : int >= 1
    k2 : int >= 1 or None
    cell : {"lstm", "rnn"}
    h0, c0 : ndarray (N, H), optional
        Initial state (zeros if omitted); ``c0`` only for the LSTM.
    step_weights : ndarray (T,) or (N, T), optional
    resets : 1-D bool array (T,) or int array of 1-based steps, optional

    Returns
    -------
    list of (t, grads)
        t is the 1-based update time; grads is a dict keyed ``Wx, Wh, b, Wy, by``.
    """
    models.check_params(params, models.check_cell(cell))
    x = as_float_array("x", x, ndim=3)
    N, T, _ = x.shape
    y = as_float_array("y", y, ndim=3)
    check_shape("y", y, (N, T, params["Wy"].shape[1]), "(N, T, O) with N, T from x and O from Wy")
    check_shape("x", x, (N, T, params["Wx"].shape[0]), "(N, T, D) with D from Wx")
    trainer = TBPTTTrainer(params, None, k1, k2, cell)
    collected = []
    trainer.fit_stream([(x, y, step_weights)], resets=resets, h0=h0, c0=c0,
                       on_update=lambda t, grads, loss: collected.append((t, grads)))
    return collected


def stale_gradient_recipe(params, x, y, k1, k2, cell="lstm", h0=None, c0=None):
    """The widely copied PyTorch-forum recipe for k1 != k2, transcribed to numpy.

    The recipe keeps the last k2 one-step graph segments. Each step's input
    state is a detached leaf with ``requires_grad=True``. Every k1 steps it
    calls ``loss.backward()`` on the loss of the *current step only*, then walks
    back segment by segment: ``states[-i-2][1].backward(states[-i-1][0].grad)``.
    Only the parameter gradients are zeroed before an update; the ``.grad`` of
    the leaf states is not. When windows overlap (k1 < k2) a leaf's ``.grad``
    still holds what earlier updates sent to it, so stale gradients are added to
    the fresh ones and travel on into the parameter gradients. This function
    reproduces that arithmetic (with fixed weights; no flush at the end, as in
    the recipe) so it can be compared with :func:`tbptt_gradients`.

    Returns
    -------
    list of (t, grads), like :func:`tbptt_gradients`.
    """
    cell = models.check_cell(cell)
    models.check_params(params, cell)
    k1, k2 = _check_truncation(k1, k2)
    if k2 is None:
        raise ValueError("the forum recipe needs a finite k2 (it keeps the last k2 graph segments)")
    x = as_float_array("x", x, ndim=3)
    N, T, _ = x.shape
    y = as_float_array("y", y, ndim=3)
    check_shape("y", y, (N, T, params["Wy"].shape[1]), "(N, T, O) with N, T from x and O from Wy")
    H = params["Wh"].shape[0]
    h = np.zeros((N, H)) if h0 is None else as_float_array("h0", h0, ndim=2)
    c = np.zeros((N, H)) if c0 is None else as_float_array("c0", c0, ndim=2)
    p = params
    caches = {}
    # leaf_grad[s] is the .grad of the detached leaf state entering step s: never zeroed.
    leaf_grad = {}
    results = []
    for s in range(1, T + 1):
        if cell == "lstm":
            h, c, cache = lstm._step_forward(x[:, s - 1], h, c, p["Wx"], p["Wh"], p["b"])
            cache["h"] = h
        else:
            h, cache = rnn._step_forward(x[:, s - 1], h, p["Wx"], p["Wh"], p["b"])
        caches[s] = cache
        leaf_grad[s] = (np.zeros((N, H)), np.zeros((N, H)))
        for old in [key for key in caches if key <= s - k2]:   # "del states[0]"
            del caches[old], leaf_grad[old]
        if s % k1:
            continue
        grads = {name: np.zeros_like(p[name]) for name in models.PARAM_NAMES}
        dyhat = cache["h"] @ p["Wy"] + p["by"] - y[:, s - 1]
        grads["Wy"] += cache["h"].T @ dyhat
        grads["by"] += dyhat.sum(axis=0)
        upstream = (dyhat @ p["Wy"].T, np.zeros((N, H)))
        for step in range(s, max(1, s - k2 + 1) - 1, -1):
            if cell == "lstm":
                _, dh_prev, dc_prev, dWx, dWh, db = lstm._step_backward(*upstream, caches[step])
            else:
                _, dh_prev, dWx, dWh, db = rnn._step_backward(upstream[0], caches[step])
                dc_prev = np.zeros((N, H))
            grads["Wx"] += dWx
            grads["Wh"] += dWh
            grads["b"] += db
            leaf_grad[step][0][...] += dh_prev      # .grad accumulates across backward calls
            leaf_grad[step][1][...] += dc_prev
            upstream = leaf_grad[step]              # curr_grad = states[-i-1][0].grad
        results.append((s, grads))
    return results
