"""The Chapter 5 checker accepts the reference, and rejects realistic mistakes and calls to the answer."""
import numpy as np
import pytest

from lstm_course import checks
from lstm_course.models import recurrent
from lstm_course.nn import lstm
from lstm_course.nn.activations import sigmoid
from lstm_course.nn.lstm import lstm_step_backward as imported_before_the_check


def correct(dh, dc, cache):
    i, f, g, o, tanh_c = (cache[key] for key in ("i", "f", "g", "o", "tanh_c"))
    do = dh * tanh_c
    dc_total = dc + dh * o * (1 - tanh_c ** 2)
    di, df, dg = dc_total * g, dc_total * cache["c_prev"], dc_total * i
    dz = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g ** 2), do * o * (1 - o)], axis=1)
    return (dz @ cache["Wx"].T, dz @ cache["Wh"].T, dc_total * f, cache["x"].T @ dz, cache["h_prev"].T @ dz,
            dz.sum(axis=0))


def forgets_the_forget_gate(dh, dc, cache):
    i, f, g, o, tanh_c = (cache[key] for key in ("i", "f", "g", "o", "tanh_c"))
    dc_total = dc + dh * o * (1 - tanh_c ** 2)
    dz = np.concatenate([dc_total * g * i * (1 - i), dc_total * cache["c_prev"] * f * (1 - f),
                         dc_total * i * (1 - g ** 2), dh * tanh_c * o * (1 - o)], axis=1)
    return (dz @ cache["Wx"].T, dz @ cache["Wh"].T, dc_total, cache["x"].T @ dz, cache["h_prev"].T @ dz,
            dz.sum(axis=0))


def sigmoid_slope_of_the_output(dh, dc, cache):
    i, f, g, o, tanh_c = (cache[key] for key in ("i", "f", "g", "o", "tanh_c"))
    slope = (lambda gate: sigmoid(gate) * (1 - sigmoid(gate)))   # the gates are already sigmoid outputs
    dc_total = dc + dh * o * (1 - tanh_c ** 2)
    dz = np.concatenate([dc_total * g * slope(i), dc_total * cache["c_prev"] * slope(f),
                         dc_total * i * (1 - g ** 2), dh * tanh_c * slope(o)], axis=1)
    return (dz @ cache["Wx"].T, dz @ cache["Wh"].T, dc_total * f, cache["x"].T @ dz, cache["h_prev"].T @ dz,
            dz.sum(axis=0))


def no_tanh_slope_on_the_output_path(dh, dc, cache):
    i, f, g, o, tanh_c = (cache[key] for key in ("i", "f", "g", "o", "tanh_c"))
    dc_total = dc + dh * o
    dz = np.concatenate([dc_total * g * i * (1 - i), dc_total * cache["c_prev"] * f * (1 - f),
                         dc_total * i * (1 - g ** 2), dh * tanh_c * o * (1 - o)], axis=1)
    return (dz @ cache["Wx"].T, dz @ cache["Wh"].T, dc_total * f, cache["x"].T @ dz, cache["h_prev"].T @ dz,
            dz.sum(axis=0))


def dc_without_the_h_path(dh, dc, cache):
    i, f, g, o, tanh_c = (cache[key] for key in ("i", "f", "g", "o", "tanh_c"))
    dc_total = dc
    dz = np.concatenate([dc_total * g * i * (1 - i), dc_total * cache["c_prev"] * f * (1 - f),
                         dc_total * i * (1 - g ** 2), dh * tanh_c * o * (1 - o)], axis=1)
    return (dz @ cache["Wx"].T, dz @ cache["Wh"].T, dc_total * f, cache["x"].T @ dz, cache["h_prev"].T @ dz,
            dz.sum(axis=0))


def gates_in_the_order_i_f_o_g(dh, dc, cache):
    i, f, g, o, tanh_c = (cache[key] for key in ("i", "f", "g", "o", "tanh_c"))
    dc_total = dc + dh * o * (1 - tanh_c ** 2)
    dz = np.concatenate([dc_total * g * i * (1 - i), dc_total * cache["c_prev"] * f * (1 - f),
                         dh * tanh_c * o * (1 - o), dc_total * i * (1 - g ** 2)], axis=1)
    return (dz @ cache["Wx"].T, dz @ cache["Wh"].T, dc_total * f, cache["x"].T @ dz, cache["h_prev"].T @ dz,
            dz.sum(axis=0))


