"""When TBPTT(k1, k2) updates, which steps each update backpropagates, and what that costs (Chapter 6).

:func:`tbptt_schedule` lists the updates ``(t, w, first_injected)`` of TBPTT(k1, k2) over a
sequence (the semantics are in :mod:`lstm_course.train.tbptt.engine`), and :func:`cost_summary` counts
updates, backward steps, stored steps and dropped losses from it. The engine that computes
the gradients is :mod:`lstm_course.train.tbptt.engine`.
"""
from typing import NamedTuple

import numpy as np

from lstm_course._validation import check_positive_int, check_scalar


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
        raise ValueError(f"resets must hold 1-based steps >= 1, got {array.min()}")
    return np.unique(array.astype(np.int64)), None


def _check_resets_within(name, reset_steps, T):
    """Raise ``ValueError`` if a 1-based reset step lies beyond the sequence's T steps."""
    if reset_steps.size and reset_steps.max() > T:
        raise ValueError(f"{name} must be 1-based steps in [1, T] = [1, {T}], got {reset_steps.max()}")


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
    _check_resets_within("resets", reset_steps, T)
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
    """What :meth:`lstm_course.train.tbptt.engine.TBPTTTrainer.fit_stream` records, one entry per update."""

    update_times: np.ndarray   # (n_updates,) 1-based step of each update
    losses: np.ndarray         # (n_updates,) sum of the injected weighted losses
    n_targets: np.ndarray      # (n_updates,) sum of injected step weights over the batch
    grad_norms: np.ndarray     # (n_updates,) global norm of the training gradient before clipping (NaN: no optimiser)

    @property
    def mean_losses(self):
        """Loss per target vector at each update: losses / n_targets (0 where nothing was injected)."""
        return self.losses / np.maximum(self.n_targets, 1.0)

    def clipped_fraction(self, max_grad_norm):
        """Fraction of the updates whose gradient norm exceeded ``max_grad_norm`` (so clipping rescaled it)."""
        max_grad_norm = check_scalar("max_grad_norm", max_grad_norm, low=0, low_open=True)
        if self.grad_norms.size == 0:
            raise ValueError("the history has no updates (fit_stream(..., record=False) keeps none)")
        return float(np.mean(self.grad_norms > max_grad_norm))
