"""Tests for lstm_course.lab.bptt_cost: timing helper, linear fit; the Chapter 3 figures."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_course import plots  # noqa: E402
from lstm_course.data import tasks  # noqa: E402
from lstm_course.lab import bptt_cost  # noqa: E402


def test_time_bptt_update_returns_positive_seconds_per_length():
    seconds = bptt_cost.time_bptt_update([5, 10], cell="lstm", batch_size=2, hidden_size=3, repeats=2, rng=0)
    assert seconds.shape == (2,)
    assert np.all(seconds > 0)


def test_linear_fit_recovers_line_and_r_squared():
    x = np.arange(10.0)
    slope, intercept, r_squared = bptt_cost.linear_fit(x, 3 * x + 2)
    assert slope == pytest.approx(3) and intercept == pytest.approx(2) and r_squared == pytest.approx(1)
    noisy = 3 * x + 2 + np.random.default_rng(0).normal(size=10) * 5
    r_noisy = bptt_cost.linear_fit(x, noisy)[2]
    assert 0 < r_noisy < 1
    assert bptt_cost.linear_fit(x, np.full(10, 4.0))[2] == 1.0


def test_bad_inputs_raise_value_error():
    with pytest.raises(ValueError, match="lengths"):
        bptt_cost.time_bptt_update([])
    with pytest.raises(ValueError, match="repeats"):
        bptt_cost.time_bptt_update([5], repeats=0)
    with pytest.raises(ValueError, match="distinct"):
        bptt_cost.linear_fit([1, 1, 1], [1, 2, 3])
    with pytest.raises(ValueError, match="same length"):
        bptt_cost.linear_fit([1, 2, 3], [1, 2])


def test_figures_draw():
    ax = plots.cost_vs_length([10, 20, 40], [1e-3, 2e-3, 4e-3],
                              fit=bptt_cost.linear_fit([10, 20, 40], [1e-3, 2e-3, 4e-3]))
    measured, fitted = ax.get_lines()
    np.testing.assert_allclose(measured.get_ydata(), [1.0, 2.0, 4.0])   # drawn in ms
    assert "100.0 µs per step" in fitted.get_label()                      # slope 1e-4 s per step
    data = tasks.noisy_sine(3, 20, rng=0)
    assert len(plots.sine_predictions(data.x, data.y, data.x, n_show=2)) == 2
    flow = {"injected": np.array([0.0, 1.0]), "total": np.array([0.5, 1.0])}
    assert len(plots.error_injection({"a": flow, "b": flow})) == 2
    plt.close("all")
