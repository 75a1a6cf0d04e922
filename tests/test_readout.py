"""The heads of nn/readout: the linear readout and its two losses, against the definitions."""
import numpy as np
import pytest

from lstm_course.models import recurrent
from lstm_course.nn import readout
from lstm_course.nn.gradcheck import check_gradients


def head_problem(head, seed=0, N=3, H=4, O=5):
    rng = np.random.default_rng(seed)
    params = {"Wy": rng.normal(size=(H, O)), "by": rng.normal(size=O)}
    h, weights = rng.normal(size=(N, H)), rng.uniform(size=N)
    targets = rng.normal(size=(N, O)) if head is readout.SQUARED_ERROR else rng.integers(0, O, size=N)
    return params, h, targets, weights


@pytest.mark.parametrize("head", [readout.SQUARED_ERROR, readout.SOFTMAX_CROSS_ENTROPY])
def test_head_backward_is_the_gradient_of_its_loss(head):
    params, h, targets, weights = head_problem(head)
    loss, grads, dh = head.backward(params, h, targets, weights)

    def step_loss(Wy, by, h):
        return np.array(head.backward({"Wy": Wy, "by": by}, h, targets, weights)[0])

    errors = check_gradients(step_loss, {**params, "h": h}, {**grads, "h": dh}, np.array(1.0), verbose=False)
    assert max(errors.values()) < 1e-7, errors
    yhat = h @ params["Wy"] + params["by"]
    if head is readout.SQUARED_ERROR:
        assert loss == pytest.approx(0.5 * np.sum(weights[:, None] * (yhat - targets) ** 2))
    else:
        log_p = yhat - np.log(np.exp(yhat).sum(axis=1, keepdims=True))
        assert loss == pytest.approx(-np.sum(weights * log_p[np.arange(3), targets]))


def test_the_sequence_models_squared_error_is_the_heads():
    rng = np.random.default_rng(1)
    yhat, y, weights = rng.normal(size=(2, 3, 1)), rng.normal(size=(2, 3, 1)), rng.uniform(size=3)
    loss, dyhat = recurrent.squared_error(yhat, y, weights)
    expected = readout.squared_error_kernel(yhat, y, np.broadcast_to(weights, (2, 3)))
    assert loss == expected[0] and np.array_equal(dyhat, expected[1])


def test_float32_stays_float32():
    params, h, targets, weights = head_problem(readout.SOFTMAX_CROSS_ENTROPY)
    params = {name: value.astype(np.float32) for name, value in params.items()}
    _, grads, dh = readout.SOFTMAX_CROSS_ENTROPY.backward(params, h.astype(np.float32), targets,
                                                           weights.astype(np.float32))
    assert dh.dtype == np.float32 and all(grad.dtype == np.float32 for grad in grads.values())


def test_heads_check_their_targets():
    with pytest.raises(ValueError, match=r"y must have shape \(N, T, O\)"):
        readout.SQUARED_ERROR.check_targets("y", np.zeros((2, 3, 2)), (2, 3), 1, "N, T")
    with pytest.raises(ValueError, match=r"y must hold codes in 0..4"):
        readout.SOFTMAX_CROSS_ENTROPY.check_targets("y", np.full((2, 3), 5), (2, 3), 5, "N, T")
    with pytest.raises(ValueError, match=r"y must have shape \(N, T\)"):
        readout.SOFTMAX_CROSS_ENTROPY.check_targets("y", np.zeros((2, 3, 1), dtype=int), (2, 3), 5, "N, T")
    with pytest.raises(ValueError, match="head must be one of"):
        readout.get("hinge")
    assert readout.get("squared_error") is readout.get(readout.SQUARED_ERROR) is readout.SQUARED_ERROR


@pytest.mark.parametrize("head", [readout.SQUARED_ERROR, readout.SOFTMAX_CROSS_ENTROPY])
def test_dropout_head_backward_is_the_gradient_of_its_loss_for_a_fixed_mask(head):
    params, h, targets, weights = head_problem(head, seed=2)

    def dropped(Wy, by, h):   # a fresh Generator with one seed: the same mask at every call
        return readout.with_dropout(head, 0.5, rng=7).backward({"Wy": Wy, "by": by}, h, targets, weights)

    loss, grads, dh = dropped(params["Wy"], params["by"], h)
    errors = check_gradients(lambda **p: np.array(dropped(**p)[0]), {**params, "h": h}, {**grads, "h": dh},
                             np.array(1.0), verbose=False)
    assert max(errors.values()) < 1e-7, errors
    assert loss != pytest.approx(head.backward(params, h, targets, weights)[0])


def test_dropout_zeroes_a_fraction_p_and_scales_the_kept_units_by_1_over_1_minus_p():
    # With Wy = I, by = 0 and targets 0 the squared error is 1/2 ||h * m||^2, so dh = h * m^2:
    # 0 where a unit was dropped and h / (1 - p)^2 where it was kept.
    p, H = 0.3, 4000
    h = np.random.default_rng(3).uniform(1.0, 2.0, size=(5, H))
    params = {"Wy": np.eye(H), "by": np.zeros(H)}
    head = readout.with_dropout("squared_error", p, rng=11)
    _, _, dh = head.backward(params, h, np.zeros((5, H)), np.ones(5))
    kept = dh != 0
    assert abs(kept.mean() - (1 - p)) < 4 * np.sqrt(p * (1 - p) / kept.size)
    assert np.allclose(dh[kept] / h[kept], 1 / (1 - p) ** 2)
    _, _, again = head.backward(params, h, np.zeros((5, H)), np.ones(5))
    assert not np.array_equal(again != 0, kept)            # a fresh mask at every call


def test_dropout_rate_zero_is_the_plain_head_and_float32_stays_float32():
    params, h, targets, weights = head_problem(readout.SOFTMAX_CROSS_ENTROPY)
    plain = readout.SOFTMAX_CROSS_ENTROPY.backward(params, h, targets, weights)
    same = readout.with_dropout("softmax_cross_entropy", 0.0).backward(params, h, targets, weights)
    assert plain[0] == same[0] and np.array_equal(plain[2], same[2])
    params32 = {name: value.astype(np.float32) for name, value in params.items()}
    _, grads, dh = readout.with_dropout("softmax_cross_entropy", 0.5, rng=0).backward(
        params32, h.astype(np.float32), targets, weights.astype(np.float32))
    assert dh.dtype == np.float32 and all(grad.dtype == np.float32 for grad in grads.values())
    for rate in (1.0, -0.1, float("nan"), "0.5"):
        with pytest.raises(ValueError, match="rate"):
            readout.with_dropout("softmax_cross_entropy", rate)
