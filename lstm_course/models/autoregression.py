"""The least-squares autoregressive baseline for next-step prediction (Chapter 3).

Before a recurrent network is trusted with a sequence, it should beat the simple
method a practitioner would try first: a linear predictor of the next value from
the last ``p`` inputs, fitted by least squares, AR(p). :func:`fit_autoregression`
fits it on training sequences, :func:`predict_autoregression` runs it over whole
sequences, and :func:`choose_autoregression_order` picks ``p`` on a validation
set, so that the test set is only used to report the chosen model's loss.

An RNN predicts every step, the first ones included, from the inputs it has seen
so far. So that the baseline is scored on the same steps, the predictor at step
``t`` uses the ``q = min(t + 1, p)`` inputs that exist, with coefficients of its
own for every ``q``: AR(q) fitted by least squares on the steps that have at
least ``q`` inputs.
"""
from typing import NamedTuple

import numpy as np

from lstm_course._validation import as_float_array, check_object, check_positive_int, check_shape
from lstm_course.models import recurrent

# Sequences per block when the normal equations are accumulated, to bound memory.
_BLOCK = 1024


class Autoregression(NamedTuple):
    """Least-squares AR coefficients, one vector per history length q = 1..p."""

    coefficients: tuple
    """``coefficients[q - 1]``, shape (q + 1,): the intercept, then the weights of x_t, ..., x_{t-q+1}."""

    @property
    def order(self):
        """p, the largest number of past inputs the predictor uses."""
        return len(self.coefficients)


class OrderChoice(NamedTuple):
    """The AR order with the lowest validation loss, its model and every order's validation loss."""

    order: int
    model: Autoregression
    validation_loss: np.ndarray
    """Loss per target on the validation set of AR(1), ..., AR(max_order), in the training data's dtype."""


def _check_task(name, data):
    check_object(name, data, ("x", "y", "step_weights"), "a TaskData (x, y, step_weights)")
    x = as_float_array(f"{name}.x", data.x, ndim=3)
    if x.shape[2] != 1:
        raise ValueError(f"{name}.x must have shape (N, T, 1): one value per step, got {x.shape}")
    y = as_float_array(f"{name}.y", data.y, ndim=3)
    check_shape(f"{name}.y", y, x.shape, "(N, T, 1) like x")
    weights = as_float_array(f"{name}.step_weights", data.step_weights, ndim=2)
    check_shape(f"{name}.step_weights", weights, x.shape[:2], "(N, T)")
    if np.any(weights < 0):
        raise ValueError(f"{name}.step_weights must be >= 0")
    return x[..., 0], y[..., 0], weights


def _lagged(x, order):
    """Features (N, T, 1 + order): a 1 for the intercept, then x_t, x_{t-1}, ... (0 before the start)."""
    N, T = x.shape
    features = np.zeros((N, T, 1 + order), x.dtype)
    features[..., 0] = 1.0
    for lag in range(order):
        features[:, lag:, 1 + lag] = x[:, :T - lag]
    return features


def _check_order(name, order, length):
    order = check_positive_int(name, order)
    if order > length:
        raise ValueError(f"{name} must be at most the sequence length T = {length}, got {order}")
    return order


def _fit(x, y, weights, order):
    """Least-squares coefficients of AR(1)..AR(order) from validated arrays x, y, weights (N, T).

    The normal equations are accumulated and solved in float64; the coefficients come back in x's dtype.
    """
    dtype, T = x.dtype, x.shape[1]
    x, y, weights = (array.astype(np.float64) for array in (x, y, weights))
    # Normal equations per step t, summed over the sequences: gram[t] = sum_n w a a^T, moment[t] = sum_n w a y.
    gram, moment = np.zeros((T, order + 1, order + 1)), np.zeros((T, order + 1))
    for start in range(0, x.shape[0], _BLOCK):
        features = _lagged(x[start:start + _BLOCK], order).transpose(1, 0, 2)       # (T, n, 1 + p)
        weighted = features * weights[start:start + _BLOCK].T[..., None]
        gram += weighted.transpose(0, 2, 1) @ features
        moment += (weighted.transpose(0, 2, 1) @ y[start:start + _BLOCK].T[..., None])[..., 0]
    coefficients = []
    for q in range(1, order + 1):
        lhs = gram[q - 1:, :q + 1, :q + 1].sum(axis=0)
        rhs = moment[q - 1:, :q + 1].sum(axis=0)
        coefficients.append(np.linalg.lstsq(lhs, rhs, rcond=None)[0].astype(dtype))
    return Autoregression(tuple(coefficients))


