"""Exact truncated backpropagation through time, TBPTT(k1, k2), for any readout and loss.

Semantics (Williams & Peng 1990's BPTT(h; h'), in Sutskever 2013's k1/k2
notation). Steps are numbered 1..T; k1 and k2 are independent (k1 < k2, k1 = k2
and k1 > k2 are all allowed).

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

The per-step loss l_tau is the **head**'s (:mod:`lstm_course.nn.readout`), **summed
over the batch** (not averaged) and times a step weight w_tau: the readout
h_tau Wy + by scored by the squared error against real targets (the sequence
model, ``head="squared_error"``) or by the softmax cross-entropy against integer
codes (the character model, ``head="softmax_cross_entropy"``).
"""
from __future__ import annotations

import array
import collections

import numpy as np

from lstm_course._progress import progress_bar
from lstm_course._validation import as_float_array, check_callable, check_flag, check_scalar, check_shape
from lstm_course.models import recurrent
from lstm_course.nn import cells, readout
from lstm_course.train.optim import global_norm
from lstm_course.train.tbptt._inputs import check_chunk, check_chunks, check_window, initial_state
from lstm_course.train.tbptt.schedule import TBPTTHistory, _check_resets_within, _check_truncation, _reset_steps

__all__ = ["window_gradient", "TBPTTTrainer", "tbptt_gradients"]


def window_gradient(params, cell, window, n_injected, head="squared_error"):
    """The loss and gradient of one TBPTT update, given the buffered window.

    ``window`` holds steps w..t, oldest first, as ``(step, targets_tau, weights_tau)``
    with ``step`` the cache of ``cells.get(cell).step_forward``. The losses of the
    last ``n_injected`` steps are injected (the head's loss of step tau, each row
    times its weight) and backpropagated down to step w; the state entering step w
    is a constant. The stored activations are paired with the *current* weights in
    ``params`` (Williams & Peng 1990; exact when the weights have not changed since).

    Parameters
    ----------
    params : dict
        ``Wx, Wh, b, Wy, by``. Not modified.
    cell : {"rnn", "lstm"}
    window : sequence of (dict, ndarray, ndarray (N,))
        Targets ``(N, O)`` for the squared error, integer codes ``(N,)`` for the cross-entropy.
    n_injected : int
        Number of injected losses, 0 <= n_injected <= len(window).
    head : str or :class:`lstm_course.nn.readout.Head`

    Returns
    -------
    loss : float
        Sum of the injected losses.
    grads : dict
        Keyed ``Wx, Wh, b, Wy, by``.
    """
    n_injected = check_window(params, cell, window, n_injected)
    return _window_gradient(params, cells.get(cell), readout.get(head), window, n_injected)


def _window_gradient(params, cell, head, window, n_injected):
    """The kernel of :func:`window_gradient`: the whole algorithm on one screen."""
    grads = {name: np.zeros_like(params[name]) for name in recurrent.PARAM_NAMES}
    first = len(window) - n_injected                 # steps first..t (positions in the window) inject their loss
    loss, dh = 0.0, None
    if n_injected:                                   # the head scores every injected step in one call
        injected = [window[position] for position in range(first, len(window))]
        h = np.stack([step["h"] for step, _, _ in injected])
        targets = np.stack([targets for _, targets, _ in injected])
        weights = np.stack([weights for _, _, weights in injected])
        loss, readout_grads, dh = head.backward(params, h, targets, weights)
        grads["Wy"] += readout_grads["Wy"]
        grads["by"] += readout_grads["by"]
    # A tuple built from a list, not a generator: tuple(generator) resizes its tuple, which CPython's free list
    # then keeps, one more per call up to 2000: memory that would grow with the first 2000 updates of a stream.
    dstate = tuple([np.zeros_like(window[-1][0]["h"]) for _ in cell.state_names])
    dz = [None] * len(window)
    for position in reversed(range(len(window))):
        step = window[position][0]
        if position >= first:                        # the error the readout sends into h_tau
            dstate = (dstate[0] + dh[position - first],) + dstate[1:]
        step = {**step, "Wh": params["Wh"]}          # stored activations, current weights
        dz[position], dstate = cell.step_dz(dstate, step)
    # z = x Wx + h_prev Wh + b at every step of the window: each weight gradient is one product over all of them.
    dz = np.concatenate(dz)
    grads["Wx"] += np.concatenate([step["x"] for step, _, _ in window]).T @ dz
    grads["Wh"] += np.concatenate([step["h_prev"] for step, _, _ in window]).T @ dz
    grads["b"] += dz.sum(axis=0)
    return loss, grads


