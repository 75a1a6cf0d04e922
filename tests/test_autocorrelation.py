import numpy as np
import pytest

from lstm_course import autocorrelation, tasks


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
    window, significant = autocorrelation.suggest_window_length(series, 24)
    assert window == 12 and 12 in significant
