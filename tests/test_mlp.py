import numpy as np
import pytest

from lstm_course.models.mlp import mlp_backward, mlp_forward, mlp_init, mse_loss, sgd_step, train
from lstm_course.nn.gradcheck import check_gradients

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


@pytest.mark.parametrize("sizes", [(2, 1), (2, 3, 1), (3, 4, 5, 2)])
def test_backward_matches_numerical_gradients(rng, sizes):
    params = mlp_init(sizes, rng)
    for name in params:
        params[name] += 0.1 * rng.normal(size=params[name].shape)  # non-zero biases too
    X, y = rng.normal(size=(5, sizes[0])), rng.normal(size=(5, sizes[-1]))
    yhat, cache = mlp_forward(params, X)
    _, dyhat = mse_loss(yhat, y)
    analytic = mlp_backward(dyhat, cache)

    def loss(**p):
        return np.array(mse_loss(mlp_forward(p, X)[0], y)[0])

    errors = check_gradients(loss, params, analytic, np.array(1.0), verbose=False)
    assert max(errors.values()) <= 1e-7, errors


def test_mse_loss_value_and_gradient():
    loss, dyhat = mse_loss(np.array([[1.0], [3.0]]), np.array([[0.0], [0.0]]))
    assert loss == pytest.approx(0.5 * (1 + 9) / 2)
    np.testing.assert_allclose(dyhat, [[0.5], [1.5]])


def test_sgd_step_moves_against_the_gradient():
    params = {"W1": np.array([[1.0]]), "b1": np.array([0.0])}
    sgd_step(params, {"W1": np.array([[2.0]]), "b1": np.array([-1.0])}, 0.5)
    assert params["W1"][0, 0] == 0.0 and params["b1"][0] == 0.5


def test_training_learns_xor_deterministically():
    params = mlp_init((2, 4, 1), rng=0)
    losses = train(params, XOR_X, XOR_Y, learning_rate=0.5, epochs=2000)
    assert losses[-1] < 1e-3 < losses[0]
    np.testing.assert_array_equal(np.round(mlp_forward(params, XOR_X)[0]), XOR_Y)
    again = mlp_init((2, 4, 1), rng=0)
    np.testing.assert_array_equal(train(again, XOR_X, XOR_Y, 0.5, 2000), losses)


def test_bad_inputs():
    with pytest.raises(ValueError, match="at least an input and an output"):
        mlp_init([3])
    with pytest.raises(ValueError, match="must be >= 1"):
        mlp_init([2, 0, 1])
    params = mlp_init((2, 3, 1), rng=0)
    with pytest.raises(ValueError, match=r"X must have shape \(N, D_in\) = \(4, 2\)"):
        mlp_forward(params, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="W1, b1"):
        mlp_forward({"W1": params["W1"]}, XOR_X)
    with pytest.raises(ValueError, match="y must have shape"):
        mse_loss(np.zeros((4, 1)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        train(params, XOR_X, XOR_Y, 0.1, 0)
