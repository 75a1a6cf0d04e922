"""Tests for lstm_course.lab.one_unit: the one-unit model of Pascanu et al. (2013, Fig. 6)."""
import numpy as np
import pytest

from lstm_course.lab.one_unit import one_unit_descent, one_unit_loss_and_grads, one_unit_loss_surface, one_unit_states
from lstm_course.nn.gradcheck import numerical_gradient, rel_error


def one_unit_reference_loss(w, b, steps=50, x0=0.5, target=0.7):
    x = x0
    for _ in range(steps):
        x = w / (1.0 + np.exp(-x)) + b
    return (1.0 / (1.0 + np.exp(-x)) - target) ** 2


@pytest.mark.parametrize("w, b", [(1.0, 0.0), (4.0, -2.0), (5.0, -2.3), (-1.5, 0.7)])
def test_one_unit_gradient_matches_finite_differences(w, b):
    loss, dw, db = one_unit_loss_and_grads(w, b)
    assert loss == pytest.approx(one_unit_reference_loss(w, b), rel=1e-12, abs=1e-300)
    params = np.array([w, b])
    # h = 1e-6: near the wall E bends so sharply that the O(h**2) error of h = 1e-5 reaches 1e-7.
    numeric = numerical_gradient(lambda p: np.array(one_unit_loss_and_grads(p[0], p[1])[0]), params,
                                 np.array(1.0), h=1e-6)
    assert rel_error([dw, db], numeric) < 1e-7


def test_one_unit_model_broadcasts_over_a_grid():
    w_values, b_values = np.linspace(0, 8, 5), np.linspace(-4, 1, 3)
    surface = one_unit_loss_surface(w_values, b_values)
    assert surface.shape == (3, 5)
    assert surface[2, 1] == pytest.approx(one_unit_reference_loss(w_values[1], b_values[2]))
    assert one_unit_states(2.0, np.zeros(3), steps=4).shape == (3, 5)


def test_one_unit_descent_records_its_path_and_clipping_caps_the_step():
    free = one_unit_descent(5.0, -2.0, learning_rate=1.0, n_updates=30)
    clipped = one_unit_descent(5.0, -2.0, learning_rate=1.0, n_updates=30, max_grad_norm=0.5)
    assert free.params.shape == (31, 2) and free.losses.shape == (31,) and free.grad_norms.shape == (30,)
    assert free.losses[0] == pytest.approx(one_unit_reference_loss(5.0, -2.0))
    steps = np.linalg.norm(np.diff(clipped.params, axis=0), axis=1)
    assert np.all(steps <= 0.5 * 1.0 + 1e-12)
    np.testing.assert_allclose(np.diff(free.params, axis=0)[0],
                               -np.array(one_unit_loss_and_grads(5.0, -2.0)[1:]))


def test_bad_inputs_raise_value_errors():
    with pytest.raises(ValueError, match="target must be in"):
        one_unit_loss_and_grads(1.0, 0.0, target=1.5)
    with pytest.raises(ValueError, match="steps must be >= 1"):
        one_unit_states(1.0, 0.0, steps=0)
    with pytest.raises(ValueError, match="w contains NaN"):
        one_unit_states(np.nan, 0.0)
