"""The Chapter 9 checker accepts the reference, and rejects realistic mistakes and calls to the answer."""
import numpy as np
import pytest

from lstm_course import checks
from lstm_course.online import rtrl
from lstm_course.online.rtrl import one_unit_sensitivity_step as imported_before_the_check


def correct(x, h_prev, S, wx, wh, b):
    h = np.tanh(wx * x + wh * h_prev + b)
    direct = np.stack([x, h_prev, np.ones_like(x)], axis=1)
    return h, ((1 - h ** 2)[:, None] * (direct + wh * S)).astype(S.dtype)


def no_recurrent_term(x, h_prev, S, wx, wh, b):
    h = np.tanh(wx * x + wh * h_prev + b)
    return h, (1 - h ** 2)[:, None] * np.stack([x, h_prev, np.ones_like(x)], axis=1)


def carry_outside_the_tanh(x, h_prev, S, wx, wh, b):
    h = np.tanh(wx * x + wh * h_prev + b)
    return h, (1 - h ** 2)[:, None] * np.stack([x, h_prev, np.ones_like(x)], axis=1) + wh * S


def new_state_in_the_wh_column(x, h_prev, S, wx, wh, b):
    h = np.tanh(wx * x + wh * h_prev + b)
    return h, (1 - h ** 2)[:, None] * (np.stack([x, h, np.ones_like(x)], axis=1) + wh * S)


def derivative_at_the_old_state(x, h_prev, S, wx, wh, b):
    h = np.tanh(wx * x + wh * h_prev + b)
    return h, (1 - h_prev ** 2)[:, None] * (np.stack([x, h_prev, np.ones_like(x)], axis=1) + wh * S)


def upcasts_to_float64(x, h_prev, S, wx, wh, b):
    h, S_new = correct(x, h_prev, S, wx, wh, b)
    return h.astype(np.float64), S_new.astype(np.float64)


def test_accepts_correct_solutions():
    verdict = checks.check_one_unit_sensitivity_step(correct)
    assert verdict, verdict.message
    assert "all 4 test inputs match" in verdict.message


@pytest.mark.parametrize("wrong, hint", [
    (no_recurrent_term, "add wh * S_{t-1}"),
    (carry_outside_the_tanh, "multiply the SUM by (1 - h_t^2)"),
    (new_state_in_the_wh_column, "is h_{t-1}, not h_t"),
    (derivative_at_the_old_state, "1 - h_t^2, not 1 - h_{t-1}^2"),
    (upcasts_to_float64, "keep float32"),
])
def test_rejects_mistakes_with_a_hint(wrong, hint):
    verdict = checks.check_one_unit_sensitivity_step(wrong)
    assert not verdict
    assert hint in verdict.message


def test_rejects_calling_the_reference():
    verdict = checks.check_one_unit_sensitivity_step(lambda *a: imported_before_the_check(*a))
    assert not verdict
    assert "ran the course's" in verdict.message
    assert not checks.check_one_unit_sensitivity_step(lambda *a: rtrl.one_unit_sensitivity_step(*a))
    # and the reference works again afterwards
    h, S = rtrl.one_unit_sensitivity_step(np.ones(2), np.zeros(2), np.zeros((2, 3)), 0.5, 0.5, 0.0)
    assert S.shape == (2, 3)


def test_reference_matches_numerical_derivative_over_a_sequence():
    rng = np.random.default_rng(0)
    x, theta = rng.normal(size=(3, 6)), np.array([0.7, 0.9, -0.2])

    def final_h(th):
        h = np.zeros(3)
        for t in range(6):
            h = np.tanh(th[0] * x[:, t] + th[1] * h + th[2])
        return h

    h, S = np.zeros(3), np.zeros((3, 3))
    for t in range(6):
        h, S = rtrl.one_unit_sensitivity_step(x[:, t], h, S, *theta)
    numeric = np.stack([(final_h(theta + e) - final_h(theta - e)) / 2e-6 for e in 1e-6 * np.eye(3)], axis=1)
    np.testing.assert_allclose(S, numeric, rtol=1e-7, atol=1e-9)


def test_reference_bad_inputs():
    with pytest.raises(ValueError, match=r"sensitivity_prev must have shape \(N, 3\)"):
        rtrl.one_unit_sensitivity_step(np.ones(2), np.zeros(2), np.zeros((2, 2)), 0.5, 0.5, 0.0)
    with pytest.raises(ValueError, match="wh must be a finite"):
        rtrl.one_unit_sensitivity_step(np.ones(2), np.zeros(2), np.zeros((2, 3)), 0.5, np.ones(2), 0.0)


def returns_the_old_state(x, h_prev, S, wx, wh, b):
    return h_prev, correct(x, h_prev, S, wx, wh, b)[1]


def transposed_sensitivity(x, h_prev, S, wx, wh, b):
    h, S_new = correct(x, h_prev, S, wx, wh, b)
    return h, S_new.T


@pytest.mark.parametrize("wrong, hint", [
    (returns_the_old_state, "not h_prev"),
    (transposed_sensitivity, "transpose of the expected matrix"),
])
def test_recognises_more_mistakes(wrong, hint):
    verdict = checks.check_one_unit_sensitivity_step(wrong)
    assert not verdict
    assert hint in verdict.message
