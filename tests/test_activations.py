import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_course.nn.activations import (
    sigmoid,
    sigmoid_grad,
    sigmoid_grad_from_output,
    tanh,
    tanh_grad,
    tanh_grad_from_output,
)
from lstm_course.nn.gradcheck import numerical_gradient, rel_error


def test_sigmoid_is_overflow_safe_at_plus_minus_1000():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_array_equal(values, [0.0, 0.5, 1.0])


@given(st.floats(-30, 30))
def test_sigmoid_matches_the_textbook_formula(z):
    assert sigmoid(np.array(z)) == pytest.approx(1.0 / (1.0 + np.exp(-z)), rel=1e-12, abs=1e-300)


def test_sigmoid_keeps_float32():
    assert sigmoid(np.ones(3, dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("function, derivative", [(sigmoid, sigmoid_grad), (tanh, tanh_grad)])
def test_derivatives_match_finite_differences(function, derivative):
    z = np.linspace(-4, 4, 17)
    numeric = numerical_gradient(function, z.copy(), np.ones_like(z))
    assert rel_error(derivative(z), numeric) < 1e-9


def test_derivatives_from_output_agree_with_derivatives_from_input():
    z = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(sigmoid_grad_from_output(sigmoid(z)), sigmoid_grad(z))
    np.testing.assert_allclose(tanh_grad_from_output(tanh(z)), tanh_grad(z))