class _Stream:
    """Everything :class:`TBPTTTrainer` tracks while it walks one stream: O(k2) arrays, whatever its length."""

    def __init__(self, k2, record):
        self.state0 = self.state = None   # tuples: the state entering step 1 (and every reset), the current one
        self.buffer = collections.deque(maxlen=k2)   # ring buffer of (step, targets, weights), steps w..t
        self.segment_start = 1            # first step of the current sequence
        self.last_update = 0              # step of the last update
        self.N = None                     # batch size, fixed by the first chunk
        # The optional per-update log, 32 bytes per update, is the only storage that grows with the stream.
        self.log = tuple(array.array(code) for code in "qddd") if record else None

    def start_sequence(self, t):
        self.state = self.state0
        self.buffer.clear()
        self.segment_start, self.last_update = t, t - 1


class TBPTTTrainer:
    """Streaming TBPTT(k1, k2) training with O(k2 N H) memory.

    The trainer walks a stream one step at a time. Every k1 steps (and at the
    end of each sequence) it computes :func:`window_gradient` over the last k2
    stored steps, applies ``optimizer`` to ``params`` in place, and continues
    the forward pass with the new weights.

    Overlapping windows (k2 > k1) reuse the activations that were stored when
    each step was run forward, even though the weights have changed since. This
    is the efficient choice of Williams & Peng (1990): each step is run forward
    once, and the backward pass pairs the stored activations with the *current*
    weight matrices, instead of recomputing the overlap with the new weights
    (k2 extra forward steps per update) or keeping a history of old weights.
    With fixed weights (no optimiser or a learning rate of 0) the gradients are exact.

    Memory: a ring buffer of the last min(k2, steps since reset) step caches,
    O(k2 N (D + H)) (every step since the last reset with ``k2=None``); with
    ``record=False`` nothing else grows with the stream.

    Parameters
    ----------
    params : dict
        ``Wx, Wh, b, Wy, by`` (see :mod:`lstm_course.models.recurrent`); updated in place.
    optimizer : object with ``step(params, grads)`` or None
        None keeps the weights fixed (gradients only).
    k1 : int >= 1
    k2 : int >= 1 or None
    cell : {"lstm", "rnn"}
    head : str or :class:`lstm_course.nn.readout.Head`
        The readout and loss: ``"squared_error"`` (real targets ``y (N, T, O)``) or
        ``"softmax_cross_entropy"`` (integer codes ``y (N, T)`` in 0..O-1).
    max_grad_norm : float, optional
        Clip the global norm of each update's gradient to this value before the optimiser step.
    loss_per_target : bool
        Train on each update's loss divided by its number of targets (the sum of its
        injected step weights), per character for the character model: its gradient
        does not grow with the batch or k1, so one clipping threshold suits every
        configuration. False trains on the summed loss.

    Attributes
    ----------
    stream : object or None
        The per-stream state of the current (or last) :meth:`fit_stream` call:
        ``buffer`` (the ring buffer of step caches), ``state``, ``segment_start``,
        ``last_update``. Read it, e.g. ``len(trainer.stream.buffer)`` inside ``on_update``.
    """

    def __init__(self, params, optimizer, k1, k2, cell="lstm", head="squared_error", max_grad_norm=None,
                 loss_per_target=False):
        self.cell = cells.get(recurrent.check_cell(cell))
        self.head = readout.get(head)
        self.D, self.H, self.O = recurrent.check_params(params, cell)
        self.k1, self.k2 = _check_truncation(k1, k2)
        if optimizer is not None and not callable(getattr(optimizer, "step", None)):
            raise ValueError(f"optimizer must have a step(params, grads) method or be None, got {optimizer!r}")
        max_grad_norm = check_scalar("max_grad_norm", max_grad_norm, low=0, low_open=True, allow_none=True)
        if not isinstance(loss_per_target, bool):
            raise ValueError(f"loss_per_target must be True or False, got {loss_per_target!r}")
        self.params, self.optimizer, self.max_grad_norm = params, optimizer, max_grad_norm
        self.loss_per_target = loss_per_target
        self.stream = None

    def _update(self, stream, t, on_update):
        """One update at time t: the window's loss and gradient, the optimiser step, the log, the callback."""
        n_injected = min(len(stream.buffer), t - stream.last_update)   # steps first_injected..t
        loss, grads = _window_gradient(self.params, self.cell, self.head, stream.buffer, n_injected)
        injected = list(stream.buffer)[len(stream.buffer) - n_injected:]
        n_targets = sum(float(np.sum(weights)) for _, _, weights in injected)
        summed_loss = loss
        if self.loss_per_target and n_targets > 0:
            loss /= n_targets
            for grad in grads.values():
                grad /= n_targets
        norm = np.nan
        if self.optimizer is not None:
            norm = global_norm(grads)
            applied = grads
            if self.max_grad_norm is not None and norm > self.max_grad_norm:
                applied = {name: grad * (self.max_grad_norm / norm) for name, grad in grads.items()}
            self.optimizer.step(self.params, applied)
        stream.last_update = t
        if stream.log is not None:
            for log, value in zip(stream.log, (t, summed_loss, n_targets, norm)):
                log.append(value)
        if on_update is not None:
            on_update(t, loss, grads)

    def fit_stream(self, chunks, resets=None, h0=None, c0=None, progress=False, on_update=None, record=True):
        """Train on one stream, which may hold several sequences separated by resets.

        Each call is one stream: it starts from (h0, c0) at step 1 and ends with the
        final partial update (the t = T rule), so calling it once per epoch replays
        the sequence from its start.

        Parameters
        ----------
        chunks : iterable of (x, y) or (x, y, step_weights)
            Consecutive pieces of the stream, ``x (N, T_chunk, D)``, ``y`` the head's
            targets (``(N, T_chunk, O)`` or codes ``(N, T_chunk)``), ``step_weights
            (T_chunk,)`` or ``(N, T_chunk)``; N is fixed, T_chunk may vary. A generator
            works, so the stream need never be in memory whole (a TaskData is a 3-tuple).
        resets : 1-D bool array (per-step flags) or int array (1-based steps), optional
            Steps at which a new sequence starts: the state entering them is
            (h0, c0) again (for the whole batch), the previous sequence gets its
            final partial update, and no window crosses them.
        h0, c0 : ndarray (N, H), optional
            State entering step 1 and every reset (zeros if omitted).
        progress : bool
            Show a tqdm bar counting steps.
        on_update : callable, optional
            ``on_update(t, loss, grads)`` is called after every update (the
            optimiser has stepped, so ``params`` hold the new weights) with the
            update's training loss and its gradient before clipping.
        record : bool
            Keep one row per update in the returned history (32 bytes each). False
            keeps nothing that grows with the stream: watch it with ``on_update``.

        Returns
        -------
        TBPTTHistory
            Empty arrays when ``record`` is False. Its per-update numbers are float64
            whatever the parameters' dtype: counts of targets over a long stream
            would lose their units in float32.
        """
        check_chunks(chunks)
        if on_update is not None:
            check_callable("on_update", on_update)
        record = check_flag("record", record)
        starts, n_flags = _reset_steps(resets)
        starts_set = set(starts.tolist())
        self.cell.initial_state(h0=h0, c0=c0)          # reject c0 for the RNN before any work
        stream = self.stream = _Stream(self.k2, record)
        t = 0
        bar = progress_bar(None, progress, unit="step", desc=f"TBPTT({self.k1}, {self.k2})")
        for index, chunk in enumerate(chunks):
            x, y, weights = check_chunk(index, chunk, stream.N, self.D, self.O, self.head)
            if t == 0:
                stream.N = x.shape[0]
                stream.state0 = initial_state(self.cell, stream.N, self.H, x.dtype, h0, c0)
                stream.start_sequence(1)
            for step in range(x.shape[1]):
                t += 1
                if t in starts_set and t > stream.segment_start:
                    if stream.last_update < t - 1:
                        self._update(stream, t - 1, on_update)
                    stream.start_sequence(t)
                stream.state, cache = self.cell.step_forward(x[:, step].copy(), stream.state, self.params["Wx"],
                                                             self.params["Wh"], self.params["b"])
                # Copies, so the buffer does not keep whole chunks alive.
                stream.buffer.append((cache, y[:, step].copy(), weights[:, step].copy()))
                if (t - stream.segment_start + 1) % self.k1 == 0:
                    self._update(stream, t, on_update)
            if bar is not None:
                bar.update(x.shape[1])
        if bar is not None:
            bar.close()
        if t == 0:
            raise ValueError("the stream is empty; expected at least one chunk with T_chunk >= 1")
        if n_flags is not None and n_flags != t:
            raise ValueError(f"resets flags must have one entry per step, {t}, got {n_flags}")
        _check_resets_within("resets", starts, t)
        if stream.last_update < t:
            self._update(stream, t, on_update)
        log = stream.log or (array.array("q"), array.array("d"), array.array("d"), array.array("d"))
        return TBPTTHistory(*(np.array(column) for column in log))

    def stored_bytes(self):
        """Bytes the ring buffer holds now (step caches, targets, step weights; not Wx, Wh, which steps share)."""
        if self.stream is None:
            raise ValueError("stored_bytes needs a stream: call fit_stream first")
        weights = (self.params["Wx"], self.params["Wh"])
        arrays = {id(value): value for step, targets, step_weights in self.stream.buffer
                  for value in (*step.values(), targets, step_weights)
                  if isinstance(value, np.ndarray) and not any(value is matrix for matrix in weights)}
        return int(sum(value.nbytes for value in arrays.values()))