def output_gate_sees_c(dh, dc, cache):
    i, f, g, o, tanh_c = (cache[key] for key in ("i", "f", "g", "o", "tanh_c"))
    dc_total = dc + dh * o * (1 - tanh_c ** 2)
    dz = np.concatenate([dc_total * g * i * (1 - i), dc_total * cache["c_prev"] * f * (1 - f),
                         dc_total * i * (1 - g ** 2), dh * cache["c"] * o * (1 - o)], axis=1)
    return (dz @ cache["Wx"].T, dz @ cache["Wh"].T, dc_total * f, cache["x"].T @ dz, cache["h_prev"].T @ dz,
            dz.sum(axis=0))


def upcasts_to_float64(dh, dc, cache):
    return tuple(np.asarray(value, dtype=np.float64) for value in correct(dh, dc, cache))


def calls_the_reference(dh, dc, cache):
    return lstm.lstm_step_backward(dh, dc, cache)


def calls_the_kernel(dh, dc, cache):
    return lstm.step_backward(dh, dc, cache)


def goes_through_a_length_one_sequence(dh, dc, cache):
    sequence_cache = {key: (value[:, None] if key in ("i", "f", "g", "o", "c", "tanh_c", "x") else value)
                      for key, value in cache.items()}
    sequence_cache.update(h0=cache["h_prev"], c0=cache["c_prev"], h=(cache["o"] * cache["tanh_c"])[:, None])
    dx, dh0, dc0, dWx, dWh, db = lstm.lstm_backward(dh[:, None], sequence_cache, dc[:, None])
    return dx[:, 0], dh0, dc0, dWx, dWh, db


def through_the_model_backward(dh, dc, cache):
    return recurrent.backward(cache, dh)


def test_accepts_the_reference_solution():
    verdict = checks.check_lstm_step_backward(correct)
    assert verdict, verdict.message


@pytest.mark.parametrize("wrong, hint", [
    (forgets_the_forget_gate, "did you multiply by the forget gate?"),
    (sigmoid_slope_of_the_output, "i * (1 - i)"),
    (no_tanh_slope_on_the_output_path, "tanh(c) derivative is missing"),
    (dc_without_the_h_path, "dh * o * (1 - tanh(c)**2)"),
    (gates_in_the_order_i_f_o_g, "order i, f, g, o"),
    (output_gate_sees_c, "not c"),
    (upcasts_to_float64, "float32"),
])
def test_rejects_a_plausible_mistake_with_its_hint(wrong, hint):
    verdict = checks.check_lstm_step_backward(wrong)
    assert not verdict
    assert hint in verdict.message


@pytest.mark.parametrize("cheat", [calls_the_reference, calls_the_kernel, imported_before_the_check,
                                   goes_through_a_length_one_sequence, through_the_model_backward])
def test_calling_the_answer_is_rejected(cheat):
    verdict = checks.check_lstm_step_backward(cheat)
    assert not verdict
    assert "ran the course's" in verdict.message


def test_the_answer_works_again_after_the_check():
    checks.check_lstm_step_backward(calls_the_reference)
    rng = np.random.default_rng(0)
    _, _, cache = lstm.lstm_step_forward(rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4)),
                                         rng.normal(size=(3, 16)), rng.normal(size=(4, 16)), rng.normal(size=16))
    assert len(lstm.lstm_step_backward(rng.normal(size=(2, 4)), rng.normal(size=(2, 4)), cache)) == 6


def test_a_student_exception_is_feedback_not_a_crash():
    def unfinished(dh, dc, cache):
        raise NotImplementedError()
    verdict = checks.check_lstm_step_backward(unfinished)
    assert not verdict
    assert "NotImplementedError" in verdict.message


def test_misuse_raises_a_clear_value_error():
    with pytest.raises(ValueError, match="fn must be a function"):
        checks.check_lstm_step_backward("lstm_step_backward")
