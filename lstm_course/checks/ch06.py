"""Checkers for the Chapter 6 exercises (TBPTT(k1, k2): the schedule and the gradients).

The student's results are laid out **per step** before they are compared: an
update at time t fills row t - 1 of each output, other rows stay zero. So a
missing or extra update changes values, not shapes, and the mistake catalogue
can still recognise what went wrong.
"""
import importlib

import numpy as np

from .. import gradcheck, models, rnn, rtrl, tbptt
from .._validation import check_callable
from ._harness import Case, Mistake, run_check

_GRAD_NAMES = tuple(f"grads['{name}']" for name in models.PARAM_NAMES)


def _optional(module_name, *qualname):
    """A package function that another part of the course may or may not provide (None if absent)."""
    try:
        target = importlib.import_module(f"lstm_course.{module_name}")
    except ImportError:
        return None
    for part in qualname:
        target = getattr(target, part, None)
    return target


def _answer_functions():
    """Everything in the package that computes a TBPTT schedule or gradient."""
    functions = (tbptt.tbptt_schedule, tbptt.cost_summary, tbptt.tbptt_gradients, tbptt.stale_gradient_recipe,
                 tbptt.TBPTTTrainer.fit_stream, tbptt.TBPTTTrainer._update, rtrl.rtrl_gradients,
                 models.loss_and_grads, models.backward, gradcheck.numerical_gradient,
                 _optional("artbp", "_SegmentBPTT", "_backward"))
    return tuple(function for function in functions if function is not None)


# --------------------------------------------------------------------------- schedule


def _schedule_per_step(schedule, T):
    """(t, w, first) tuples -> three (T,) float arrays: updates per step, w and first at each update."""
    if not isinstance(schedule, (list, tuple)):
        raise TypeError(f"return a list of (t, w, first_injected) tuples, got {type(schedule).__name__}")
    updates, starts, firsts = np.zeros(T), np.zeros(T), np.zeros(T)
    for entry in schedule:
        if len(entry) != 3:
            raise TypeError(f"each update should be a tuple (t, w, first_injected), got {entry!r}")
        t, w, first = (int(value) for value in entry)
        if not 1 <= t <= T:
            raise ValueError(f"update time t = {t} lies outside the steps 1..T = 1..{T} (steps are 1-based)")
        if w < 1:
            raise ValueError(f"window start w = {w} at t = {t}: steps are 1-based and no window starts before "
                             "step 1, so w = max(1, t - k2 + 1)")
        updates[t - 1] += 1
        starts[t - 1] += w
        firsts[t - 1] += first
    return {"updates at each step": updates, "w of each update": starts, "first_injected of each update": firsts}


def _reference_schedule(T, k1, k2):
    return _schedule_per_step(tbptt.tbptt_schedule(T, k1, k2), T)


def _schedule_variant(T, k1, k2, final=True, offset=0, block_start=False):
    schedule, previous = [], 0
    times = list(range(k1, T + 1, k1)) + ([T] if final and T % k1 else [])
    for t in times:
        w = 1 if k2 is None else max(1, t - k2 + 1 - offset)
        first = max(w, t - k1 + 1) if block_start else max(w, previous + 1)
        schedule.append((t, w, first))
        previous = t
    return _schedule_per_step(schedule, T)


_SCHEDULE_MISTAKES = [
    Mistake("updates at each step", lambda T, k1, k2: _schedule_variant(T, k1, k2, final=False)["updates at each step"],
            "when T is not a multiple of k1 there is one more update, at t = T, for the partial last block."),
    Mistake("w of each update", lambda T, k1, k2: _schedule_variant(T, k1, k2, offset=1)["w of each update"],
            "the window w..t holds k2 steps, so w = t - k2 + 1, not t - k2."),
    Mistake("first_injected of each update",
            lambda T, k1, k2: _schedule_variant(T, k1, k2, block_start=True)["first_injected of each update"],
            "the partial last block starts right after the previous update; t - k1 + 1 would inject some "
            "losses a second time."),
]


def _schedule_cases():
    triples = [(10, 4, 2), (12, 2, 6), (12, 4, 4), (11, 3, 5), (10, 4, 6), (1, 1, 1), (5, 7, 2), (7, 1, None),
               (9, 3, None), (6, 2, 20), (13, 5, 1), (8, 8, 8)]
    return [Case(f"T={T}, k1={k1}, k2={k2}", (T, k1, k2)) for T, k1, k2 in triples]


