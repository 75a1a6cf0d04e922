"""The Chapter 4 checkers accept the reference, and reject realistic mistakes and calls to the answer."""
import numpy as np
import pytest

from lstm_course import checks
from lstm_course.lab import vanishing
from lstm_course.nn import rnn
from lstm_course.train import optim
from lstm_course.train.optim import clip_grad_norm as imported_before_the_check

# ------------------------------------------------------------------ clip_grad_norm

def global_norm_of(grads):
    return float(np.sqrt(sum(np.sum(grad ** 2) for grad in grads.values())))


def correct_clip(grads, max_norm):
    norm = global_norm_of(grads)
    if norm > max_norm:
        for grad in grads.values():
            grad *= max_norm / norm
    return norm


def clips_each_array_separately(grads, max_norm):
    norm = global_norm_of(grads)
    for grad in grads.values():
        own = np.linalg.norm(grad)
        if own > max_norm:
            grad *= max_norm / own
    return norm


def always_rescales(grads, max_norm):
    norm = global_norm_of(grads)
    if norm > 0:
        for grad in grads.values():
            grad *= max_norm / norm
    return norm


def returns_new_arrays(grads, max_norm):
    norm = global_norm_of(grads)
    if norm > max_norm:
        for name in grads:
            grads[name] = grads[name] * (max_norm / norm)
    return norm


def returns_the_clipped_norm(grads, max_norm):
    norm = correct_clip(grads, max_norm)
    return min(norm, max_norm)


def no_square_root(grads, max_norm):
    squared = sum(np.sum(grad ** 2) for grad in grads.values())
    if squared > max_norm:
        for grad in grads.values():
            grad *= max_norm / squared
    return squared


def clip_calls_the_reference(grads, max_norm):
    return optim.clip_grad_norm(grads, max_norm)


def clip_uses_the_global_norm_helper(grads, max_norm):
    norm = optim.global_norm(grads)
    if norm > max_norm:
        for grad in grads.values():
            grad *= max_norm / norm
    return norm


def test_clip_accepts_the_reference_solution():
    verdict = checks.check_clip_grad_norm(correct_clip)
    assert verdict, verdict.message


@pytest.mark.parametrize("wrong, hint", [
    (clips_each_array_separately, "GLOBAL"),
    (always_rescales, "EXCEEDS"),
    (returns_new_arrays, "IN PLACE"),
    (returns_the_clipped_norm, "BEFORE clipping"),
    (no_square_root, "square ROOT"),
])
def test_clip_rejects_a_plausible_mistake_with_its_hint(wrong, hint):
    verdict = checks.check_clip_grad_norm(wrong)
    assert not verdict
    assert hint in verdict.message


@pytest.mark.parametrize("cheat", [clip_calls_the_reference, imported_before_the_check,
                                   clip_uses_the_global_norm_helper])
def test_clip_calling_the_answer_is_rejected(cheat):
    verdict = checks.check_clip_grad_norm(cheat)
    assert not verdict
    assert "ran the course's" in verdict.message


def test_clip_works_again_after_the_check():
    checks.check_clip_grad_norm(clip_calls_the_reference)
    grads = {"w": np.array([3.0, 4.0])}
    assert optim.clip_grad_norm(grads, 1.0) == 5.0 and np.allclose(grads["w"], [0.6, 0.8])


# ---------------------------------------------------------------- jacobian_product

def states(cache):
    return np.concatenate([cache["h0"][:, None], cache["h"]], axis=1)   # [:, k] is h_k


def correct_product(cache, t, s):
    h, Wh = states(cache), cache["Wh"]
    product = np.broadcast_to(np.eye(Wh.shape[0], dtype=h.dtype), (h.shape[0],) + Wh.shape).copy()
    for k in range(t, s, -1):
        product = product @ ((1 - h[:, k] ** 2)[:, :, None] * Wh.T)
    return product


def multiplies_in_the_wrong_order(cache, t, s):
    h, Wh = states(cache), cache["Wh"]
    product = np.broadcast_to(np.eye(Wh.shape[0], dtype=h.dtype), (h.shape[0],) + Wh.shape).copy()
    for k in range(s + 1, t + 1):
        product = product @ ((1 - h[:, k] ** 2)[:, :, None] * Wh.T)
    return product