def tbptt_gradients(params, x, y, k1, k2, cell="lstm", h0=None, c0=None, step_weights=None, resets=None,
                    head="squared_error"):
    """Gradients of TBPTT(k1, k2) at every update time, with the weights held fixed.

    The per-step loss is the head's, summed over the batch n (not averaged); for the
    default squared error l_tau = 1/2 sum_n ||h_tau Wy + by - y_tau||^2, and
    ``step_weights`` multiplies it by w_tau. At update time t (see
    :func:`~lstm_course.train.tbptt.schedule.tbptt_schedule`) the gradient is

        g_t = d/dtheta sum_{tau = first..t} l_tau,

    backpropagated through steps w..t only, with the state entering step w
    held constant.

    Parameters
    ----------
    params : dict
        ``Wx, Wh, b, Wy, by`` (see :mod:`lstm_course.models.recurrent`). Not modified.
    x : ndarray (N, T, D)
    y : ndarray (N, T, O), or int codes (N, T) for ``head="softmax_cross_entropy"``
    k1 : int >= 1
    k2 : int >= 1 or None
    cell : {"lstm", "rnn"}
    h0, c0 : ndarray (N, H), optional
        Initial state (zeros if omitted); ``c0`` only for the LSTM.
    step_weights : ndarray (T,) or (N, T), optional
    resets : 1-D bool array (T,) or int array of 1-based steps, optional
    head : str or :class:`lstm_course.nn.readout.Head`

    Returns
    -------
    list of (t, grads)
        t is the 1-based update time; grads is a dict keyed ``Wx, Wh, b, Wy, by``.
    """
    recurrent.check_params(params, recurrent.check_cell(cell))
    head = readout.get(head)
    x = as_float_array("x", x, ndim=3)
    N, T, _ = x.shape
    head.check_targets("y", y, (N, T), params["Wy"].shape[1], "N, T")
    check_shape("x", x, (N, T, params["Wx"].shape[0]), "(N, T, D) with D from Wx")
    _check_resets_within("resets", _reset_steps(resets)[0], T)
    trainer = TBPTTTrainer(params, None, k1, k2, cell, head)
    collected = []
    trainer.fit_stream([(x, y, step_weights)], resets=resets, h0=h0, c0=c0, record=False,
                       on_update=lambda t, loss, grads: collected.append((t, grads)))
    return collected