def fit_autoregression(data, order):
    """Fit AR(1), ..., AR(order) next-step predictors by weighted least squares.

    AR(q) predicts y_t = a_0 + a_1 x_t + ... + a_q x_{t-q+1}; its coefficients
    minimise sum_{n, t >= q-1} w_{n,t} (y_{n,t} - yhat_{n,t})^2 over the steps that
    have q inputs. :func:`predict_autoregression` uses AR(min(t + 1, order)) at step t.

    Parameters
    ----------
    data : TaskData
        Training sequences: x and y of shape (N, T, 1), step_weights (N, T) >= 0, as
        returned by :func:`lstm_course.data.tasks.noisy_sine`.
    order : int
        p >= 1, at most T.

    Returns
    -------
    Autoregression

    Examples
    --------
    A sine wave of period P obeys x_{t+1} = 2 cos(2 pi / P) x_t - x_{t-1} exactly, and AR(2)
    finds those weights (for P = 12, 2 cos(pi / 6) = sqrt(3)):

    >>> from lstm_course.data import tasks
    >>> waves = tasks.noisy_sine(4, 30, rng=0, noise=0.0, period_range=(12.0, 12.0))
    >>> np.round(fit_autoregression(waves, 2).coefficients[1][1:], 6).tolist()
    [1.732051, -1.0]
    """
    x, y, weights = _check_task("data", data)
    return _fit(x, y, weights, _check_order("order", order, x.shape[1]))


def _check_model(model):
    check_object("model", model, ("coefficients",), "an Autoregression from fit_autoregression")
    coefficients = model.coefficients
    if not isinstance(coefficients, tuple) or not coefficients:
        raise ValueError("model.coefficients must be a non-empty tuple of arrays")
    for q, vector in enumerate(coefficients, start=1):
        check_shape(f"model.coefficients[{q - 1}]", as_float_array(f"model.coefficients[{q - 1}]", vector, ndim=1),
                    (q + 1,), "(q + 1,)")
    return coefficients


def predict_autoregression(model, x):
    """Next-step predictions of a fitted AR model over whole sequences.

    Parameters
    ----------
    model : Autoregression
    x : ndarray (N, T, 1)

    Returns
    -------
    yhat : ndarray (N, T, 1)
        Step t uses AR(min(t + 1, p)) on x_t, ..., x_{max(0, t-p+1)}.
    """
    coefficients = _check_model(model)
    x = as_float_array("x", x, ndim=3)
    if x.shape[2] != 1:
        raise ValueError(f"x must have shape (N, T, 1): one value per step, got {x.shape}")
    order, T = len(coefficients), x.shape[1]
    features = _lagged(x[..., 0], order)
    yhat = np.empty(x.shape[:2], np.result_type(x, *coefficients))
    yhat[:, order - 1:] = features[:, order - 1:] @ coefficients[-1]
    for t in range(min(order - 1, T)):
        yhat[:, t] = features[:, t, :t + 2] @ coefficients[t]
    return yhat[..., None]


def autoregression_loss(model, data):
    """Loss per target of a fitted AR model: sum w (yhat - y)^2 / 2 divided by sum w.

    Parameters
    ----------
    model : Autoregression
    data : TaskData with x, y (N, T, 1) and step_weights (N, T)

    Returns
    -------
    float
    """
    _, _, weights = _check_task("data", data)
    if not weights.sum() > 0:
        raise ValueError("data.step_weights must have at least one positive weight")
    yhat = predict_autoregression(model, data.x)
    return float(recurrent.squared_error(yhat, data.y, weights)[0] / weights.sum())


def choose_autoregression_order(train, validation, max_order):
    """Fit AR(1), ..., AR(max_order) on ``train`` and keep the order with the lowest validation loss.

    The AR(q) fits do not depend on the largest order, so one fit of AR(max_order)
    holds them all; AR(p) is its first p coefficient vectors.

    Parameters
    ----------
    train, validation : TaskData
        x, y of shape (N, T, 1), step_weights (N, T).
    max_order : int
        Largest order tried, at most the training sequences' length.

    Returns
    -------
    OrderChoice
    """
    x, y, weights = _check_task("train", train)
    _check_task("validation", validation)
    full = _fit(x, y, weights, _check_order("max_order", max_order, x.shape[1]))
    losses = np.array([autoregression_loss(Autoregression(full.coefficients[:p]), validation)
                       for p in range(1, full.order + 1)], x.dtype)
    best = int(np.argmin(losses)) + 1
    return OrderChoice(best, Autoregression(full.coefficients[:best]), losses)