def check_tbptt_schedule(fn):
    """Check a student's ``tbptt_schedule(T, k1, k2) -> [(t, w, first_injected), ...]``.

    Compares with :func:`lstm_course.tbptt.tbptt_schedule` (without resets) on twelve
    cases, including T = 1, k1 > T, k2 > T and ``k2=None``. The feedback lays the
    updates out per step: "updates at each step" counts the updates made at each
    step t (1 at update times, else 0); "w of each update" and "first_injected of
    each update" hold w and the first injected step in row t.
    """
    check_callable("fn", fn)
    return run_check("tbptt_schedule", lambda T, k1, k2: _schedule_per_step(fn(T, k1, k2), T),
                     _reference_schedule, _schedule_cases(), outputs=tuple(_reference_schedule(1, 1, 1)),
                     mistakes=_SCHEDULE_MISTAKES, blocked=_answer_functions())


# --------------------------------------------------------------------------- TBPTT gradients of the RNN


def _gradients_per_step(updates, params, T):
    """[(t, grads), ...] -> update counts (T,) and, per parameter, an array (T, *shape) with g_t in row t - 1."""
    if not isinstance(updates, (list, tuple)):
        raise TypeError(f"return a list of (t, grads) pairs, one per update, got {type(updates).__name__}")
    pairs = []
    for entry in updates:
        if len(entry) != 2 or not isinstance(entry[1], dict):
            raise TypeError("each update should be a pair (t, grads) with grads a dict keyed Wx, Wh, b, Wy, by")
        t, grads = int(entry[0]), entry[1]
        if not 1 <= t <= T:
            raise ValueError(f"update time t = {t} lies outside the steps 1..T = 1..{T} (steps are 1-based)")
        missing = [name for name in models.PARAM_NAMES if name not in grads]
        if missing:
            raise KeyError(f"grads at t = {t} has no {', '.join(missing)}")
        pairs.append((t, grads))
    out = {"updates at each step": np.zeros(T)}
    for name, label in zip(models.PARAM_NAMES, _GRAD_NAMES):
        dtype = np.result_type(*[np.asarray(grads[name]) for _, grads in pairs]) if pairs else params[name].dtype
        out[label] = np.zeros((T,) + params[name].shape, dtype=dtype)
    for t, grads in pairs:
        out["updates at each step"][t - 1] += 1
        for name, label in zip(models.PARAM_NAMES, _GRAD_NAMES):
            value = np.asarray(grads[name])
            if value.shape != params[name].shape:
                raise ValueError(f"grads['{name}'] at t = {t} has shape {value.shape}, expected "
                                 f"{params[name].shape}, the shape of params['{name}']")
            out[label][t - 1] += value
    return out


def _reference_gradients(params, x, y, k1, k2):
    return _gradients_per_step(tbptt.tbptt_gradients(params, x, y, k1, k2, cell="rnn"), params, x.shape[1])


def _gradient_variant(params, x, y, k1, k2, final=True, only_last=False, state="carried", offset=0, mean=False):
    """TBPTT(k1, k2) of the RNN with one deliberate mistake (for the hints)."""
    Wx, Wh, b, Wy, by = (params[name] for name in models.PARAM_NAMES)
    N, T, _ = x.shape
    zeros = np.zeros((N, Wh.shape[0]), dtype=x.dtype)
    h_all, _ = rnn.rnn_forward(x, zeros, Wx, Wh, b)
    times = list(range(k1, T + 1, k1)) + ([T] if final and T % k1 else [])
    updates, previous = [], 0
    for t in times:
        w = max(1, t - k2 + 1 - offset)
        first = t if only_last else max(w, previous + 1)
        entering = {"carried": w - 1, "zeros": 0, "previous update": previous}[state]
        h, cache = rnn.rnn_forward(x[:, w - 1:t], h_all[:, entering - 1] if entering else zeros, Wx, Wh, b)
        dyhat = h @ Wy + by - y[:, w - 1:t]
        dyhat[:, :first - w] = 0.0
        dyhat = dyhat / N if mean else dyhat
        _, _, dWx, dWh, db = rnn.rnn_backward(dyhat @ Wy.T, cache)
        grads = dict(zip(models.PARAM_NAMES, (dWx, dWh, db, np.einsum("nth,nto->ho", h, dyhat),
                                               dyhat.sum(axis=(0, 1)))))
        updates.append((t, grads))
        previous = t
    return _gradients_per_step(updates, params, T)


