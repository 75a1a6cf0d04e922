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
:func:`lstm_course.models.recurrent.squared_error`.
"""

from __future__ import annotations

import array
import collections

import numpy as np

from lstm_course._progress import progress_bar
from lstm_course._validation import as_float_array, check_int, check_scalar, check_shape, check_stream_chunk
from lstm_course.models import recurrent
from lstm_course.nn import cells
from lstm_course.train.optim import clip_grad_norm
from lstm_course.train.tbptt.schedule import (
    TBPTTHistory,
    _check_resets_within,
    _check_truncation,
    _reset_steps,
)

__all__ = ["window_gradient", "TBPTTTrainer", "tbptt_gradients"]


def window_gradient(params, cell, window, n_injected):
    """The gradient of one TBPTT update, given the buffered window: the whole algorithm on one screen.

    ``window`` holds steps w..t, oldest first, as ``(step, y_tau, weight_tau)``
    with ``step`` the cache of ``cells.get(cell).step_forward``. The losses of
    the last ``n_injected`` steps are injected,

        l_tau = 1/2 sum_n weight_{n,tau} ||h_tau Wy + by - y_tau||^2,

    and backpropagated down to step w; the state entering step w is a constant.
    The stored activations are paired with the *current* weights in ``params``
    (Williams & Peng 1990; exact when the weights have not changed since).

    Parameters
    ----------
    params : dict
        ``Wx, Wh, b, Wy, by``. Not modified.
    cell : {"rnn", "lstm"}
    window : sequence of (dict, ndarray (N, O), ndarray (N,))
    n_injected : int
        Number of injected losses, 0 <= n_injected <= len(window).

    Returns
    -------
    grads : dict
        Keyed ``Wx, Wh, b, Wy, by``.
    loss : float
        Sum of the injected losses.
    n_targets : float
        Sum of the injected step weights over the batch.
    """
    D = recurrent.check_params(params, cell)[0]
    if not isinstance(window, (list, tuple, collections.deque)) or not window or not all(
            isinstance(item, tuple) and len(item) == 3 and isinstance(item[0], dict) for item in window):
        raise ValueError(f"window must be a non-empty sequence of (step cache, y_tau, weight_tau) tuples, "
                         f"got {type(window).__name__}")
    n_injected = check_int("n_injected", n_injected, minimum=0, maximum=len(window))
    x_w = window[0][0].get("x")
    if np.ndim(x_w) != 2 or np.shape(x_w)[1] != D:
        raise ValueError(f"window steps must hold inputs x_tau (N, D) with D = {D} from params['Wx'], "
                         f"got shape {np.shape(x_w)}")
    return _window_gradient(params, cell, window, n_injected)


def _window_gradient(params, cell, window, n_injected):
    spec = cells.get(cell, recurrent.CELLS)
    Wy, by = params["Wy"], params["by"]
    grads = {name: np.zeros_like(params[name]) for name in recurrent.PARAM_NAMES}
    loss = n_targets = 0.0
    dstate = tuple(np.zeros_like(window[-1][0]["h"]) for _ in spec.state_names)
    for position in reversed(range(len(window))):
        step, y_tau, weight_tau = window[position]
        if position >= len(window) - n_injected:         # step tau injects its loss
            residual = step["h"] @ Wy + by - y_tau
            dyhat = weight_tau[:, None] * residual
            loss += 0.5 * float(np.sum(dyhat * residual))
            n_targets += float(np.sum(weight_tau))
            readout, dh = recurrent.readout_backward_kernel(dyhat, step["h"], Wy)
            grads["Wy"] += readout["Wy"]
            grads["by"] += readout["by"]
            dstate = (dstate[0] + dh,) + dstate[1:]
        step = {**step, "Wx": params["Wx"], "Wh": params["Wh"]}   # stored activations, current weights
        _, dstate, dWx, dWh, db = spec.step_backward(dstate, step)
        grads["Wx"] += dWx
        grads["Wh"] += dWh
        grads["b"] += db
    return grads, loss, n_targets


class _Stream:
    """Everything :class:`TBPTTTrainer` tracks while it walks one stream."""

    def __init__(self, state0, k2):
        self.state0 = state0          # tuple, the state entering step 1 and every reset
        self.state = state0
        self.buffer = collections.deque(maxlen=k2)   # ring buffer of (step, y, weight), steps w..t
        self.segment_start = 1        # first step of the current sequence
        self.last_update = 0          # step of the last update
        self.N = None                 # batch size, fixed by the first chunk
        # The per-update log is the only storage that grows with the stream: 24 bytes per update.
        self.record = (array.array("q"), array.array("d"), array.array("d"))

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
        ``Wx, Wh, b, Wy, by`` (see :mod:`lstm_course.models.recurrent`); updated in place.
    optimizer : object with ``step(params, grads)`` or None
        None keeps the weights fixed (gradients only).
    k1 : int >= 1
    k2 : int >= 1 or None
    cell : {"lstm", "rnn"}
    max_grad_norm : float, optional
        Clip the global gradient norm before each optimiser step.

    Attributes
    ----------
    stream : object or None
        The per-stream state of the current (or last) :meth:`fit_stream` call:
        ``buffer`` (the ring buffer of step caches), ``state``, ``segment_start``,
        ``last_update``. Read it, e.g. ``len(trainer.stream.buffer)`` inside ``on_update``.
    """

    def __init__(self, params, optimizer, k1, k2, cell="lstm", max_grad_norm=None):
        self.cell = recurrent.check_cell(cell)
        self.spec = cells.get(cell)
        self.D, self.H, self.O = recurrent.check_params(params, cell)
        self.k1, self.k2 = _check_truncation(k1, k2)
        if optimizer is not None and not callable(getattr(optimizer, "step", None)):
            raise ValueError(f"optimizer must have a step(params, grads) method or be None, got {optimizer!r}")
        max_grad_norm = check_scalar("max_grad_norm", max_grad_norm, low=0, low_open=True, allow_none=True)
        self.params, self.optimizer, self.max_grad_norm = params, optimizer, max_grad_norm
        self.stream = None

    def _forward_step(self, stream, x_t, y_t, weight_t):
        p = self.params
        stream.state, step = self.spec.step_forward(x_t, stream.state, p["Wx"], p["Wh"], p["b"])
        stream.buffer.append((step, y_t, weight_t))

    def _update(self, stream, t, on_update):
        """One update at time t: the window gradient, the callback, the optimiser step, the log."""
        n_injected = min(len(stream.buffer), t - stream.last_update)   # steps first_injected..t
        grads, loss, n_targets = _window_gradient(self.params, self.cell, stream.buffer, n_injected)
        if on_update is not None:
            on_update(t, grads, loss)
        if self.optimizer is not None:
            if self.max_grad_norm is not None:
                clip_grad_norm(grads, self.max_grad_norm)
            self.optimizer.step(self.params, grads)
        stream.last_update = t
        for log, value in zip(stream.record, (t, loss, n_targets)):
            log.append(value)

    def _initial_state(self, stream, dtype, given):
        """The state tuple entering step 1, zeros where ``given`` (h0=..., c0=...) holds None."""
        shape = (stream.N, self.H)
        state = []
        for name, value in zip(self.spec.state_names, self.spec.initial_state(**given)):
            if value is None:
                value = np.zeros(shape, dtype=dtype)
            else:
                value = as_float_array(f"{name}0", value, ndim=2)
                check_shape(f"{name}0", value, shape, "(N, H)")
            state.append(value)
        return tuple(state)

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
            :class:`lstm_course.data.tasks.TaskData` is such a 3-tuple).
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
        if chunks is None or isinstance(chunks, (str, bytes, dict)) or not hasattr(chunks, "__iter__"):
            raise ValueError(f"chunks must be an iterable of (x, y) or (x, y, step_weights) tuples, "
                             f"got {type(chunks).__name__}")
        reset_steps, n_flags = _reset_steps(resets)
        reset_set = set(reset_steps.tolist())
        self.spec.initial_state(h0=h0, c0=c0)          # reject c0 for the RNN before any work
        stream = self.stream = _Stream(None, self.k2)
        t = 0
        bar = progress_bar(None, progress, unit="step", desc=f"TBPTT({self.k1}, {self.k2})")
        for index, chunk in enumerate(chunks):
            x, y, weights = check_stream_chunk(index, chunk, stream.N, self.D, self.O)
            stream.N = x.shape[0]
            if t == 0:
                stream.state0 = self._initial_state(stream, x.dtype, {"h0": h0, "c0": c0})
                stream.start_sequence(1)
            for step in range(x.shape[1]):
                t += 1
                if t in reset_set and t > stream.segment_start:
                    if stream.last_update < t - 1:
                        self._update(stream, t - 1, on_update)
                    stream.start_sequence(t)
                # Copies, so the buffer does not keep whole chunks alive.
                self._forward_step(stream, x[:, step].copy(), y[:, step].copy(), weights[:, step].copy())
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
        _check_resets_within("resets", reset_steps, t)
        if stream.last_update < t:
            self._update(stream, t, on_update)
        return TBPTTHistory(*(np.array(log) for log in stream.record))


