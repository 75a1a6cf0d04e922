import matplotlib.pyplot as plt
import numpy as np
import pytest

from lstm_course import plots
from lstm_course.lab.one_unit import one_unit_descent, one_unit_loss_surface
from lstm_course.lab.vanishing import jacobian_norm_matrix
from lstm_course.nn.rnn import rnn_forward


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_power_curves_draws_one_curve_per_base():
    ax = plots.power_curves([0.9, 1.1], length=10)
    curve = ax.lines[0]
    np.testing.assert_allclose(curve.get_ydata(), 0.9 ** np.arange(11))
    assert ax.get_yscale() == "log" and len(ax.get_legend().get_texts()) == 2


def test_norm_vs_lag_draws_medians_and_bounds():
    norms = np.array([[1.0, 0.5, 0.25], [1.0, 0.3, 0.1]])
    ax = plots.norm_vs_lag({"run": norms}, bounds={"run": 0.8})
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.median(norms, axis=0))
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 0.8 ** np.arange(3))
    assert ax.get_ylim()[0] <= 0.1 and ax.get_ylim()[1] >= 1.0


def test_gradient_heatmap_shows_the_lower_triangle(rng):
    _, cache = rnn_forward(rng.normal(size=(1, 8, 3)), None, rng.normal(size=(3, 4)), 0.5 * np.eye(4), np.zeros(4))
    ax = plots.gradient_heatmap(jacobian_norm_matrix(cache)[0])
    image = ax.images[0].get_array()
    assert image.shape == (9, 9) and image.mask[0, 1] and not image.mask[1, 0]


def test_condition_scatter_splits_points_by_lambda_1():
    ax = plots.condition_scatter([0.5, 0.9, 1.5], [0.8, 1.6, 3.0], [1e-5, 1e-3, 10.0], lag=50)
    assert [len(collection.get_offsets()) for collection in ax.collections] == [1, 2]


def test_error_surface_draws_paths_on_the_grid():
    w_values, b_values = np.linspace(1, 9, 9), np.linspace(-5, 1, 7)
    path = one_unit_descent(5.0, -2.0, learning_rate=0.5, n_updates=3).params
    ax = plots.error_surface(w_values, b_values, one_unit_loss_surface(w_values, b_values), paths={"descent": path})
    np.testing.assert_allclose(ax.lines[0].get_xdata(), path[:, 0])
    assert ax.get_xlim() == (1.0, 9.0)
