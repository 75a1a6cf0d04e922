"""Choosing a window from the data: sample ACF, PACF by Durbin-Levinson, significant lags (Chapter 7, technique 3).

For a time series the number of input steps can be read off the partial autocorrelation:
:func:`suggest_window_length` returns the autoregressive order with the smallest BIC, computed
from the PACF; :func:`significance_bound` gives the white-noise band the PACF is drawn with.
"""
from typing import NamedTuple

import numpy as np

from lstm_course._validation import as_float_array, check_positive_int, check_scalar


def autocorrelation(series, max_lag):
    """Sample autocorrelation r_0..r_max_lag of a 1-D series.

    r_k = sum_{t=0}^{n-1-k} (x_t - m)(x_{t+k} - m) / sum_t (x_t - m)^2, the usual
    biased estimator (it keeps the sequence positive semi-definite).

    Parameters
    ----------
    series : array_like (n,)
    max_lag : int
        Largest lag, < n.

    Returns
    -------
    ndarray (max_lag + 1,), with r_0 = 1.
    """
    x = as_float_array("series", series, ndim=1)
    max_lag = check_positive_int("max_lag", max_lag)
    if max_lag >= len(x):
        raise ValueError(f"max_lag must be smaller than the series length {len(x)}, got {max_lag}")
    centred = x - x.mean()
    denominator = centred @ centred
    if denominator == 0:
        raise ValueError("series is constant; its autocorrelation is undefined")
    return np.array([centred[:len(x) - k] @ centred[k:] for k in range(max_lag + 1)]) / denominator


def durbin_levinson(acf):
    """Partial autocorrelations from autocorrelations by the Durbin-Levinson recursion.

    phi_{k,k} = (r_k - sum_{j<k} phi_{k-1,j} r_{k-j}) / (1 - sum_{j<k} phi_{k-1,j} r_j),
    phi_{k,j} = phi_{k-1,j} - phi_{k,k} phi_{k-1,k-j}.

    Parameters
    ----------
    acf : array_like (K + 1,)
        r_0 = 1, r_1, ..., r_K.

    Returns
    -------
    ndarray (K + 1,)
        1, phi_{1,1}, ..., phi_{K,K}, in the dtype of ``acf`` (the recursion runs in float64).

    Raises
    ------
    ValueError
        If r_0 != 1; if the sequence is not an autocorrelation (some ``|phi_{k,k}| > 1``,
        so its Toeplitz matrix is not positive semi-definite); or if a lag is predicted
        exactly (``|phi_{k,k}| = 1``, e.g. the ACF ``[1, 1, 1, ...]`` of a constant or a
        linear trend), after which the denominator is 0 and the higher PACF are undefined.
    """
    r = as_float_array("acf", acf, ndim=1)
    if abs(r[0] - 1.0) > 1e-12:
        raise ValueError(f"acf must start with r_0 = 1 (a normalised autocorrelation), got acf[0] = {r[0]!r}")
    dtype, r = r.dtype, r.astype(np.float64)
    pacf = np.ones(len(r))
    phi = np.zeros(0)
    for k in range(1, len(r)):
        denominator = 1.0 - phi @ r[1:k]  # the normalised error variance of the order-(k-1) predictor
        if denominator <= 1e-12:
            raise ValueError(f"acf predicts lag {k - 1} exactly (|PACF| = 1, error variance {denominator:.3g}), so "
                             f"the partial autocorrelations from lag {k} on are undefined (0 / 0); a constant "
                             "series or a pure trend gives such an acf")
        reflection = (r[k] - phi @ r[k - 1:0:-1]) / denominator
        if abs(reflection) > 1.0 + 1e-9:
            raise ValueError(f"acf is not an autocorrelation sequence: it gives a partial autocorrelation "
                             f"{reflection:.3g} at lag {k}, outside [-1, 1] (its Toeplitz matrix is not "
                             "positive semi-definite)")
        phi = np.append(phi - reflection * phi[::-1], reflection)
        pacf[k] = reflection
    return pacf.astype(dtype, copy=False)


def partial_autocorrelation(series, max_lag):
    """Sample partial autocorrelation of a 1-D series (Durbin-Levinson on :func:`autocorrelation`).

    Returns
    -------
    ndarray (max_lag + 1,), with the lag-0 entry 1.
    """
    return durbin_levinson(autocorrelation(series, max_lag))


def significance_bound(n, z=1.96):
    """z / sqrt(n): the approximate 95% band of a sample (P)ACF of white noise of length n."""
    return check_scalar("z", z, low=0.0, low_open=True) / np.sqrt(check_positive_int("n", n))


class WindowSuggestion(NamedTuple):
    """What :func:`suggest_window_length` found."""

    window: int
    """The AR order with the smallest BIC, at least 1: the number of input steps to use."""
    bic: np.ndarray
    """BIC of the AR(p) fit for p = 0, ..., max_lag, up to a constant: n log(sigma_p^2 / r_0) + p log n."""
    significant: np.ndarray
    """The lags whose PACF lies outside the band z / sqrt(n), for display."""


def suggest_window_length(series, max_lag, z=1.96):
    """Suggest the number of input time steps: the autoregressive order with the smallest BIC.

    An AR(p) fit by Yule-Walker leaves the one-step prediction variance
    sigma_p^2 = r_0 prod_{k <= p} (1 - phi_{k,k}^2) (the Durbin-Levinson recursion
    gives it for every p at once). The Bayesian information criterion
    BIC(p) = n log(sigma_p^2) + p log n charges log n per extra lag, so a lag whose PACF
    crosses the +-z/sqrt(n) band by chance (about 5% of the lags beyond the true
    order do) rarely earns its place. Taking the largest significant lag would pick
    such a spurious lag whenever one occurs, which for 12 surplus lags is about half
    the time.

    Parameters
    ----------
    series : array_like (n,)
    max_lag : int, 1 <= max_lag < n
        The largest order considered.
    z : float > 0
        Half-width of the band, in standard errors, for ``significant`` only.

    Returns
    -------
    WindowSuggestion
        ``window`` is 1 when no order beats the mean (BIC minimal at p = 0).
    """
    pacf = partial_autocorrelation(series, max_lag)
    n = len(series)
    orders = np.arange(max_lag + 1)
    relative_variance = np.cumprod(1.0 - pacf ** 2 * (orders > 0))   # sigma_p^2 / r_0; p = 0 keeps r_0
    bic = n * np.log(relative_variance.astype(np.float64)) + orders * np.log(n)
    significant = np.flatnonzero(np.abs(pacf[1:]) > significance_bound(n, z)) + 1
    return WindowSuggestion(max(int(np.argmin(bic)), 1), bic.astype(pacf.dtype), significant)
