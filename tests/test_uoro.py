"""UORO is unbiased: exact mean by enumeration, and a statistical check with fixed seeds."""
import numpy as np
import pytest

from lstm_course.models import recurrent
from lstm_course.online import rtrl, systems, uoro


def elman_problem(H=2, T=3, N=1, D=2, seed=0):
    rng = np.random.default_rng(seed)
    params = recurrent.init_params("rnn", D, H, 1, rng)
    x, y = rng.normal(size=(N, T, D)), rng.normal(size=(N, T, 1))
    system = systems.ElmanSystem(params)
    full = system.theta(recurrent.loss_and_grads(params, x, y, "rnn")[1])
    return params, system, system.theta(params), x, y, full


def test_exact_mean_over_all_sign_patterns_is_full_bptt():
    _, system, theta, x, y, full = elman_problem(H=2, T=3)
    np.testing.assert_allclose(uoro.exact_mean(system, theta, x, y), full, rtol=0, atol=1e-12)


def test_exact_mean_per_step_equals_rtrl_on_influence_balancing():
    system = systems.InfluenceBalancing(4, 2)
    x, y = system.stream(3)
    theta = np.array([0.3])
    exact = systems.run_online(rtrl.OnlineRTRL(system, theta.copy()), x, y).gradient_sum
    np.testing.assert_allclose(uoro.exact_mean(system, theta, x, y), exact, rtol=0, atol=1e-12)


def test_first_step_is_exact_for_one_unit_and_states_follow_the_forward_pass():
    params, system, theta, x, y, _ = elman_problem(H=1, T=4, N=2)
    estimator = uoro.UORO(system, theta, rng=5)
    estimator.start(np.zeros((2, 1)))
    _, g1 = estimator.step(x[:, 0], y[:, 0])
    np.testing.assert_allclose(g1, system.theta(rtrl.rtrl_gradients(params, x, y, "rnn")[0]), atol=1e-12)
    for t in range(1, 4):   # the state UORO carries is the network's own hidden state
        estimator.step(x[:, t], y[:, t])
    h, _ = recurrent.forward(params, x, "rnn")[1]["h"], None
    np.testing.assert_allclose(estimator.s, h[:, -1], atol=1e-15)


def test_rank_one_tangents_average_to_the_rtrl_sensitivity():
    params, system, theta, x, y, _ = elman_problem(H=2, T=2, N=1)
    exact = rtrl.OnlineRTRL(system, theta)
    exact.start(np.zeros((1, 2)))
    for t in range(2):
        exact.step(x[:, t], y[:, t])
    mean = 0.0
    for code in range(16):
        signs = (2.0 * ((code >> np.arange(4)) & 1) - 1.0).reshape(1, 2, 2)
        est = uoro.UORO(system, theta, signs=signs)
        est.start(np.zeros((1, 2)))
        for t in range(2):
            est.step(x[:, t], y[:, t])
        mean = mean + est.state_tangent[0][:, None] * est.param_tangent[0][None, :] / 16
    np.testing.assert_allclose(mean, exact.sensitivity[0], atol=1e-12)


def test_mean_of_draws_converges_like_one_over_sqrt_draws():
    _, system, theta, x, y, full = elman_problem(H=3, T=12, seed=1)
    draws = np.array([systems.run_online(uoro.UORO(system, theta.copy(), rng=seed), x, y).gradient_sum
                      for seed in range(1600)])
    spread = np.sqrt(np.mean(np.sum((draws - full) ** 2, axis=1)))
    for M in (25, 100, 400, 1600):
        error = np.linalg.norm(draws[:M].mean(axis=0) - full)
        assert 0.25 < error / (spread / np.sqrt(M)) < 2.5, (M, error, spread)


def test_bad_inputs():
    _, system, theta, x, y, _ = elman_problem()
    with pytest.raises(ValueError, match="theta must have shape"):
        uoro.UORO(system, theta[:-1])
    with pytest.raises(ValueError, match="signs must be an"):
        uoro.UORO(system, theta, signs=np.zeros((1, 3, 2)))
    with pytest.raises(ValueError, match="eps must be"):
        uoro.UORO(system, theta, eps=0.0)
    with pytest.raises(ValueError, match="signs has 2 steps"):
        systems.run_online(uoro.UORO(system, theta, signs=np.ones((1, 2, 2))), x, y)
    with pytest.raises(ValueError, match="N T n = 18 > 16"):
        uoro.exact_mean(system, theta, np.zeros((1, 9, 2)), np.zeros((1, 9, 1)))
