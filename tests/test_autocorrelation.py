import numpy as np
import pytest

from lstm_course.data import autocorrelation, tasks


def _ar1(phi, n, seed):
    rng = np.random.default_rng(seed)
    x = np.empty(n)
    x[0] = rng.normal() / np.sqrt(1 - phi ** 2)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + rng.normal()
    return x


def test_durbin_levinson_on_ar1_closed_form():
    phi = 0.7
    pacf = autocorrelation.durbin_levinson(phi ** np.arange(8))
    np.testing.assert_allclose(pacf, [1, phi, 0, 0, 0, 0, 0, 0], atol=1e-12)


def test_sample_acf_and_pacf_of_ar1():
    phi, n = 0.6, 20000
    series = _ar1(phi, n, 0)
    acf = autocorrelation.autocorrelation(series, 6)
    pacf = autocorrelation.partial_autocorrelation(series, 6)
    bound = 4 / np.sqrt(n)
    np.testing.assert_allclose(acf, phi ** np.arange(7), atol=bound)
    assert pacf[1] == pytest.approx(phi, abs=bound)
    assert np.all(np.abs(pacf[2:]) < bound)


def test_pacf_equals_last_yule_walker_coefficient():
    series = _ar1(0.5, 500, 1)
    acf = autocorrelation.autocorrelation(series, 5)
    pacf = autocorrelation.partial_autocorrelation(series, 5)
    for k in range(1, 6):
        toeplitz = acf[np.abs(np.subtract.outer(np.arange(k), np.arange(k)))]
        assert pacf[k] == pytest.approx(np.linalg.solve(toeplitz, acf[1:k + 1])[-1], abs=1e-12)


def test_acf_bad_inputs():
    with pytest.raises(ValueError, match="max_lag must be smaller"):
        autocorrelation.autocorrelation(np.arange(5.0), 5)
    with pytest.raises(ValueError, match="constant"):
        autocorrelation.autocorrelation(np.ones(10), 2)


def test_suggest_window_length_finds_the_season():
    series = tasks.seasonal_ar(1, 5000, 12, rng=0).x[0, :, 0]
    window, bic, significant = autocorrelation.suggest_window_length(series, 24)
    assert window == 12 and 12 in significant and bic.shape == (25,)


def test_bic_order_is_robust_to_chance_crossings_where_the_largest_significant_lag_is_not():
    # Beyond the true order each PACF lag crosses the 95% band about 5% of the time, so the
    # largest crossing lag is often spurious; BIC charges log n per lag.
    hits = largest_hits = 0
    for seed in range(40):
        series = tasks.seasonal_ar(1, 3000, 12, rng=seed).x[0, :, 0]
        suggestion = autocorrelation.suggest_window_length(series, 24)
        hits += suggestion.window == 12
        largest_hits += suggestion.significant.max() == 12
    assert hits >= 38 and largest_hits <= 30


def test_bic_matches_least_squares_ar_fits():
    # Independent oracle: BIC from ordinary least-squares AR(p) fits on the same series.
    rng = np.random.default_rng(5)
    series = np.zeros(4000)
    for t in range(2, len(series)):
        series[t] = 0.6 * series[t - 1] - 0.3 * series[t - 2] + rng.normal()
    window, bic, _ = autocorrelation.suggest_window_length(series, 6)
    n, lag = len(series), 6
    centred = series - series.mean()
    least_squares = []
    for p in range(lag + 1):
        target = centred[lag:]
        design = np.column_stack([centred[lag - k:n - k] for k in range(1, p + 1)]) if p else np.zeros((n - lag, 0))
        residual = target - design @ np.linalg.lstsq(design, target, rcond=None)[0] if p else target
        least_squares.append(n * np.log(residual @ residual / len(target)) + p * np.log(n))
    least_squares = np.array(least_squares) - least_squares[0]
    assert window == 2 == int(np.argmin(least_squares))
    # Yule-Walker and least squares differ only by end effects: ~1 unit out of ~1400.
    assert np.allclose(bic - bic[0], least_squares, atol=2.0)
