"""The Chapter 2 checker accepts the reference, and rejects realistic mistakes and calls to the answer."""
import numpy as np
import pytest

from lstm_course import checks, rnn
from lstm_course.activations import tanh_grad_from_output
from lstm_course.rnn import rnn_step_backward as imported_before_the_check


def correct(dh, cache):
    dz = dh * tanh_grad_from_output(cache["h"])
    return (dz @ cache["Wx"].T, dz @ cache["Wh"].T, cache["x"].T @ dz, cache["h_prev"].T @ dz,
            dz.sum(axis=0))


def no_tanh_derivative(dh, cache):
    dz = dh
    return dz @ cache["Wx"].T, dz @ cache["Wh"].T, cache["x"].T @ dz, cache["h_prev"].T @ dz, dz.sum(axis=0)


def new_state_in_dWh(dh, cache):
    dz = dh * (1 - cache["h"] ** 2)
    return dz @ cache["Wx"].T, dz @ cache["Wh"].T, cache["x"].T @ dz, cache["h"].T @ dz, dz.sum(axis=0)


def missing_transpose(dh, cache):
    dz = dh * (1 - cache["h"] ** 2)
    return dz @ cache["Wx"].T, dz @ cache["Wh"], cache["x"].T @ dz, cache["h_prev"].T @ dz, dz.sum(axis=0)


def mean_bias(dh, cache):
    dz = dh * (1 - cache["h"] ** 2)
    return dz @ cache["Wx"].T, dz @ cache["Wh"].T, cache["x"].T @ dz, cache["h_prev"].T @ dz, dz.mean(axis=0)


def upcasts_to_float64(dh, cache):
    return tuple(np.asarray(value, dtype=np.float64) for value in correct(dh, cache))


def calls_the_reference(dh, cache):
    return rnn.rnn_step_backward(dh, cache)


def calls_the_kernel(dh, cache):
    return rnn._step_backward(dh, cache)


def goes_through_a_length_one_sequence(dh, cache):
    bias = np.arctanh(cache["h"][0]) - cache["x"][0] @ cache["Wx"] - cache["h_prev"][0] @ cache["Wh"]
    _, seq_cache = rnn.rnn_forward(cache["x"][:, None], cache["h_prev"], cache["Wx"], cache["Wh"], bias)
    dx, dh_prev, dWx, dWh, db = rnn.rnn_backward(dh[:, None], seq_cache)
    return dx[:, 0], dh_prev, dWx, dWh, db


def test_accepts_the_reference_solution(capsys):
    assert checks.check_rnn_step_backward(correct)
    assert "match the reference" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (no_tanh_derivative, "tanh derivative"),
    (new_state_in_dWh, "h_prev"),
    (missing_transpose, "transpose"),
    (mean_bias, "sum over N"),
    (upcasts_to_float64, "float32"),
])
def test_rejects_a_plausible_mistake_with_its_hint(wrong, hint, capsys):
    assert checks.check_rnn_step_backward(wrong) is False
    assert hint in capsys.readouterr().out


@pytest.mark.parametrize("cheat", [calls_the_reference, calls_the_kernel, imported_before_the_check,
                                   goes_through_a_length_one_sequence])
def test_calling_the_answer_is_rejected(cheat, capsys):
    assert checks.check_rnn_step_backward(cheat) is False
    assert "switched off" in capsys.readouterr().out


def test_the_answer_works_again_after_the_check():
    checks.check_rnn_step_backward(calls_the_reference)
    rng = np.random.default_rng(0)
    _, cache = rnn.rnn_step_forward(rng.normal(size=(2, 3)), rng.normal(size=(2, 4)),
                                    rng.normal(size=(3, 4)), rng.normal(size=(4, 4)), rng.normal(size=4))
    assert len(rnn.rnn_step_backward(rng.normal(size=(2, 4)), cache)) == 5


def test_a_student_exception_is_feedback_not_a_crash(capsys):
    def unfinished(dh, cache):
        raise NotImplementedError()
    assert checks.check_rnn_step_backward(unfinished) is False
    assert "NotImplementedError" in capsys.readouterr().out


def test_misuse_raises_a_clear_value_error():
    with pytest.raises(ValueError, match="fn must be a function"):
        checks.check_rnn_step_backward("rnn_step_backward")
