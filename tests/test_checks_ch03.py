"""The Chapter 3 checker accepts the reference, and rejects realistic mistakes and calls to the answer."""
import numpy as np
import pytest

from lstm_course import checks
from lstm_course.lab import unrolling
from lstm_course.models import recurrent
from lstm_course.nn import rnn
from lstm_course.nn.rnn import rnn_backward as imported_before_the_check


def correct(dh, cache):
    x, h0, h, Wx, Wh = cache["x"], cache["h0"], cache["h"], cache["Wx"], cache["Wh"]
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(Wh[0])
    dh_next = np.zeros_like(h0)
    for t in reversed(range(h.shape[1])):
        dz = (dh[:, t] + dh_next) * (1 - h[:, t] ** 2)
        dx[:, t] = dz @ Wx.T
        dWx += x[:, t].T @ dz
        dWh += (h[:, t - 1] if t > 0 else h0).T @ dz
        db += dz.sum(axis=0)
        dh_next = dz @ Wh.T
    return dx, dh_next, dWx, dWh, db


def no_carried_error(dh, cache):
    x, h0, h, Wx, Wh = cache["x"], cache["h0"], cache["h"], cache["Wx"], cache["Wh"]
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(Wh[0])
    for t in reversed(range(h.shape[1])):
        dz = dh[:, t] * (1 - h[:, t] ** 2)               # forgets what comes back from t+1
        dx[:, t] = dz @ Wx.T
        dWx += x[:, t].T @ dz
        dWh += (h[:, t - 1] if t > 0 else h0).T @ dz
        db += dz.sum(axis=0)
    return dx, dz @ Wh.T, dWx, dWh, db


def carried_error_skips_the_tanh(dh, cache):
    x, h0, h, Wx, Wh = cache["x"], cache["h0"], cache["h"], cache["Wx"], cache["Wh"]
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(Wh[0])
    dh_next = np.zeros_like(h0)
    for t in reversed(range(h.shape[1])):
        dz = dh[:, t] * (1 - h[:, t] ** 2) + dh_next
        dx[:, t] = dz @ Wx.T
        dWx += x[:, t].T @ dz
        dWh += (h[:, t - 1] if t > 0 else h0).T @ dz
        db += dz.sum(axis=0)
        dh_next = dz @ Wh.T
    return dx, dh_next, dWx, dWh, db


def last_state_as_h_prev_at_t0(dh, cache):
    x, h0, h, Wx, Wh = cache["x"], cache["h0"], cache["h"], cache["Wx"], cache["Wh"]
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(Wh[0])
    dh_next = np.zeros_like(h0)
    for t in reversed(range(h.shape[1])):
        dz = (dh[:, t] + dh_next) * (1 - h[:, t] ** 2)
        dx[:, t] = dz @ Wx.T
        dWx += x[:, t].T @ dz
        dWh += h[:, t - 1].T @ dz                        # h[:, -1] at t = 0
        db += dz.sum(axis=0)
        dh_next = dz @ Wh.T
    return dx, dh_next, dWx, dWh, db


def averaged_over_time(dh, cache):
    dx, dh0, dWx, dWh, db = correct(dh, cache)
    T = cache["h"].shape[1]
    return dx, dh0, dWx / T, dWh / T, db / T


def upcasts_to_float64(dh, cache):
    return tuple(np.asarray(value, dtype=np.float64) for value in correct(dh, cache))


def calls_the_reference(dh, cache):
    return rnn.rnn_backward(dh, cache)


def loops_over_the_step_backward(dh, cache):
    h0, h = cache["h0"], cache["h"]
    dx = np.zeros_like(cache["x"])
    dWx, dWh, db = np.zeros_like(cache["Wx"]), np.zeros_like(cache["Wh"]), np.zeros_like(cache["Wh"][0])
    dh_next = np.zeros_like(h0)
    for t in reversed(range(h.shape[1])):
        step = {"x": cache["x"][:, t], "h_prev": h[:, t - 1] if t else h0, "Wx": cache["Wx"],
                "Wh": cache["Wh"], "h": h[:, t]}
        dx[:, t], dh_next, a, b, c = rnn.rnn_step_backward(dh[:, t] + dh_next, step)
        dWx, dWh, db = dWx + a, dWh + b, db + c
    return dx, dh_next, dWx, dWh, db


