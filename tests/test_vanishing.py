"""Tests for lstm_course.lab.vanishing: step Jacobians, their products and norms, vanishing vs lag."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_course.lab.vanishing import (
    gradient_norm_vs_lag,
    jacobian_norm_matrix,
    jacobian_norms_by_lag,
    jacobian_product,
    random_recurrent_matrix,
    singular_values,
    spectral_radius,
    step_jacobians,
)
from lstm_course.nn.gradcheck import numerical_gradient, rel_error
from lstm_course.nn.rnn import rnn_backward, rnn_forward


def small_rnn(rng, N=2, T=6, D=3, H=4, scale=0.8):
    x = rng.normal(size=(N, T, D))
    h0 = rng.normal(scale=0.5, size=(N, H))
    Wx = rng.normal(scale=0.5, size=(D, H))
    Wh = rng.normal(scale=scale / np.sqrt(H), size=(H, H))
    b = rng.normal(scale=0.1, size=H)
    return x, h0, Wx, Wh, b


def state(x, h0, Wx, Wh, b, k):
    """h_k of the chapter's indexing: h_0 is h0, h_k is the k-th step's output."""
    return h0 if k == 0 else rnn_forward(x, h0, Wx, Wh, b)[0][:, k - 1]


@pytest.mark.parametrize("t, s", [(6, 0), (4, 1), (3, 3), (5, 4)])
def test_jacobian_product_equals_finite_differences_of_h_t_wrt_h_s(rng, t, s):
    # A recurrent scale above 1 keeps the 6-factor product away from tiny
    # norms, where finite differences lose their relative precision.
    x, h0, Wx, Wh, b = small_rnn(rng, scale=1.5)
    _, cache = rnn_forward(x, h0, Wx, Wh, b)
    product = jacobian_product(cache, t, s)
    h_s = state(x, h0, Wx, Wh, b, s)
    for n in range(x.shape[0]):
        numeric = np.empty_like(product[n])
        for i in range(Wh.shape[0]):
            def h_t_unit(h_s_row, n=n, i=i):
                # Restart the recurrence at step s from a perturbed state of sequence n.
                h_start = h_s.copy()
                h_start[n] = h_s_row
                h_rest = rnn_forward(x[:, s:t], h_start, Wx, Wh, b)[0] if t > s else h_start[:, None]
                return h_rest[n, -1, i]
            numeric[i] = numerical_gradient(h_t_unit, h_s[n].copy(), np.array(1.0))
        assert rel_error(product[n], numeric) < 1e-7


def test_vector_jacobian_product_matches_rnn_backward(rng):
    x, h0, Wx, Wh, b = small_rnn(rng, T=8)
    _, cache = rnn_forward(x, h0, Wx, Wh, b)
    upstream = rng.normal(size=(2, 4))
    dh = np.zeros(cache["h"].shape)
    dh[:, -1] = upstream  # a loss on the last state only
    _, dh0, _, _, _ = rnn_backward(dh, cache)
    from_product = np.einsum("ni,nij->nj", upstream, jacobian_product(cache, 8, 0))
    assert rel_error(dh0, from_product) < 1e-12


def test_step_jacobians_are_the_one_step_products(rng):
    x, h0, Wx, Wh, b = small_rnn(rng)
    _, cache = rnn_forward(x, h0, Wx, Wh, b)
    jacobians = step_jacobians(cache)
    assert jacobians.shape == (2, 6, 4, 4)
    for k in range(1, 7):
        np.testing.assert_allclose(jacobians[:, k - 1], jacobian_product(cache, k, k - 1))


def test_norms_by_lag_and_norm_matrix_agree_with_explicit_products(rng):
    x, h0, Wx, Wh, b = small_rnn(rng)
    _, cache = rnn_forward(x, h0, Wx, Wh, b)
    by_lag = jacobian_norms_by_lag(cache, t=5)
    matrix = jacobian_norm_matrix(cache)
    for lag in range(6):
        explicit = np.linalg.norm(jacobian_product(cache, 5, 5 - lag), ord=2, axis=(1, 2))
        np.testing.assert_allclose(by_lag[:, lag], explicit)
        np.testing.assert_allclose(matrix[:, 5, 5 - lag], explicit)
    assert np.all(np.isnan(matrix[:, 2, 3:]))
    np.testing.assert_allclose(jacobian_norms_by_lag(cache), matrix[:, 6, ::-1])


@given(size=st.integers(1, 8), scale=st.floats(0.05, 3.0), input_scale=st.floats(0.0, 5.0),
       seed=st.integers(0, 2**32 - 1))
def test_norm_is_bounded_by_the_largest_singular_value_to_the_power_of_the_lag(size, scale, input_scale, seed):
    rng = np.random.default_rng(seed)
    Wh = rng.normal(scale=scale / np.sqrt(size), size=(size, size))
    norms = gradient_norm_vs_lag(Wh, 30, rng, n_sequences=3, input_scale=input_scale)
    bound = singular_values(Wh)[0] ** np.arange(31)
    assert np.all(norms <= bound * (1 + 1e-9) + 1e-300)


def test_spectral_radius_and_singular_values_of_known_matrices():
    rotation_times_two = 2.0 * np.array([[0.0, -1.0], [1.0, 0.0]])
    assert spectral_radius(rotation_times_two) == pytest.approx(2.0)
    shear = np.array([[0.5, 3.0], [0.0, 0.5]])  # rho = 0.5 but lambda_1 > 3
    assert spectral_radius(shear) == pytest.approx(0.5)
    values = singular_values(shear)
    assert values[0] > 3.0 and values[0] >= values[1]
    np.testing.assert_allclose(values[0] * values[1], abs(np.linalg.det(shear)))


def test_random_recurrent_matrix_has_the_requested_spectral_radius_and_is_seeded():
    W = random_recurrent_matrix(12, 3, spectral_radius=0.7)
    assert spectral_radius(W) == pytest.approx(0.7)
    np.testing.assert_array_equal(W, random_recurrent_matrix(12, 3, spectral_radius=0.7))


def test_bad_inputs_raise_value_errors(rng):
    x, h0, Wx, Wh, b = small_rnn(rng)
    _, cache = rnn_forward(x, h0, Wx, Wh, b)
    with pytest.raises(ValueError, match="s must not exceed t"):
        jacobian_product(cache, 2, 3)
    with pytest.raises(ValueError, match=r"t must be an integer step index in \[0, T\]"):
        jacobian_product(cache, 7, 0)
    with pytest.raises(ValueError, match="t must be an integer"):
        jacobian_norms_by_lag(cache, t=1.5)
    with pytest.raises(ValueError, match="cache is not a cache of"):
        step_jacobians({"h": cache["h"]})
    with pytest.raises(ValueError, match="matrix must be a square"):
        spectral_radius(np.ones((2, 3)))
    with pytest.raises(ValueError, match="recurrent_weights must be a square"):
        gradient_norm_vs_lag(np.ones((2, 3)), 5)
    with pytest.raises(ValueError, match="length must be a positive integer"):
        gradient_norm_vs_lag(np.eye(2), 2.5)
    with pytest.raises(ValueError, match="input_scale must be"):
        gradient_norm_vs_lag(np.eye(2), 5, input_scale=-1.0)
    with pytest.raises(ValueError, match="spectral_radius must be"):
        random_recurrent_matrix(3, 0, spectral_radius=0.0)
