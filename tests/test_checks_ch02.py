"""The Chapter 2 checker accepts the reference, and rejects realistic mistakes and calls to the answer."""
import numpy as np
import pytest

from lstm_course import checks
from lstm_course.lab import unrolling
from lstm_course.nn import rnn
from lstm_course.nn.activations import tanh_grad_from_output
from lstm_course.nn.rnn import rnn_step_backward as imported_before_the_check


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
    return rnn.step_backward(dh, cache)


def goes_through_a_length_one_sequence(dh, cache):
    bias = np.arctanh(cache["h"][0]) - cache["x"][0] @ cache["Wx"] - cache["h_prev"][0] @ cache["Wh"]
    _, seq_cache = rnn.rnn_forward(cache["x"][:, None], cache["h_prev"], cache["Wx"], cache["Wh"], bias)
    dx, dh_prev, dWx, dWh, db = rnn.rnn_backward(dh[:, None], seq_cache)
    return dx[:, 0], dh_prev, dWx, dWh, db


def test_accepts_the_reference_solution():
    verdict = checks.check_rnn_step_backward(correct)
    assert verdict, verdict.message


@pytest.mark.parametrize("wrong, hint", [
    (no_tanh_derivative, "tanh derivative"),
    (new_state_in_dWh, "h_prev"),
    (missing_transpose, "transpose"),
    (mean_bias, "sum over N"),
    (upcasts_to_float64, "float32"),
])
def test_rejects_a_plausible_mistake_with_its_hint(wrong, hint):
    verdict = checks.check_rnn_step_backward(wrong)
    assert not verdict
    assert hint in verdict.message


@pytest.mark.parametrize("cheat", [calls_the_reference, calls_the_kernel, imported_before_the_check,
                                   goes_through_a_length_one_sequence])
def test_calling_the_answer_is_rejected(cheat):
    verdict = checks.check_rnn_step_backward(cheat)
    assert not verdict
    assert "ran the course's" in verdict.message


def test_the_answer_works_again_after_the_check():
    checks.check_rnn_step_backward(calls_the_reference)
    rng = np.random.default_rng(0)
    _, cache = rnn.rnn_step_forward(rng.normal(size=(2, 3)), rng.normal(size=(2, 4)),
                                    rng.normal(size=(3, 4)), rng.normal(size=(4, 4)), rng.normal(size=4))
    assert len(rnn.rnn_step_backward(rng.normal(size=(2, 4)), cache)) == 5


def test_a_student_exception_is_feedback_not_a_crash():
    def unfinished(dh, cache):
        raise NotImplementedError()
    verdict = checks.check_rnn_step_backward(unfinished)
    assert not verdict
    assert "NotImplementedError" in verdict.message


def test_misuse_raises_a_clear_value_error():
    with pytest.raises(ValueError, match="fn must be a function"):
        checks.check_rnn_step_backward("rnn_step_backward")


# --- check_per_step_gradients: BPTT with each copy's contribution kept apart ---

def per_step_correct(dh, cache, mistake=None):
    x, h0, h, Wx, Wh = (cache[key] for key in ("x", "h0", "h", "Wx", "Wh"))
    N, T, H = h.shape
    out = {"dh_total": np.zeros_like(h), "dx": np.zeros_like(x), "dWx": np.zeros((T, *Wx.shape), Wx.dtype),
           "dWh": np.zeros((T, *Wh.shape), Wh.dtype), "db": np.zeros((T, H), Wh.dtype)}
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        out["dh_total"][:, t] = dh[:, t] if mistake == "no recurrent error" else dh[:, t] + dh_next
        dz = out["dh_total"][:, t] * (1 - h[:, t] ** 2)
        if mistake == "wraps":
            h_prev = h[:, t - 1]                      # t = 0 reads the last step
        elif mistake == "new state":
            h_prev = h[:, t]
        else:
            h_prev = h[:, t - 1] if t > 0 else h0
        out["dx"][:, t], dh_next = dz @ Wx.T, dz @ Wh.T
        out["dWx"][t], out["dWh"][t], out["db"][t] = x[:, t].T @ dz, h_prev.T @ dz, dz.sum(axis=0)
    out["dh0"] = dh_next
    return out


def per_step_through_own_step(dh, cache):
    """Correct, built on the student's own step backward (the intended route)."""
    h, T = cache["h"], cache["h"].shape[1]
    out = {"dh_total": np.zeros_like(h), "dx": np.zeros_like(cache["x"])}
    per_copy = {"dWx": [], "dWh": [], "db": []}
    dh_next = np.zeros_like(cache["h0"])
    for t in reversed(range(T)):
        out["dh_total"][:, t] = dh[:, t] + dh_next
        step = {"x": cache["x"][:, t], "h_prev": h[:, t - 1] if t else cache["h0"], "h": h[:, t],
                "Wx": cache["Wx"], "Wh": cache["Wh"]}
        out["dx"][:, t], dh_next, dWx, dWh, db = correct(out["dh_total"][:, t], step)
        for name, value in zip(("dWx", "dWh", "db"), (dWx, dWh, db)):
            per_copy[name].insert(0, value)
    return {**out, **{name: np.stack(values) for name, values in per_copy.items()}, "dh0": dh_next}