def tbptt_gradients(params, x, y, k1, k2, cell="lstm", h0=None, c0=None, step_weights=None, resets=None):
    """Gradients of TBPTT(k1, k2) at every update time, with the weights held fixed.

    The per-step loss is l_tau = 1/2 sum_n ||h_tau Wy + by - y_tau||^2, summed
    over the batch n (not averaged); ``step_weights`` multiplies it by w_tau.
    At update time t (see :func:`~lstm_course.train.tbptt.schedule.tbptt_schedule`) the gradient is

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
    recurrent.check_params(params, recurrent.check_cell(cell))
    x = as_float_array("x", x, ndim=3)
    N, T, _ = x.shape
    y = as_float_array("y", y, ndim=3)
    check_shape("y", y, (N, T, params["Wy"].shape[1]), "(N, T, O) with N, T from x and O from Wy")
    check_shape("x", x, (N, T, params["Wx"].shape[0]), "(N, T, D) with D from Wx")
    _check_resets_within("resets", _reset_steps(resets)[0], T)
    trainer = TBPTTTrainer(params, None, k1, k2, cell)
    collected = []
    trainer.fit_stream([(x, y, step_weights)], resets=resets, h0=h0, c0=c0,
                       on_update=lambda t, grads, loss: collected.append((t, grads)))
    return collected

