"""Checkers for the Chapter 6 exercises (TBPTT(k1, k2): the schedule and the gradients).

The student's results are laid out **per step** before they are compared: an
update at time t fills row t - 1 of each output, other rows stay zero. So a
missing or extra update changes values, not shapes, and the mistake catalogue
can still recognise what went wrong. The feedback names the update at time t,
not the row.
"""
import numpy as np

from lstm_course.checks._harness import ACTIVATIONS, Case, Mistake, run_check
from lstm_course.models import recurrent
from lstm_course.nn import rnn
from lstm_course.train.tbptt import engine
from lstm_course.train.tbptt.schedule import tbptt_schedule

_GRAD_NAMES = tuple(f"grads['{name}']" for name in recurrent.PARAM_NAMES)


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
    return {"updates": updates, "w": starts, "first_injected": firsts}


def _reference_schedule(T, k1, k2):
    return _schedule_per_step(tbptt_schedule(T, k1, k2), T)


def _schedule_variant(T, k1, k2, final=True, offset=0, block_start=False, whole_window=False, no_window=False):
    schedule, previous = [], 0
    times = list(range(k1, T + 1, k1)) + ([T] if final and T % k1 else [])
    for t in times:
        w = 1 if k2 is None or no_window else max(1, t - k2 + 1 - offset)
        first = max(w, t - k1 + 1) if block_start else max(w, previous + 1)
        schedule.append((t, w, w if whole_window else first))
        previous = t
    return _schedule_per_step(schedule, T)


def _schedule_mistake(output, hint, **mistake):
    return Mistake(output, lambda T, k1, k2: _schedule_variant(T, k1, k2, **mistake)[output], hint)


_SCHEDULE_MISTAKES = [
    _schedule_mistake("updates", "when T is not a multiple of k1 there is one more update, at t = T, for the "
                      "partial last block.", final=False),
    _schedule_mistake("w", "the window w..t holds k2 steps, so w = t - k2 + 1, not t - k2.", offset=1),
    _schedule_mistake("first_injected", "the partial last block starts right after the previous update; "
                      "t - k1 + 1 would inject some losses a second time.", block_start=True),
    _schedule_mistake("first_injected", "inject only the losses not injected before: first_injected = "
                      "max(w, previous update + 1); starting at w injects a loss again at every window that "
                      "covers it.", whole_window=True),
    _schedule_mistake("w", "the window holds at most k2 steps: w = max(1, t - k2 + 1); w = 1 backpropagates "
                      "to the start at every update.", no_window=True),
]


def _schedule_cases(seed):
    rng = np.random.default_rng(seed)
    edges = [(1, 1, 1), (5, 7, 2), (7, 1, None), (6, 2, 20), (8, 8, 8)]
    drawn = []
    while len(drawn) < 8:     # T not a multiple of k1 half of the time, k1 < k2 and k1 > k2 both
        T, k1 = int(rng.integers(4, 25)), int(rng.integers(1, 7))
        k2 = None if rng.random() < 0.1 else int(rng.integers(1, 9))
        if (len(drawn) % 2 == 0) == (T % k1 != 0):
            drawn.append((T, k1, k2))
    return [Case(f"T={T}, k1={k1}, k2={k2}", (T, k1, k2)) for T, k1, k2 in edges + drawn]


def _describe_schedule(name, index, got, expected):
    t = index[0] + 1
    if name == "updates":
        return f"your schedule has {got:g} update(s) at t = {t}, expected {expected:g}"
    return f"your update at t = {t} has {name} = {got:g}, expected {expected:g}"


def _students_schedule(schedule, args):
    return _schedule_per_step(schedule, args[0])


