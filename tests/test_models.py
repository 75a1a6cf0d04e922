import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lstm_course.data import tasks
from lstm_course.models import recurrent
from lstm_course.nn.gradcheck import check_gradients, numerical_gradient, rel_error
from lstm_course.train import fit, optim


def extrapolated_gradient(loss, params, name, h=1e-3):
    """dL/d params[name] by Richardson extrapolation of two central differences, error O(h**4).

    The plain central difference with h = 1e-5 has a rounding error of about
    eps |L| / h = 2e-11 |L|. When a weight's gradient is tiny next to the loss (for
    example dL/dWh of a one-unit LSTM over two steps, about 1e-5 of L), that alone
    is a relative error of 2e-7. Extrapolating D(h) and D(2h) as (4 D(h) - D(2h)) / 3
    cancels the h**2 term, so h = 1e-3 keeps both errors near 1e-9.
    """
    def f(value):
        return loss(**{**params, name: value})
    near, far = (numerical_gradient(f, params[name].copy(), np.array(1.0), h=step) for step in (h, 2 * h))
    return (4 * near - far) / 3


@given(cell=st.sampled_from(recurrent.CELLS), N=st.integers(1, 4), T=st.integers(1, 5), D=st.integers(1, 3),
       H=st.integers(1, 4), O=st.integers(1, 3), per_sequence_weights=st.booleans(), seed=st.integers(0, 999))
@example(cell="lstm", N=1, T=2, D=1, H=1, O=2, per_sequence_weights=False, seed=506)  # dL/dWh ~ 1e-5 L
def test_loss_and_grads_match_numerical_gradients(cell, N, T, D, H, O, per_sequence_weights, seed):
    rng = np.random.default_rng(seed)
    params = recurrent.init_params(cell, D, H, O, rng, forget_bias=1.0 if cell == "lstm" else 0.0)
    x, y = rng.normal(size=(N, T, D)), rng.normal(size=(N, T, O))
    weights = rng.uniform(size=(N, T) if per_sequence_weights else T)
    _, grads = recurrent.loss_and_grads(params, x, y, cell, weights)

    def loss(**p):
        return np.array(recurrent.loss_and_grads(p, x, y, cell, weights)[0])

    errors = {name: rel_error(grads[name], extrapolated_gradient(loss, params, name)) for name in params}
    assert max(errors.values()) <= 1e-7, errors


def test_initial_state_gradient_is_returned(rng):
    params = recurrent.init_params("lstm", 2, 3, 1, rng)
    x, y = rng.normal(size=(2, 4, 2)), rng.normal(size=(2, 4, 1))
    h0, c0 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    yhat, cache = recurrent.forward(params, x, "lstm", h0, c0)
    grads = recurrent.backward(recurrent.squared_error(yhat, y)[1], cache)

    def loss(h0, c0):
        return np.array(recurrent.squared_error(recurrent.forward(params, x, "lstm", h0, c0)[0], y)[0])

    errors = check_gradients(loss, {"h0": h0, "c0": c0}, {"h0": grads["h0"], "c0": grads["c0"]},
                             np.array(1.0), verbose=False)
    assert max(errors.values()) <= 1e-7


def test_loss_is_summed_over_the_batch(rng):
    yhat = rng.normal(size=(3, 2, 1))
    loss, _ = recurrent.squared_error(yhat, np.zeros_like(yhat))
    assert loss == pytest.approx(0.5 * np.sum(yhat ** 2))


def test_init_params_shapes_and_forget_bias():
    params = recurrent.init_params("lstm", 3, 5, 2, rng=0, forget_bias=1.0)
    assert params["Wx"].shape == (3, 20) and params["Wh"].shape == (5, 20) and params["Wy"].shape == (5, 2)
    np.testing.assert_array_equal(params["b"][5:10], 1.0)
    np.testing.assert_array_equal(np.delete(params["b"], np.s_[5:10]), 0.0)
    rnn = recurrent.init_params("rnn", 3, 5, 2, rng=0)
    assert rnn["Wx"].shape == (3, 5) and rnn["Wh"].shape == (5, 5)
    np.testing.assert_allclose(rnn["Wh"] @ rnn["Wh"].T, np.eye(5), atol=1e-12)


def test_fit_reduces_the_loss_reproducibly():
    def run():
        params = recurrent.init_params("lstm", 1, 8, 1, rng=0)
        return fit.fit(params, lambda k: tasks.noisy_sine(16, 30, rng=k), optim.Adam(0.02), 60)

    losses = run()
    assert losses[-5:].mean() < 0.5 * losses[:5].mean()
    np.testing.assert_array_equal(losses, run())


@pytest.mark.parametrize("call, message", [
    (lambda: recurrent.init_params("gru", 1, 1, 1), "cell must be one of"),
    (lambda: recurrent.init_params("rnn", 1, 1, 1, forget_bias=1.0), "forget_bias only applies"),
    (lambda: recurrent.forward({"Wx": np.ones((1, 4))}, np.ones((1, 2, 1))), "params must be a dict with the keys"),
    (lambda: recurrent.forward(recurrent.init_params("lstm", 2, 3, 1, rng=0), np.ones((1, 2, 1))),
     r"x must have shape \(N, T, D\)"),
    (lambda: recurrent.forward(recurrent.init_params("rnn", 2, 3, 1, rng=0), np.ones((1, 2, 2)), "lstm"),
     r"Wx must have shape \(D, 4H\)"),
    (lambda: recurrent.squared_error(np.ones((1, 2, 1)), np.ones((1, 2, 1)), np.ones(3)),
     r"step_weights must have shape \(T,\)"),
])
def test_bad_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_many_to_many_gradient_is_sum_of_single_target_gradients():
    params = recurrent.init_params("rnn", 1, 5, 1, rng=2)
    data = tasks.noisy_sine(3, 6, rng=3)
    full = recurrent.loss_and_grads(params, data.x, data.y, "rnn")[1]
    parts = [recurrent.loss_and_grads(params, data.x, data.y, "rnn", np.eye(6)[t])[1] for t in range(6)]
    for name in full:
        np.testing.assert_allclose(sum(part[name] for part in parts), full[name], rtol=1e-12, atol=1e-13)
