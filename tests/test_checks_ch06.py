"""The Chapter 6 checkers accept correct code, and reject realistic mistakes and calls to the answer."""
import numpy as np
import pytest

from lstm_course import checks
from lstm_course.models import recurrent
from lstm_course.nn import rnn
from lstm_course.train.tbptt import engine
from lstm_course.train.tbptt.schedule import cost_summary, tbptt_schedule

# --------------------------------------------------------------------------- tbptt_schedule

def schedule(T, k1, k2):
    updates, previous = [], 0
    times = list(range(k1, T + 1, k1))
    if not times or times[-1] != T:
        times.append(T)
    for t in times:
        w = 1 if k2 is None else max(1, t - k2 + 1)
        updates.append((t, w, max(w, previous + 1)))
        previous = t
    return updates


def schedule_without_final_update(T, k1, k2):
    return [(t, w, first) for t, w, first in schedule(T, k1, k2) if t % k1 == 0]


def schedule_window_too_long(T, k1, k2):
    return [(t, 1 if k2 is None else max(1, t - k2), max(1 if k2 is None else max(1, t - k2), t - k1 + 1))
            for t, _, _ in schedule(T, k1, k2)]


def schedule_unclamped(T, k1, k2):
    out = []
    for t, w, first in schedule(T, k1, k2):
        w = 1 if k2 is None else t - k2 + 1
        out.append((t, w, max(w, first)))
    return out


def schedule_last_block_from_t_minus_k1(T, k1, k2):
    return [(t, w, max(w, t - k1 + 1)) for t, w, _ in schedule(T, k1, k2)]


def schedule_zero_based(T, k1, k2):
    return [(t - 1, w - 1, first - 1) for t, w, first in schedule(T, k1, k2)]


def schedule_calls_the_reference(T, k1, k2):
    return tbptt_schedule(T, k1, k2)


def schedule_from_the_cost_summary(T, k1, k2):
    backward = cost_summary(T, k1, k2).backward_steps
    return [(t, t - steps + 1, t - steps + 1) for t, steps in zip(range(k1, T + k1, k1), backward)]


def test_schedule_accepts_a_correct_solution():
    verdict = checks.check_tbptt_schedule(schedule)
    assert verdict, verdict.message


@pytest.mark.parametrize("wrong, hint", [
    (schedule_without_final_update, "partial last block"),
    (schedule_window_too_long, "not t - k2"),
    (schedule_unclamped, "max(1, t - k2 + 1)"),
    (schedule_last_block_from_t_minus_k1, "a second time"),
    (schedule_zero_based, "1-based"),
])
def test_schedule_rejects_a_plausible_mistake_with_its_hint(wrong, hint):
    verdict = checks.check_tbptt_schedule(wrong)
    assert not verdict
    assert hint in verdict.message


@pytest.mark.parametrize("cheat", [schedule_calls_the_reference, schedule_from_the_cost_summary])
def test_schedule_calling_the_answer_is_rejected(cheat):
    verdict = checks.check_tbptt_schedule(cheat)
    assert not verdict
    assert "ran the course's" in verdict.message
    assert tbptt_schedule(10, 4, 2) == [(4, 3, 3), (8, 7, 7), (10, 9, 9)]   # restored afterwards


# --------------------------------------------------------------------------- tbptt_gradients (RNN)

