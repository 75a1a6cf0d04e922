"""ARTBP is unbiased for full BPTT; with no cuts it is full BPTT; TBPTT(k, k) matches the engine."""
import itertools

import numpy as np
import pytest

from lstm_course.models import recurrent
from lstm_course.online import artbp, rtrl, systems
from lstm_course.train.tbptt import engine


def elman_problem(H=3, T=5, N=2, D=2, seed=0):
    rng = np.random.default_rng(seed)
    params = recurrent.init_params("rnn", D, H, 1, rng)
    x, y = rng.normal(size=(N, T, D)), rng.normal(size=(N, T, 1))
    system = systems.ElmanSystem(params)
    full = system.theta(recurrent.loss_and_grads(params, x, y, "rnn")[1])
    return params, system, system.theta(params), x, y, full


def test_no_truncation_is_full_bptt():
    _, system, theta, x, y, full = elman_problem()
    run = systems.run_online(artbp.ARTBP(system, theta, 0.0, rng=0), x, y)
    assert run.update_times.tolist() == [5]
    np.testing.assert_allclose(run.gradient_sum, full, rtol=0, atol=1e-12)


@pytest.mark.parametrize("c", [0.2, 0.5, 0.9])
def test_exact_mean_over_all_cut_patterns_is_full_bptt(c):
    _, system, theta, x, y, full = elman_problem(T=5)
    mean = 0.0
    for pattern in itertools.product([False, True], repeat=4):
        cuts = np.array(pattern + (False,))
        run = systems.run_online(artbp.ARTBP(system, theta, c, cuts=cuts), x, y)
        mean = mean + artbp.cut_pattern_probability(cuts, c) * run.gradient_sum
    np.testing.assert_allclose(mean, full, rtol=0, atol=1e-12)


def test_exact_mean_with_a_length_dependent_probability():
    _, system, theta, x, y, full = elman_problem(T=4)
    c = lambda k: min(0.8, 0.2 * k)
    mean = 0.0
    for pattern in itertools.product([False, True], repeat=3):
        cuts, k, probability = np.array(pattern + (False,)), 0, 1.0
        for cut in pattern:           # the probability of this pattern, step by step
            k += 1
            probability *= c(k) if cut else 1 - c(k)
            k = 0 if cut else k
        mean = mean + probability * systems.run_online(artbp.ARTBP(system, theta, c, cuts=cuts), x, y).gradient_sum
    np.testing.assert_allclose(mean, full, rtol=0, atol=1e-12)


@pytest.mark.parametrize("T, k, times", [(12, 4, [4, 8, 12]), (11, 4, [4, 8, 11]), (3, 4, [3]),
                                         (9, 1, list(range(1, 10)))])
def test_truncated_bptt_matches_the_tbptt_engine_update_by_update(T, k, times):
    """Every update equals the engine's, the partial last segment (T = 11: 3 losses through 4 steps) included."""
    params, system, theta, x, y, _ = elman_problem(T=T)
    estimator, gradients = artbp.TruncatedBPTT(system, theta, k), []
    estimator.start(np.zeros((2, 3)))
    for t in range(T):
        _, g = estimator.step(x[:, t], y[:, t])
        gradients += [] if g is None else [g]
    gradients.append(estimator.finish())
    updates = engine.tbptt_gradients(params, x, y, k, k, "rnn")
    assert [t for t, _ in updates] == times and len(gradients) == len(times) + (T % k == 0)
    for g, (_, grads) in zip(gradients, updates):
        np.testing.assert_allclose(g, system.theta(grads), rtol=0, atol=1e-12)
    run = systems.run_online(artbp.TruncatedBPTT(system, theta, k), x, y)
    assert run.update_times.tolist() == times
    np.testing.assert_allclose(run.gradient_sum, sum(system.theta(g) for _, g in updates), atol=1e-12)


def test_mean_of_draws_converges_like_one_over_sqrt_draws():
    _, system, theta, x, y, full = elman_problem(H=3, T=12, N=1, seed=1)
    draws = np.array([systems.run_online(artbp.ARTBP(system, theta, 0.3, rng=seed), x, y).gradient_sum
                      for seed in range(1600)])
    spread = np.sqrt(np.mean(np.sum((draws - full) ** 2, axis=1)))
    for M in (25, 100, 400, 1600):
        error = np.linalg.norm(draws[:M].mean(axis=0) - full)
        assert 0.25 < error / (spread / np.sqrt(M)) < 2.5, (M, error, spread)


def test_online_rtrl_matches_the_reference_rtrl_at_every_step():
    params, system, theta, x, y, _ = elman_problem(T=6)
    estimator = rtrl.OnlineRTRL(system, theta)
    estimator.start(np.zeros((2, 3)))
    for t, reference in enumerate(rtrl.rtrl_gradients(params, x, y, "rnn")):
        _, g = estimator.step(x[:, t], y[:, t])
        np.testing.assert_allclose(g, system.theta(reference), atol=1e-12)


def test_influence_balancing_closed_forms():
    system = systems.InfluenceBalancing(10, 4)
    x, y = system.stream(400)
    estimator = rtrl.OnlineRTRL(system, np.array([system.optimum]))
    estimator.start(np.zeros((1, 10)))
    for t in range(400):     # at the optimum the state settles where unit 1 hits the target
        loss, g = estimator.step(x[:, t], y[:, t])
    assert loss < 1e-20 and abs(g[0]) < 1e-9
    assert abs(estimator.sensitivity[0, 0, 0] - 2 * (2 * 4 - 10)) < 1e-9
    assert system.truncated_sensitivity(4) == 4.0
    assert abs(system.truncated_sensitivity(200) - 2 * (2 * 4 - 10)) < 1e-9


def test_bad_inputs():
    _, system, theta, x, y, _ = elman_problem()
    for c in (1.0, -0.1, "0.5", True):
        with pytest.raises(ValueError, match="truncation_probability must be"):
            artbp.ARTBP(system, theta, c)
    with pytest.raises(ValueError, match="truncation_probability returned 1.0"):
        systems.run_online(artbp.ARTBP(system, theta, lambda k: 1.0), x, y)
    with pytest.raises(ValueError, match="cuts must be a 1-D boolean"):
        artbp.ARTBP(system, theta, 0.5, cuts=[0, 1])
    with pytest.raises(ValueError, match="k must be >= 1"):
        artbp.TruncatedBPTT(system, theta, 0)
    with pytest.raises(ValueError, match="learning_rate must be"):
        systems.run_online(artbp.ARTBP(system, theta), x, y, learning_rate=-1.0)
    with pytest.raises(ValueError, match=r"s0 must have shape \(N, n\)"):
        systems.run_online(artbp.ARTBP(system, theta), x, y, s0=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="n_positive must be < n_units"):
        systems.InfluenceBalancing(4, 4)
    with pytest.raises(ValueError, match="method must be one of"):
        systems.multiply_adds_per_step("bptt", 1, 4)