def sums_the_per_step_gradients(dh, cache):
    parts = unrolling.per_step_gradients(dh, cache)
    return parts["dx"], parts["dh0"], parts["dWx"].sum(0), parts["dWh"].sum(0), parts["db"].sum(0)


def goes_through_the_model(dh, cache):
    return recurrent.backward(dh, cache)


def test_accepts_the_reference_solution():
    verdict = checks.check_rnn_backward(correct)
    assert verdict, verdict.message


@pytest.mark.parametrize("wrong, hint", [
    (no_carried_error, "PLUS the error that comes back"),
    (carried_error_skips_the_tanh, "before the tanh"),
    (last_state_as_h_prev_at_t0, "cache['h0']"),
    (averaged_over_time, "SUM over the steps"),
    (upcasts_to_float64, "float32"),
])
def test_rejects_a_plausible_mistake_with_its_hint(wrong, hint):
    verdict = checks.check_rnn_backward(wrong)
    assert not verdict
    assert hint in verdict.message


@pytest.mark.parametrize("cheat", [calls_the_reference, imported_before_the_check, loops_over_the_step_backward,
                                   sums_the_per_step_gradients])
def test_calling_the_answer_is_rejected(cheat):
    verdict = checks.check_rnn_backward(cheat)
    assert not verdict
    assert "ran the course's" in verdict.message


def test_going_through_the_model_is_rejected():
    verdict = checks.check_rnn_backward(goes_through_the_model)
    assert not verdict
    out = verdict.message
    assert "ran the course's" in out or "raised" in out


def test_the_answer_works_again_after_the_check():
    checks.check_rnn_backward(calls_the_reference)
    rng = np.random.default_rng(0)
    h, cache = rnn.rnn_forward(rng.normal(size=(2, 3, 2)), None, rng.normal(size=(2, 4)),
                               rng.normal(size=(4, 4)), rng.normal(size=4))
    assert len(rnn.rnn_backward(np.ones_like(h), cache)) == 5


def test_a_student_exception_is_feedback_not_a_crash():
    def unfinished(dh, cache):
        raise NotImplementedError()
    verdict = checks.check_rnn_backward(unfinished)
    assert not verdict
    assert "NotImplementedError" in verdict.message


def test_misuse_raises_a_clear_value_error():
    with pytest.raises(ValueError, match="fn must be a function"):
        checks.check_rnn_backward(None)


def forward_in_time(dh, cache):
    x, h0, h, Wx, Wh = (cache[key] for key in ("x", "h0", "h", "Wx", "Wh"))
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(Wh[0])
    dh_next = np.zeros_like(h0)
    for t in range(h.shape[1]):
        dz = (dh[:, t] + dh_next) * (1 - h[:, t] ** 2)
        dx[:, t] = dz @ Wx.T
        dWx += x[:, t].T @ dz
        dWh += (h[:, t - 1] if t > 0 else h0).T @ dz
        db += dz.sum(axis=0)
        dh_next = dz @ Wh.T
    return dx, dh_next, dWx, dWh, db


def sign_of_dWx(dh, cache):
    dx, dh0, dWx, dWh, db = correct(dh, cache)
    return dx, dh0, -dWx, dWh, db


@pytest.mark.parametrize("wrong, hint", [
    (forward_in_time, "the error flows backwards"),
    (sign_of_dWx, "wrong sign"),
])
def test_recognises_more_mistakes(wrong, hint):
    verdict = checks.check_rnn_backward(wrong)
    assert not verdict
    assert hint in verdict.message


def test_feedback_names_the_first_wrong_element_once():
    verdict = checks.check_rnn_backward(averaged_over_time, seed=3)
    assert "your dWx[0, 0] is " in verdict.message and "expected" in verdict.message
    assert verdict.message.count("SUM over the steps") == 1
    assert "other test input" in verdict.message
    assert repr(verdict) == verdict.message


def test_nan_in_the_output_is_named_as_such():
    def overflows(dh, cache):
        dx, dh0, dWx, dWh, db = correct(dh, cache)
        return dx, dh0, dWx, dWh * np.nan, db

    message = checks.check_rnn_backward(overflows).message
    assert "your dWh contains NaN (first at dWh[0, 0])" in message
    assert "relative error nan" not in message


def test_the_seed_reproduces_the_cases():
    first, again = (checks.check_rnn_backward(averaged_over_time, seed=7) for _ in range(2))
    assert first.message == again.message and "seed 7" in first.message