def check_tbptt_schedule(fn, *, seed=None):
    """Check a student's ``tbptt_schedule(T, k1, k2) -> [(t, w, first_injected), ...]``.

    Compares with :func:`lstm_course.train.tbptt.schedule.tbptt_schedule` (without resets) on thirteen
    cases: T = 1, k1 > T, k2 > T, ``k2=None``, k1 = k2 = T and eight drawn from ``seed``.
    Returns a :class:`~lstm_course.checks.Verdict` that names the first wrong update.
    The package's own code is off limits while ``fn`` runs.
    """
    return run_check("tbptt_schedule", fn, _reference_schedule, _schedule_cases, seed=seed,
                     outputs=("updates", "w", "first_injected"), mistakes=_SCHEDULE_MISTAKES, allowed=ACTIVATIONS,
                     convert=_students_schedule, describe=_describe_schedule)


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
        missing = [name for name in recurrent.PARAM_NAMES if name not in grads]
        if missing:
            raise KeyError(f"grads at t = {t} has no {', '.join(missing)}")
        pairs.append((t, grads))
    out = {"updates": np.zeros(T)}
    for name, label in zip(recurrent.PARAM_NAMES, _GRAD_NAMES):
        dtype = np.result_type(*[np.asarray(grads[name]) for _, grads in pairs]) if pairs else params[name].dtype
        out[label] = np.zeros((T,) + params[name].shape, dtype=dtype)
    for t, grads in pairs:
        out["updates"][t - 1] += 1
        for name, label in zip(recurrent.PARAM_NAMES, _GRAD_NAMES):
            value = np.asarray(grads[name])
            if value.shape != params[name].shape:
                raise ValueError(f"grads['{name}'] at t = {t} has shape {value.shape}, expected "
                                 f"{params[name].shape}, the shape of params['{name}']")
            out[label][t - 1] += value
    return out


def _reference_gradients(params, x, y, k1, k2):
    return _gradients_per_step(engine.tbptt_gradients(params, x, y, k1, k2, cell="rnn"), params, x.shape[1])


def _gradient_variant(params, x, y, k1, k2, final=True, only_last=False, state="carried", offset=0, mean=False):
    """TBPTT(k1, k2) of the RNN with one deliberate mistake (for the hints)."""
    Wx, Wh, b, Wy, by = (params[name] for name in recurrent.PARAM_NAMES)
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
        grads = dict(zip(recurrent.PARAM_NAMES, (dWx, dWh, db, np.einsum("nth,nto->ho", h, dyhat),
                                               dyhat.sum(axis=(0, 1)))))
        updates.append((t, grads))
        previous = t
    return _gradients_per_step(updates, params, T)


def _gradient_mistake(output, hint, **mistake):
    return Mistake(output, lambda *args: _gradient_variant(*args, **mistake)[output], hint)


_GRADIENT_MISTAKES = [
    _gradient_mistake("updates", "when T is not a multiple of k1, the partial last block gets an "
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
                  zip(recurrent.PARAM_NAMES, ((D, H), (H, H), (H,), (H, O), (O,)))}
        x, y = rng.normal(size=(N, T, D)).astype(dtype), rng.normal(size=(N, T, O)).astype(dtype)
        cases.append(Case(f"N={N}, T={T}, D={D}, H={H}, O={O}, k1={k1}, k2={k2}, {np.dtype(dtype).name}",
                          (params, x, y, k1, k2)))
    return cases


def _describe_gradients(name, index, got, expected):
    t = index[0] + 1
    if name == "updates":
        return f"you returned {got:g} update(s) at t = {t}, expected {expected:g}"
    entry = "[" + ", ".join(str(int(i)) for i in index[1:]) + "]" if len(index) > 1 else ""
    return f"your {name}{entry} of the update at t = {t} is {got:.4g}, expected {expected:.4g}"


def _students_gradients(updates, args):
    params, x = args[0], args[1]
    return _gradients_per_step(updates, params, x.shape[1])


def check_tbptt_gradients(fn, *, seed=None):
    """Check a student's ``tbptt_gradients(params, x, y, k1, k2) -> [(t, grads), ...]`` for the Elman RNN.

    Compares with ``lstm_course.train.tbptt.engine.tbptt_gradients(params, x, y, k1, k2, cell="rnn")``
    (initial state zeros, every step weighted 1, the loss summed over the batch) on
    seven cases drawn from ``seed``: overlapping windows, k1 > k2, N = 1 and H = 1,
    T = 1, k2 > T, a single update, and float32. Returns a
    :class:`~lstm_course.checks.Verdict` that names the update and entry that is off.
    While ``fn`` runs, the package's own code is off limits except the building blocks
    ``rnn.rnn_forward``, ``rnn.rnn_backward``, their one-step versions and
    :mod:`lstm_course.nn.activations`.
    """
    return run_check("tbptt_gradients", fn, _reference_gradients, _gradient_cases, seed=seed,
                     outputs=("updates", *_GRAD_NAMES), mistakes=_GRADIENT_MISTAKES,
                     allowed=(rnn.rnn_forward, rnn.rnn_backward, rnn.rnn_step_forward, rnn.rnn_step_backward,
                              *ACTIVATIONS),
                     convert=_students_gradients, describe=_describe_gradients)
