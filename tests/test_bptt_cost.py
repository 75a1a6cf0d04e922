"""Tests for lstm_course.bptt: timing helper, linear fit, error flow."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_course import bptt, models, plots, tasks  # noqa: E402


def test_time_bptt_update_returns_positive_seconds_per_length():
    seconds = bptt.time_bptt_update([5, 10], cell="lstm", batch_size=2, hidden_size=3, repeats=2, rng=0)
    assert seconds.shape == (2,)
    assert np.all(seconds > 0)


def test_linear_fit_recovers_line_and_r_squared():
    x = np.arange(10.0)
    slope, intercept, r_squared = bptt.linear_fit(x, 3 * x + 2)
    assert slope == pytest.approx(3) and intercept == pytest.approx(2) and r_squared == pytest.approx(1)
    noisy = 3 * x + 2 + np.random.default_rng(0).normal(size=10) * 5
    r_noisy = bptt.linear_fit(x, noisy)[2]
    assert 0 < r_noisy < 1
    assert bptt.linear_fit(x, np.full(10, 4.0))[2] == 1.0


def test_error_flow_many_to_one_injects_only_at_last_step():
    params = models.init_params("rnn", 1, 6, 1, rng=0)
    data = tasks.noisy_sine(4, 12, rng=1)
    last_only = np.zeros(12)
    last_only[-1] = 1.0
    flow = bptt.error_flow(params, data.x, data.y, last_only)
    assert np.all(flow["injected"][:-1] == 0) and flow["injected"][-1] > 0
    assert flow["total"][-1] == pytest.approx(flow["injected"][-1])
    assert np.all(flow["total"][:-1] > 0)
    yhat = models.forward(params, data.x, "rnn")[0]
    assert flow["loss"] == pytest.approx(models.squared_error(yhat, data.y, last_only)[0])


def test_many_to_many_gradient_is_sum_of_single_target_gradients():
    params = models.init_params("rnn", 1, 5, 1, rng=2)
    data = tasks.noisy_sine(3, 6, rng=3)
    full = models.loss_and_grads(params, data.x, data.y, "rnn")[1]
    parts = [models.loss_and_grads(params, data.x, data.y, "rnn", np.eye(6)[t])[1] for t in range(6)]
    for name in full:
        np.testing.assert_allclose(sum(part[name] for part in parts), full[name], rtol=1e-12, atol=1e-13)


def test_bad_inputs_raise_value_error():
    with pytest.raises(ValueError, match="lengths"):
        bptt.time_bptt_update([])
    with pytest.raises(ValueError, match="repeats"):
        bptt.time_bptt_update([5], repeats=0)
    with pytest.raises(ValueError, match="distinct"):
        bptt.linear_fit([1, 1, 1], [1, 2, 3])
    with pytest.raises(ValueError, match="same length"):
        bptt.linear_fit([1, 2, 3], [1, 2])
    params = models.init_params("rnn", 1, 4, 1, rng=0)
    with pytest.raises(ValueError, match="step_weights"):
        bptt.error_flow(params, np.zeros((2, 5, 1)), np.zeros((2, 5, 1)), np.ones(4))


def test_figures_draw():
    plots.cost_vs_length([10, 20, 40], [1e-3, 2e-3, 4e-3], fit=bptt.linear_fit([10, 20, 40], [1e-3, 2e-3, 4e-3]))
    data = tasks.noisy_sine(3, 20, rng=0)
    assert len(plots.sine_predictions(data.x, data.y, data.x, n_show=2)) == 2
    flow = {"injected": np.array([0.0, 1.0]), "total": np.array([0.5, 1.0])}
    assert len(plots.error_injection({"a": flow, "b": flow})) == 2
    plt.close("all")
