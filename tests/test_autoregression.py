import numpy as np
import pytest

from lstm_course.data import tasks
from lstm_course.models import autoregression


def explicit_fit(x, y, weights, q):
    """Oracle: weighted least squares on the design matrix written out row by row."""
    rows, targets, row_weights = [], [], []
    for n in range(x.shape[0]):
        for t in range(q - 1, x.shape[1]):
            rows.append([1.0] + [x[n, t - k, 0] for k in range(q)])
            targets.append(y[n, t, 0])
            row_weights.append(weights[n, t])
    root = np.sqrt(np.array(row_weights))
    return np.linalg.lstsq(np.array(rows) * root[:, None], np.array(targets) * root, rcond=None)[0]


def random_task(rng, n=40, length=9):
    x = rng.normal(size=(n, length, 1))
    y = 0.6 * x + 0.3 * np.roll(x, 1, axis=1) + 0.1 * rng.normal(size=(n, length, 1))
    weights = rng.uniform(0.2, 2.0, size=(n, length)) * (rng.uniform(size=(n, length)) < 0.9)
    return tasks.TaskData(x, y, weights)


def test_every_order_matches_least_squares_on_the_written_out_design():
    data = random_task(np.random.default_rng(0))
    model = autoregression.fit_autoregression(data, 5)
    assert model.order == 5
    for q in range(1, 6):
        expected = explicit_fit(data.x, data.y, data.step_weights, q)
        np.testing.assert_allclose(model.coefficients[q - 1], expected, rtol=1e-9, atol=1e-12)


def test_a_sine_wave_is_predicted_exactly_by_ar2():
    period = 17.0
    waves = tasks.noisy_sine(3, 40, rng=1, noise=0.0, period_range=(period, period))
    model = autoregression.fit_autoregression(waves, 2)
    np.testing.assert_allclose(model.coefficients[1], [0.0, 2 * np.cos(2 * np.pi / period), -1.0], atol=1e-9)
    yhat = autoregression.predict_autoregression(model, waves.x)
    np.testing.assert_allclose(yhat[:, 1:], waves.y[:, 1:], atol=1e-9)   # from the second step on


def test_early_steps_use_the_inputs_that_exist():
    data = random_task(np.random.default_rng(2))
    model = autoregression.fit_autoregression(data, 4)
    x = np.random.default_rng(3).normal(size=(5, 7, 1))
    yhat = autoregression.predict_autoregression(model, x)[..., 0]
    for t in range(7):
        q = min(t + 1, 4)
        coefficients = model.coefficients[q - 1]
        by_hand = coefficients[0] + sum(coefficients[1 + k] * x[:, t - k, 0] for k in range(q))
        np.testing.assert_allclose(yhat[:, t], by_hand, rtol=1e-12, atol=1e-12)


def test_lower_orders_do_not_depend_on_the_largest_order():
    data = random_task(np.random.default_rng(4))
    large, small = autoregression.fit_autoregression(data, 6), autoregression.fit_autoregression(data, 3)
    for q in range(3):
        np.testing.assert_allclose(large.coefficients[q], small.coefficients[q], rtol=1e-10, atol=1e-12)


def test_the_loss_is_the_weighted_half_squared_error_per_target():
    data = random_task(np.random.default_rng(5))
    model = autoregression.fit_autoregression(data, 2)
    yhat = autoregression.predict_autoregression(model, data.x)
    weights = data.step_weights
    expected = np.sum(weights * (yhat - data.y)[..., 0] ** 2) / (2 * weights.sum())
    assert autoregression.autoregression_loss(model, data) == pytest.approx(expected, rel=1e-12)


def test_the_chosen_order_has_the_lowest_validation_loss():
    rng = np.random.default_rng(6)
    train, validation = random_task(rng, n=200), random_task(rng, n=200)
    choice = autoregression.choose_autoregression_order(train, validation, 6)
    separate = [autoregression.autoregression_loss(autoregression.fit_autoregression(train, p), validation)
                for p in range(1, 7)]
    np.testing.assert_allclose(choice.validation_loss, separate, rtol=1e-10)
    assert choice.order == int(np.argmin(separate)) + 1 and choice.model.order == choice.order
    # y depends on x_t and x_{t-1} only: AR(1) misses x_{t-1}, so the validation loss needs order 2 or more
    assert choice.order >= 2 and separate[1] < 0.5 * separate[0]


@pytest.mark.parametrize("make, message", [
    (lambda d: autoregression.fit_autoregression(d, 10), r"order must be at most the sequence length T = 9, got 10"),
    (lambda d: autoregression.fit_autoregression(d._replace(x=np.repeat(d.x, 2, axis=2)), 2),
     r"data.x must have shape \(N, T, 1\)"),
    (lambda d: autoregression.fit_autoregression(d._replace(step_weights=-d.step_weights), 2),
     r"data.step_weights must be >= 0"),
    (lambda d: autoregression.choose_autoregression_order(d, d, 0), r"max_order must be >= 1, got 0"),
    (lambda d: autoregression.choose_autoregression_order("abc", d, 2), r"train must be a TaskData"),
    (lambda d: autoregression.autoregression_loss(autoregression.fit_autoregression(d, 2),
                                                  d._replace(step_weights=0 * d.step_weights)),
     r"data.step_weights must have at least one positive weight"),
    (lambda d: autoregression.predict_autoregression(autoregression.Autoregression((np.ones(3),)), d.x),
     r"model.coefficients\[0\] must have shape \(q \+ 1,\) = \(2,\), got \(3,\)"),
])
def test_bad_inputs_name_the_argument(make, message):
    with pytest.raises(ValueError, match=message):
        make(random_task(np.random.default_rng(7)))
