"""The LSTM as an online system: RTRL, UORO and ARTBP on it reproduce full BPTT of lstm_backward."""
import itertools

import numpy as np
import pytest

from lstm_course.models import recurrent
from lstm_course.nn import lstm
from lstm_course.online import artbp, lstm_system, rtrl, systems, uoro


def lstm_problem(H=2, T=4, N=2, D=2, seed=0):
    rng = np.random.default_rng(seed)
    params = recurrent.init_params("lstm", D, H, 1, rng)
    x, y = rng.normal(size=(N, T, D)), rng.normal(size=(N, T, 1))
    system = lstm_system.LSTMSystem(params)
    full = system.theta(recurrent.loss_and_grads(params, x, y, "lstm")[1])   # BPTT through lstm_backward
    return params, system, system.theta(params), x, y, full


def test_online_rtrl_is_full_bptt():
    _, system, theta, x, y, full = lstm_problem(H=3, T=6, N=2)
    run = systems.run_online(rtrl.OnlineRTRL(system, theta), x, y)
    np.testing.assert_allclose(run.gradient_sum, full, rtol=0, atol=1e-12)


def test_state_tangent_matches_central_differences():
    params, system, theta, x, _, _ = lstm_problem(H=3, N=2)
    rng = np.random.default_rng(1)
    s_prev, v = rng.normal(size=(2, 6)), rng.normal(size=(2, 6))
    _, cache = system.step(theta, s_prev, x[:, 0])
    eps = 1e-6
    numeric = (system.step(theta, s_prev + eps * v, x[:, 0])[0]
               - system.step(theta, s_prev - eps * v, x[:, 0])[0]) / (2 * eps)
    analytic = system.jvp_state(theta, cache, v[:, :, None])[:, :, 0]
    assert np.max(np.abs(analytic - numeric)) / np.max(np.abs(numeric)) < 1e-8


def test_state_is_the_lstm_state_and_the_readout_reads_h_only():
    params, system, theta, x, y, _ = lstm_problem(H=2, T=5, N=2)
    estimator = uoro.UORO(system, theta, rng=0)
    systems.run_online(estimator, x, y)
    h, c, _ = lstm.lstm_forward(x, None, None, params["Wx"], params["Wh"], params["b"])
    np.testing.assert_allclose(estimator.s, np.concatenate([h[:, -1], c[:, -1]], axis=1), atol=1e-15)
    _, dl_ds = system.loss(estimator.s, y[:, -1])
    assert np.all(dl_ds[:, 2:] == 0)


def test_uoro_exact_mean_over_all_sign_patterns_is_full_bptt():
    _, system, theta, x, y, full = lstm_problem(H=1, T=4, N=1)   # 2^(N T 2H) = 256 sign patterns
    np.testing.assert_allclose(uoro.exact_mean(system, theta, x, y), full, rtol=0, atol=1e-12)


def test_artbp_exact_mean_over_all_cut_patterns_is_full_bptt():
    _, system, theta, x, y, full = lstm_problem(H=2, T=4, N=2)
    mean = 0.0
    for pattern in itertools.product([False, True], repeat=3):
        cuts = np.array(pattern + (False,))
        run = systems.run_online(artbp.ARTBP(system, theta, 0.5, cuts=cuts), x, y)
        mean = mean + artbp.cut_pattern_probability(cuts, 0.5) * run.gradient_sum
    np.testing.assert_allclose(mean, full, rtol=0, atol=1e-12)


def test_bad_inputs():
    params = recurrent.init_params("lstm", 2, 3, 1, rng=0)
    with pytest.raises(ValueError, match="Wh"):
        lstm_system.LSTMSystem({**params, "Wh": np.zeros((3, 3))})
    system = lstm_system.LSTMSystem(params)
    with pytest.raises(ValueError, match=r"theta must have shape \(P,\)"):
        system.unflatten(np.zeros(5))
    with pytest.raises(ValueError, match="params must have D = 2"):
        system.theta(recurrent.init_params("lstm", 3, 3, 1, rng=0))