def per_step_summed(dh, cache):
    out = per_step_correct(dh, cache)
    return {**out, **{name: out[name].sum(axis=0) for name in ("dWx", "dWh", "db")}}


def per_step_calls_the_reference(dh, cache):
    return unrolling.per_step_gradients(dh, cache)


def per_step_through_rnn_backward(dh, cache):
    """Gets the totals from rnn_backward: blocked too."""
    out = per_step_correct(dh, cache)
    rnn.rnn_backward(dh, cache)
    return out


@pytest.mark.parametrize("right", [lambda dh, cache: per_step_correct(dh, cache), per_step_through_own_step])
def test_per_step_accepts_correct_solutions(right):
    verdict = checks.check_per_step_gradients(right)
    assert verdict, verdict.message


@pytest.mark.parametrize("mistake, hint", [
    ("no recurrent error", "PLUS what step t+1 sends"),
    ("wraps", "wraps around to the LAST step"),
    ("new state", "not with h_t"),
])
def test_per_step_rejects_a_plausible_mistake_with_its_hint(mistake, hint):
    verdict = checks.check_per_step_gradients(lambda dh, cache: per_step_correct(dh, cache, mistake))
    assert not verdict
    assert hint in verdict.message


def test_per_step_rejects_summed_contributions():
    verdict = checks.check_per_step_gradients(per_step_summed)
    assert not verdict
    assert "dWh has shape" in verdict.message


def per_step_through_package_step(dh, cache):
    """Runs each step through the package's rnn_step_backward: that is exercise 1's answer, blocked."""
    h, T = cache["h"], cache["h"].shape[1]
    out = {"dh_total": np.zeros_like(h), "dx": np.zeros_like(cache["x"])}
    per_copy = {"dWx": [], "dWh": [], "db": []}
    dh_next = np.zeros_like(cache["h0"])
    for t in reversed(range(T)):
        out["dh_total"][:, t] = dh[:, t] + dh_next
        step = {"x": cache["x"][:, t], "h_prev": h[:, t - 1] if t else cache["h0"], "h": h[:, t],
                "Wx": cache["Wx"], "Wh": cache["Wh"]}
        out["dx"][:, t], dh_next, dWx, dWh, db = rnn.rnn_step_backward(out["dh_total"][:, t], step)
        for name, value in zip(("dWx", "dWh", "db"), (dWx, dWh, db)):
            per_copy[name].insert(0, value)
    return {**out, **{name: np.stack(values) for name, values in per_copy.items()}, "dh0": dh_next}


@pytest.mark.parametrize("cheat", [per_step_calls_the_reference, per_step_through_rnn_backward,
                                   per_step_through_package_step])
def test_per_step_calling_the_answer_is_rejected(cheat):
    verdict = checks.check_per_step_gradients(cheat)
    assert not verdict
    assert "ran the course's" in verdict.message


def tanh_of_the_state(dh, cache):
    dz = dh * (1 - np.tanh(cache["h"]) ** 2)
    return dz @ cache["Wx"].T, dz @ cache["Wh"].T, cache["x"].T @ dz, cache["h_prev"].T @ dz, dz.sum(axis=0)


def sign_of_dx(dh, cache):
    dx, dh_prev, dWx, dWh, db = correct(dh, cache)
    return -dx, dh_prev, dWx, dWh, db


@pytest.mark.parametrize("wrong, hint", [
    (tanh_of_the_state, "not 1 - tanh(h)**2"),
    (sign_of_dx, "wrong sign"),
])
def test_step_recognises_more_mistakes(wrong, hint):
    verdict = checks.check_rnn_step_backward(wrong)
    assert not verdict
    assert hint in verdict.message


def per_step_upcast(dh, cache):
    return {name: value.astype(np.float64) for name, value in per_step_correct(dh, cache).items()}


def per_step_sign_of_dx(dh, cache):
    return {**per_step_correct(dh, cache), "dx": -per_step_correct(dh, cache)["dx"]}


@pytest.mark.parametrize("wrong, hint", [
    (per_step_upcast, "float32"),
    (per_step_sign_of_dx, "wrong sign"),
    (per_step_summed, "one contribution per copy"),
])
def test_per_step_recognises_more_mistakes(wrong, hint):
    verdict = checks.check_per_step_gradients(wrong)
    assert not verdict
    assert hint in verdict.message


def test_a_hint_shared_by_several_outputs_appears_once():
    def every_sign_flipped(dh, cache):
        return tuple(-value for value in correct(dh, cache))

    verdict = checks.check_rnn_step_backward(every_sign_flipped)
    assert verdict.message.count("wrong sign") == 1
    assert "(the same for " in verdict.message
