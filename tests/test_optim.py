import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lstm_course.train import optim
from lstm_course.train.optim import SGD, Adam, clip_grad_norm, global_norm


def test_sgd_without_momentum_is_w_minus_lr_g():
    params = {"w": np.array([1.0, -2.0]), "b": np.array([0.5])}
    SGD(0.1).step(params, {"w": np.array([2.0, 4.0]), "b": np.array([-1.0])})
    np.testing.assert_allclose(params["w"], [0.8, -2.4])
    np.testing.assert_allclose(params["b"], [0.6])


def test_sgd_momentum_accumulates_a_velocity():
    params = {"w": np.array([1.0])}
    optimizer = SGD(0.1, momentum=0.9)
    optimizer.step(params, {"w": np.array([2.0])})        # v1 = 2,               w1 = 1 - 0.2
    optimizer.step(params, {"w": np.array([-1.0])})       # v2 = 0.9 * 2 - 1 = 0.8, w2 = w1 - 0.08
    np.testing.assert_allclose(params["w"], [1.0 - 0.2 - 0.08])
    np.testing.assert_allclose(optimizer.velocity["w"], [0.8])


def test_sgd_updates_in_place_so_the_callers_arrays_change():
    weights = np.array([1.0])
    params = {"w": weights}
    SGD(1.0).step(params, {"w": np.array([0.25])})
    assert params["w"] is weights and weights[0] == 0.75


def test_adam_first_two_steps_match_hand_computation():
    lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
    params = {"w": np.array([1.0, 1.0])}
    optimizer = Adam(lr, beta1, beta2, eps)
    g1, g2 = np.array([0.5, -3.0]), np.array([0.1, 1.0])
    optimizer.step(params, {"w": g1})
    # Step 1: m = 0.1 g, v = 0.001 g^2; bias correction gives m_hat = g, v_hat = g^2,
    # so the step is lr * g / (|g| + eps), about lr in the direction of -sign(g).
    expected = 1.0 - lr * g1 / (np.abs(g1) + eps)
    np.testing.assert_allclose(params["w"], expected, rtol=1e-14)
    optimizer.step(params, {"w": g2})
    m = beta1 * (1 - beta1) * g1 + (1 - beta1) * g2
    v = beta2 * (1 - beta2) * g1**2 + (1 - beta2) * g2**2
    expected -= lr * (m / (1 - beta1**2)) / (np.sqrt(v / (1 - beta2**2)) + eps)
    np.testing.assert_allclose(params["w"], expected, rtol=1e-14)
    assert optimizer.steps == 2


def test_adam_step_size_does_not_depend_on_the_gradient_scale():
    small, large = {"w": np.zeros(3)}, {"w": np.zeros(3)}
    gradient = np.array([1e-3, -2.0, 5.0])
    Adam(0.01).step(small, {"w": gradient})
    Adam(0.01).step(large, {"w": 1e3 * gradient})
    np.testing.assert_allclose(small["w"], large["w"], rtol=1e-4)
    np.testing.assert_allclose(np.abs(large["w"]), 0.01, rtol=1e-6)


def test_clip_grad_norm_caps_the_global_norm_and_preserves_direction():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0, 4.0]])}   # global norm 5
    before = np.concatenate([grad.ravel() for grad in grads.values()])
    returned = clip_grad_norm(grads, max_norm=1.0)
    after = np.concatenate([grad.ravel() for grad in grads.values()])
    assert returned == pytest.approx(5.0)
    assert global_norm(grads) == pytest.approx(1.0)
    np.testing.assert_allclose(after, before / 5.0)


def test_clip_grad_norm_leaves_small_gradients_untouched():
    grads = {"a": np.array([0.3, -0.4])}
    original = grads["a"].copy()
    assert clip_grad_norm(grads, max_norm=1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(grads["a"], original)


@given(arrays(np.float64, st.integers(1, 6), elements=st.floats(-1e3, 1e3)),
       arrays(np.float64, st.integers(1, 6), elements=st.floats(-1e3, 1e3)),
       st.floats(1e-3, 1e3))
def test_clipped_norm_is_the_smaller_of_the_old_norm_and_the_cap(first, second, max_norm):
    grads = {"first": first.copy(), "second": second.copy()}
    norm_before = clip_grad_norm(grads, max_norm)
    assert norm_before == pytest.approx(np.sqrt(np.sum(first**2) + np.sum(second**2)))
    assert global_norm(grads) == pytest.approx(min(norm_before, max_norm), rel=1e-12, abs=1e-300)
    if norm_before > 0:
        scale = min(1.0, max_norm / norm_before)
        np.testing.assert_allclose(grads["first"], first * scale, rtol=1e-12, atol=1e-300)


def test_bad_inputs_raise_value_errors():
    with pytest.raises(ValueError, match="learning_rate must be a finite number >= 0"):
        SGD(-0.1)
    with pytest.raises(ValueError, match="momentum must be in"):
        SGD(0.1, momentum=1.0)
    with pytest.raises(ValueError, match="beta1 must be in"):
        Adam(0.1, beta1=1.0)
    with pytest.raises(ValueError, match="beta2 must be in"):
        Adam(0.1, beta2=-0.5)
    with pytest.raises(ValueError, match="learning_rate must be"):
        Adam(float("nan"))
    with pytest.raises(ValueError, match="learning_rate must be a finite number"):
        SGD("0.1")
    with pytest.raises(ValueError, match="eps must be a finite number > 0"):
        Adam(0.1, eps=0.0)
    params = {"w": np.zeros(2)}
    with pytest.raises(ValueError, match=r"grads has keys \['v'\] that are not in params"):
        SGD(0.1).step(params, {"v": np.zeros(2)})
    with pytest.raises(ValueError, match=r"grads\['w'\] must have the shape of params\['w'\]"):
        Adam(0.1).step(params, {"w": np.zeros(3)})
    with pytest.raises(ValueError, match="max_norm must be a finite number > 0"):
        clip_grad_norm({"w": np.ones(2)}, 0.0)
    with pytest.raises(ValueError, match="contains NaN"):
        clip_grad_norm({"w": np.array([1.0, np.nan])}, 1.0)


def test_linear_decay_moves_sgd_by_the_scheduled_rates():
    # SGD without momentum moves w by lr_n * g at update n; with g = 1 the total move is the sum of the rates.
    schedule = optim.LinearDecay(optim.SGD(0.4), total_updates=4, final_fraction=0.25)
    params, rates = {"w": np.zeros(1)}, []
    for _ in range(6):
        rates.append(schedule.learning_rate)
        schedule.step(params, {"w": np.ones(1)})
    assert np.allclose(rates, [0.4, 0.3, 0.2, 0.1, 0.1, 0.1])
    assert np.isclose(params["w"][0], -sum(rates)) and schedule.updates == 6


def test_linear_decay_keeps_adam_s_state_and_refuses_a_bad_optimiser():
    plain, scheduled = optim.Adam(0.01), optim.LinearDecay(optim.Adam(0.01), total_updates=10, final_fraction=1.0)
    a, b = {"w": np.arange(3.0)}, {"w": np.arange(3.0)}
    for k in range(5):
        grads = {"w": np.sin(np.arange(3.0) + k)}
        plain.step(a, grads)
        scheduled.step(b, grads)
    assert np.array_equal(a["w"], b["w"])      # final_fraction 1: the constant rate, Adam's moments untouched
    with pytest.raises(ValueError, match="optimizer"):
        optim.LinearDecay(object(), 10)
    with pytest.raises(ValueError, match="final_fraction"):
        optim.LinearDecay(optim.Adam(0.01), 10, final_fraction=1.5)