def gradients(params, x, y, k1, k2, *, final=True, only_last=False, entering="carried", extra=0, mean=False):
    """TBPTT(k1, k2) from rnn_forward / rnn_backward; the keyword arguments inject one mistake each."""
    Wx, Wh, b, Wy, by = (params[name] for name in recurrent.PARAM_NAMES)
    N, T, _ = x.shape
    h0 = np.zeros((N, Wh.shape[0]), dtype=x.dtype)
    states, _ = rnn.rnn_forward(x, h0, Wx, Wh, b)
    times = list(range(k1, T + 1, k1))
    if final and (not times or times[-1] != T):
        times.append(T)
    result, previous = [], 0
    for t in times:
        w = max(1, t - k2 + 1 - extra)
        first = t if only_last else max(w, previous + 1)
        before = {"carried": w - 1, "zeros": 0, "previous update": previous}[entering]
        h, cache = rnn.rnn_forward(x[:, w - 1:t], states[:, before - 1] if before else h0, Wx, Wh, b)
        dyhat = h @ Wy + by - y[:, w - 1:t]
        dyhat[:, :first - w] = 0
        if mean:
            dyhat = dyhat / N
        _, _, dWx, dWh, db = rnn.rnn_backward(dyhat @ Wy.T, cache)
        dWy = sum(h[:, j].T @ dyhat[:, j] for j in range(t - w + 1))
        result.append((t, {"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dyhat.sum(axis=(0, 1))}))
        previous = t
    return result


def gradients_upcast(params, x, y, k1, k2):
    return [(t, {k: v.astype(np.float64) for k, v in g.items()}) for t, g in gradients(params, x, y, k1, k2)]


def gradients_step_by_step(params, x, y, k1, k2):
    """A second correct solution: one loop over steps with rnn_step_forward / rnn_step_backward."""
    Wx, Wh, b, Wy, by = (params[name] for name in recurrent.PARAM_NAMES)
    N, T, _ = x.shape
    h, caches, out, last = np.zeros((N, Wh.shape[0]), dtype=x.dtype), [], [], 0
    for t in range(1, T + 1):
        h, cache = rnn.rnn_step_forward(x[:, t - 1], h, Wx, Wh, b)
        caches.append(cache)
        if t % k1 and t != T:
            continue
        g = {k: np.zeros_like(v) for k, v in params.items()}
        dh_next = np.zeros_like(h)
        for tau in range(t, max(1, t - k2 + 1) - 1, -1):
            c = caches[tau - 1]
            dh = dh_next
            if tau > last:
                dyhat = c["h"] @ Wy + by - y[:, tau - 1]
                g["Wy"] += c["h"].T @ dyhat
                g["by"] += dyhat.sum(axis=0)
                dh = dh + dyhat @ Wy.T
            _, dh_next, dWx, dWh, db = rnn.rnn_step_backward(dh, c)
            g["Wx"] += dWx
            g["Wh"] += dWh
            g["b"] += db
        out.append((t, g))
        last = t
    return out


def gradients_call_the_engine(params, x, y, k1, k2):
    return engine.tbptt_gradients(params, x, y, k1, k2, cell="rnn")


def gradients_from_windowed_full_bptt(params, x, y, k1, k2):
    """Per-window full BPTT with the injected losses selected by step weights: recurrent.loss_and_grads is off."""
    N, T, _ = x.shape
    states, _ = rnn.rnn_forward(x, None, params["Wx"], params["Wh"], params["b"])
    out = []
    for t, w, first in schedule(T, k1, k2):
        weights = (np.arange(w, t + 1) >= first).astype(float)
        h0 = states[:, w - 2] if w > 1 else None
        out.append((t, recurrent.loss_and_grads(params, x[:, w - 1:t], y[:, w - 1:t], "rnn", weights, h0)[1]))
    return out


def test_gradients_accept_two_correct_solutions():
    assert checks.check_tbptt_gradients(gradients)
    verdict = checks.check_tbptt_gradients(gradients_step_by_step)
    assert verdict, verdict.message


@pytest.mark.parametrize("mistake, hint", [
    (dict(final=False), "partial last block"),
    (dict(only_last=True), "not only the loss at t"),
    (dict(entering="zeros"), "not from zeros"),
    (dict(entering="previous update"), "previous update time"),
    (dict(extra=1), "stops at step w"),
    (dict(mean=True), "not averaged"),
])
def test_gradients_reject_a_plausible_mistake_with_its_hint(mistake, hint):
    verdict = checks.check_tbptt_gradients(lambda *args: gradients(*args, **mistake))
    assert not verdict
    assert hint in verdict.message


def test_gradients_must_keep_float32():
    verdict = checks.check_tbptt_gradients(gradients_upcast)
    assert not verdict
    assert "float32" in verdict.message


@pytest.mark.parametrize("cheat", [gradients_call_the_engine, gradients_from_windowed_full_bptt])
def test_gradients_calling_the_answer_is_rejected(cheat):
    verdict = checks.check_tbptt_gradients(cheat)
    assert not verdict
    assert "ran the course's" in verdict.message


def test_a_wrong_return_structure_is_feedback():
    verdict = checks.check_tbptt_gradients(lambda params, x, y, k1, k2: None)
    assert not verdict
    assert "list of (t, grads) pairs" in verdict.message


@pytest.mark.parametrize("checker", ["check_tbptt_schedule", "check_tbptt_gradients"])
def test_misuse_raises_a_clear_value_error(checker):
    with pytest.raises(ValueError, match="fn must be a function"):
        getattr(checks, checker)("not a function")


def schedule_injects_the_whole_window(T, k1, k2):
    return [(t, w, w) for t, w, _ in schedule(T, k1, k2)]


def schedule_ignores_k2(T, k1, k2):
    return [(t, 1, first) for t, _, first in schedule(T, k1, None)]


@pytest.mark.parametrize("wrong, hint", [
    (schedule_injects_the_whole_window, "max(w, previous update + 1)"),
    (schedule_ignores_k2, "backpropagates to the start"),
])
def test_schedule_recognises_more_mistakes(wrong, hint):
    verdict = checks.check_tbptt_schedule(wrong)
    assert not verdict
    assert hint in verdict.message
    assert "your update at t = " in verdict.message or "your schedule has" in verdict.message
    assert "updates at each step" not in verdict.message


def test_gradient_feedback_names_the_update():
    verdict = checks.check_tbptt_gradients(lambda *args: gradients(*args, mean=True))
    assert "of the update at t = " in verdict.message