def derivative_of_the_previous_state(cache, t, s):
    h, Wh = states(cache), cache["Wh"]
    product = np.broadcast_to(np.eye(Wh.shape[0], dtype=h.dtype), (h.shape[0],) + Wh.shape).copy()
    for k in range(t, s, -1):
        product = product @ ((1 - h[:, k - 1] ** 2)[:, :, None] * Wh.T)
    return product


def no_transpose(cache, t, s):
    h, Wh = states(cache), cache["Wh"]
    product = np.broadcast_to(np.eye(Wh.shape[0], dtype=h.dtype), (h.shape[0],) + Wh.shape).copy()
    for k in range(t, s, -1):
        product = product @ ((1 - h[:, k] ** 2)[:, :, None] * Wh)
    return product


def scales_the_columns(cache, t, s):
    h, Wh = states(cache), cache["Wh"]
    product = np.broadcast_to(np.eye(Wh.shape[0], dtype=h.dtype), (h.shape[0],) + Wh.shape).copy()
    for k in range(t, s, -1):
        product = product @ (Wh.T * (1 - h[:, k] ** 2)[:, None, :])
    return product


def forgets_the_tanh_derivative(cache, t, s):
    N, H = cache["h"].shape[0], cache["Wh"].shape[0]
    return np.broadcast_to(np.linalg.matrix_power(cache["Wh"].T, t - s), (N, H, H)).astype(cache["h"].dtype)


def product_upcasts_to_float64(cache, t, s):
    return correct_product(cache, t, s).astype(np.float64)


def product_calls_the_reference(cache, t, s):
    return vanishing.jacobian_product(cache, t, s)


def product_from_the_step_jacobians(cache, t, s):
    jacobians = vanishing.step_jacobians(cache)
    product = np.broadcast_to(np.eye(jacobians.shape[-1]), jacobians[:, 0].shape).copy()
    for k in range(t, s, -1):
        product = product @ jacobians[:, k - 1]
    return product


def product_by_backpropagating_unit_vectors(cache, t, s):
    N, T, H = cache["h"].shape
    rows = []
    for i in range(H):
        dh = np.zeros((N, t, H), cache["h"].dtype)
        dh[:, -1, i] = 1.0
        sub = {"x": cache["x"][:, s:t], "h0": cache["h0"] if s == 0 else cache["h"][:, s - 1],
               "h": cache["h"][:, s:t], "Wx": cache["Wx"], "Wh": cache["Wh"]}
        rows.append(rnn.rnn_backward(dh[:, s:t], sub)[1])
    return np.stack(rows, axis=1)


def test_product_accepts_the_reference_solution():
    verdict = checks.check_jacobian_product(correct_product)
    assert verdict, verdict.message


@pytest.mark.parametrize("wrong, hint", [
    (multiplies_in_the_wrong_order, "LATEST step on the left"),
    (derivative_of_the_previous_state, "PRODUCES"),
    (no_transpose, "TRANSPOSE"),
    (scales_the_columns, "ROWS"),
    (forgets_the_tanh_derivative, "tanh derivative"),
    (product_upcasts_to_float64, "float32"),
])
def test_product_rejects_a_plausible_mistake_with_its_hint(wrong, hint):
    verdict = checks.check_jacobian_product(wrong)
    assert not verdict
    assert hint in verdict.message


@pytest.mark.parametrize("cheat", [product_calls_the_reference, product_from_the_step_jacobians,
                                   product_by_backpropagating_unit_vectors])
def test_product_calling_the_answer_is_rejected(cheat):
    verdict = checks.check_jacobian_product(cheat)
    assert not verdict
    assert "ran the course's" in verdict.message


def test_misuse_raises_a_clear_value_error():
    with pytest.raises(ValueError, match="fn must be a function"):
        checks.check_clip_grad_norm(42)
    with pytest.raises(ValueError, match="fn must be a function"):
        checks.check_jacobian_product("jacobian_product")


def inverted_factor(grads, max_norm):
    norm = global_norm_of(grads)
    if norm > max_norm:
        for grad in grads.values():
            grad *= norm / max_norm
    return norm


def test_clip_recognises_an_inverted_factor():
    verdict = checks.check_clip_grad_norm(inverted_factor)
    assert not verdict
    assert "makes the gradient longer" in verdict.message
    assert "your grads['" in verdict.message


def test_clip_may_change_grads_but_no_other_input():
    def clips_and_changes_max_norm(grads, max_norm):
        return correct_clip(grads, max_norm)

    assert checks.check_clip_grad_norm(clips_and_changes_max_norm)