def _gradient_mistake(output, hint, **mistake):
    return Mistake(output, lambda *args: _gradient_variant(*args, **mistake)[output], hint)


_GRADIENT_MISTAKES = [
    _gradient_mistake("updates at each step", "when T is not a multiple of k1, the partial last block gets an "
                      "update at t = T.", final=False),
    _gradient_mistake("grads['Wy']", "inject every loss of the block that lies inside the window "
                      "(steps max(w, previous update + 1)..t), not only the loss at t.", only_last=True),
    _gradient_mistake("grads['Wh']", "the window must start from the state the forward pass carried into step w, "
                      "h_{w-1}, not from zeros: truncation cuts the backward pass, not the forward one.",
                      state="zeros"),
    _gradient_mistake("grads['Wh']", "the state entering the window is h_{w-1} with w = t - k2 + 1, not the state "
                      "at the previous update time (they differ when k1 != k2).", state="previous update"),
    _gradient_mistake("grads['Wh']", "the window w..t holds k2 steps: w = max(1, t - k2 + 1), so the backward "
                      "pass stops at step w.", offset=1),
    _gradient_mistake("grads['Wy']", "the loss is summed over the batch, not averaged: do not divide by N.",
                      mean=True),
]


def _gradient_cases(seed):
    rng = np.random.default_rng(seed)
    shapes = [  # N, T, D, H, O, k1, k2, dtype
        (2, 9, 2, 3, 1, 2, 4, np.float64),    # overlapping windows, partial last block
        (3, 10, 1, 2, 2, 4, 2, np.float64),   # k1 > k2: dropped losses
        (1, 7, 1, 1, 1, 3, 3, np.float64),    # N = 1, H = 1, Keras windows with a partial last one
        (2, 1, 2, 2, 1, 1, 1, np.float64),    # T = 1
        (1, 6, 3, 4, 1, 1, 10, np.float64),   # k2 > T: the online exact gradient
        (2, 8, 2, 3, 1, 8, 8, np.float64),    # one update: full BPTT
        (2, 9, 2, 3, 2, 3, 5, np.float32),    # float32 kept
    ]
    cases = []
    for N, T, D, H, O, k1, k2, dtype in shapes:
        params = {name: (0.6 * rng.normal(size=shape)).astype(dtype) for name, shape in
                  zip(models.PARAM_NAMES, ((D, H), (H, H), (H,), (H, O), (O,)))}
        x, y = rng.normal(size=(N, T, D)).astype(dtype), rng.normal(size=(N, T, O)).astype(dtype)
        cases.append(Case(f"N={N}, T={T}, D={D}, H={H}, O={O}, k1={k1}, k2={k2}, {np.dtype(dtype).name}",
                          (params, x, y, k1, k2)))
    return cases


def check_tbptt_gradients(fn):
    """Check a student's ``tbptt_gradients(params, x, y, k1, k2) -> [(t, grads), ...]`` for the Elman RNN.

    Compares with ``lstm_course.tbptt.tbptt_gradients(params, x, y, k1, k2, cell="rnn")``
    (initial state zeros, every step weighted 1, the loss summed over the batch) on
    seven cases: overlapping windows, k1 > k2, N = 1 and H = 1, T = 1, k2 > T, a
    single update, and float32. The feedback lays the updates out per step: row t - 1
    of ``grads['Wh']`` holds the gradient of the update at time t. Switched off while
    the student's function runs: every package function that computes a truncated
    gradient (``rnn_forward`` and ``rnn_backward`` stay available as building blocks).
    """
    check_callable("fn", fn)
    return run_check("tbptt_gradients",
                     lambda params, x, y, k1, k2: _gradients_per_step(fn(params, x, y, k1, k2), params, x.shape[1]),
                     _reference_gradients, _gradient_cases(seed=6),
                     outputs=("updates at each step", *_GRAD_NAMES), mistakes=_GRADIENT_MISTAKES,
                     blocked=_answer_functions())
