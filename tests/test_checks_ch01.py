"""The Chapter 1 checker accepts the reference, and rejects realistic mistakes and calls to the answer."""
import numpy as np
import pytest

from lstm_course import checks
from lstm_course.models import mlp
from lstm_course.models.mlp import mlp_backward as imported_before_the_check
from lstm_course.nn import gradcheck, rnn


def correct(dyhat, cache):
    params, activations = cache["params"], cache["activations"]
    delta, grads = dyhat, {}
    for layer in range(len(params) // 2, 0, -1):
        grads[f"W{layer}"] = activations[layer - 1].T @ delta
        grads[f"b{layer}"] = delta.sum(axis=0)
        if layer > 1:
            delta = (delta @ params[f"W{layer}"].T) * (1 - activations[layer - 1] ** 2)
    return grads


def recursive(dyhat, cache, layer=None):
    """A different but correct formulation: recursion from the output layer down."""
    params, activations = cache["params"], cache["activations"]
    layer = len(params) // 2 if layer is None else layer
    grads = {f"W{layer}": activations[layer - 1].T @ dyhat, f"b{layer}": np.sum(dyhat, axis=0)}
    if layer == 1:
        return grads
    below = (dyhat @ params[f"W{layer}"].T) * (1 - activations[layer - 1] ** 2)
    return {**grads, **recursive(below, cache, layer - 1)}


def no_tanh_derivative(dyhat, cache):
    params, activations = cache["params"], cache["activations"]
    delta, grads = dyhat, {}
    for layer in range(len(params) // 2, 0, -1):
        grads[f"W{layer}"] = activations[layer - 1].T @ delta
        grads[f"b{layer}"] = delta.sum(axis=0)
        delta = delta @ params[f"W{layer}"].T
    return grads


def tanh_of_the_activation(dyhat, cache):
    params, activations = cache["params"], cache["activations"]
    delta, grads = dyhat, {}
    for layer in range(len(params) // 2, 0, -1):
        grads[f"W{layer}"] = activations[layer - 1].T @ delta
        grads[f"b{layer}"] = delta.sum(axis=0)
        if layer > 1:
            delta = (delta @ params[f"W{layer}"].T) * (1 - np.tanh(activations[layer - 1]) ** 2)
    return grads


def mean_bias(dyhat, cache):
    grads = correct(dyhat, cache)
    return {name: value / len(dyhat) if name.startswith("b") else value for name, value in grads.items()}


def divides_by_n_again(dyhat, cache):
    return correct(dyhat / dyhat.shape[0], cache)


def only_one_hidden_layer(dyhat, cache):
    """Written for the chapter's (2, 4, 1) network: W2 and W1 hard-coded."""
    params, (X, a1) = cache["params"], cache["activations"][:2]
    delta = (dyhat @ params["W2"].T) * (1 - a1 ** 2)
    return {"W2": a1.T @ dyhat, "b2": dyhat.sum(axis=0), "W1": X.T @ delta, "b1": delta.sum(axis=0)}


def upcasts_to_float64(dyhat, cache):
    return {name: value.astype(np.float64) for name, value in correct(dyhat, cache).items()}


def returns_a_tuple(dyhat, cache):
    return tuple(correct(dyhat, cache).values())


def calls_the_reference(dyhat, cache):
    return mlp.mlp_backward(dyhat, cache)


def finite_differences(dyhat, cache):
    params, X = cache["params"], cache["activations"][0]
    grads = {}
    for name, value in params.items():
        grads[name] = gradcheck.numerical_gradient(
            lambda v, name=name: mlp.mlp_forward({**params, name: v}, X)[0], value.copy(), dyhat)
    return grads


def layers_through_rnn_steps(dyhat, cache):
    """Each tanh layer is an RNN step with a zero recurrent matrix: rnn_step_backward does the work."""
    params, activations = cache["params"], cache["activations"]
    layers = len(params) // 2
    grads = {f"W{layers}": activations[-1].T @ dyhat, f"b{layers}": dyhat.sum(axis=0)}
    dh = dyhat @ params[f"W{layers}"].T
    for layer in range(layers - 1, 0, -1):
        a_in, a_out = activations[layer - 1], activations[layer]
        step = {"x": a_in, "h_prev": np.zeros_like(a_out), "h": a_out, "Wx": params[f"W{layer}"],
                "Wh": np.zeros((a_out.shape[1],) * 2, a_out.dtype)}
        dh, _, grads[f"W{layer}"], _, grads[f"b{layer}"] = rnn.rnn_step_backward(dh, step)
    return grads


@pytest.mark.parametrize("right", [correct, recursive])
def test_accepts_correct_solutions(right):
    verdict = checks.check_mlp_backward(right)
    assert verdict, verdict.message


@pytest.mark.parametrize("wrong, hint", [
    (no_tanh_derivative, "tanh derivative (1 - a**2)"),
    (tanh_of_the_activation, "not 1 - tanh(a)**2"),
    (mean_bias, "sum over N"),
    (divides_by_n_again, "do not divide by N again"),
    (only_one_hidden_layer, "layers (3, 4, 5, 2)"),
    (upcasts_to_float64, "float32"),
    (returns_a_tuple, "should return a dict"),
])
def test_rejects_a_plausible_mistake_with_its_hint(wrong, hint):
    verdict = checks.check_mlp_backward(wrong)
    assert not verdict
    assert hint in verdict.message


@pytest.mark.parametrize("cheat", [calls_the_reference, imported_before_the_check, finite_differences,
                                   layers_through_rnn_steps])
def test_calling_the_answer_is_rejected(cheat):
    verdict = checks.check_mlp_backward(cheat)
    assert not verdict
    assert "ran the course's" in verdict.message


def test_the_answer_works_again_after_the_check():
    checks.check_mlp_backward(calls_the_reference)
    params = mlp.mlp_init((2, 3, 1), rng=0)
    _, cache = mlp.mlp_forward(params, np.ones((2, 2)))
    assert set(mlp.mlp_backward(np.ones((2, 1)), cache)) == {"W1", "b1", "W2", "b2"}


def test_a_student_exception_is_feedback_not_a_crash():
    def unfinished(dyhat, cache):
        raise NotImplementedError()
    verdict = checks.check_mlp_backward(unfinished)
    assert not verdict
    assert "NotImplementedError" in verdict.message


def test_misuse_raises_a_clear_value_error():
    with pytest.raises(ValueError, match="fn must be a function"):
        checks.check_mlp_backward(None)


def transposed_weight_gradients(dyhat, cache):
    return {name: grad.T if name.startswith("W") else grad for name, grad in correct(dyhat, cache).items()}


def wrong_sign(dyhat, cache):
    return {name: -grad for name, grad in correct(dyhat, cache).items()}


def output_of_the_layer_in_dW(dyhat, cache):
    params, activations = cache["params"], cache["activations"]
    layers = len(params) // 2
    delta, grads = dyhat, {}
    for layer in range(layers, 0, -1):
        entering = activations[layer] if layer < layers else activations[layer - 1]
        grads[f"W{layer}"] = entering.T @ delta
        grads[f"b{layer}"] = delta.sum(axis=0)
        if layer > 1:
            delta = (delta @ params[f"W{layer}"].T) * (1 - activations[layer - 1] ** 2)
    return grads


@pytest.mark.parametrize("wrong, hint", [
    (transposed_weight_gradients, "transpose of the expected matrix"),
    (wrong_sign, "wrong sign"),
    (output_of_the_layer_in_dW, "activations that ENTER the layer"),
])
def test_recognises_more_mistakes(wrong, hint):
    verdict = checks.check_mlp_backward(wrong)
    assert not verdict
    assert hint in verdict.message
    assert "Hint:" in verdict.message and "expected" in verdict.message
