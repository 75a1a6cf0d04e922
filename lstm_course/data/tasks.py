"""Deterministic toy sequence tasks.

Every generator takes ``rng`` (a seed or a ``numpy.random.Generator``) and
returns a :class:`TaskData` ``(x, y, step_weights)`` with batch-major arrays
``x (N, T, D)``, ``y (N, T, O)`` and ``step_weights (N, T)``: the weight of
each step's loss in :func:`lstm_course.models.recurrent.squared_error` (0 where a step
has no target).
"""
from typing import NamedTuple

import numpy as np

from lstm_course._validation import as_rng, check_flag, check_positive_int, check_scalar, check_sequence


class TaskData(NamedTuple):
    """Inputs, targets and per-step loss weights of a sequence task."""

    x: np.ndarray
    y: np.ndarray
    step_weights: np.ndarray


def noisy_sine(n_sequences, length, rng=None, noise=0.1, period_range=(10.0, 30.0)):
    """Next-step prediction of noisy sine waves.

    s_t = sin(2 pi t / P + phi) + noise * eps_t with P ~ U(period_range),
    phi ~ U[0, 2 pi) and eps_t ~ N(0, 1) per sequence; x_t = s_t and
    y_t = s_{t+1} for t = 0..T-1.

    Returns
    -------
    TaskData with x, y of shape (N, T, 1) and all step weights 1.
    """
    N = check_positive_int("n_sequences", n_sequences)
    T = check_positive_int("length", length)
    noise = check_scalar("noise", noise, low=0.0)
    bounds = check_sequence("period_range", period_range, check_scalar)
    if len(bounds) != 2 or not 0 < bounds[0] <= bounds[1]:
        raise ValueError(f"period_range must be (low, high) with 0 < low <= high, got {period_range!r}")
    rng = as_rng("rng", rng)
    period = rng.uniform(bounds[0], bounds[1], size=(N, 1))
    phase = rng.uniform(0.0, 2 * np.pi, size=(N, 1))
    steps = np.arange(T + 1)
    series = np.sin(2 * np.pi * steps / period + phase) + noise * rng.normal(size=(N, T + 1))
    return TaskData(series[:, :-1, None], series[:, 1:, None], np.ones((N, T)))


def _inputs_after_warmup(n_sequences, length, warmup_name, warmup, rng):
    """Uniform inputs x (N, T, 1) ~ U[-1, 1] and step weights that are 0 for the first ``warmup`` steps.

    Those first steps have no target because the target needs ``warmup`` past inputs.
    """
    N = check_positive_int("n_sequences", n_sequences)
    T = check_positive_int("length", length)
    warmup = check_positive_int(warmup_name, warmup)
    if warmup >= T:
        raise ValueError(f"{warmup_name} must be smaller than length so that some step has a target, "
                         f"got {warmup_name}={warmup}, length={T}")
    x = as_rng("rng", rng).uniform(-1.0, 1.0, size=(N, T, 1))
    weights = np.zeros((N, T))
    weights[:, warmup:] = 1.0
    return x, weights


def delay_task(n_sequences, length, lag, rng=None):
    """Echo the input ``lag`` steps later: y_t = x_{t - lag}.

    x_t ~ U[-1, 1]. Steps t < lag have no target (weight 0), so a model can
    only reduce the loss by carrying information across exactly ``lag`` steps.

    Returns
    -------
    TaskData with x, y of shape (N, T, 1); step weights 0 for t < lag, else 1.
    """
    x, weights = _inputs_after_warmup(n_sequences, length, "lag", lag, rng)
    lag = int(lag)
    y = np.zeros_like(x)
    y[:, lag:] = x[:, :-lag]
    return TaskData(x, y, weights)


def adding_problem(n_sequences, min_length, rng=None, variable_length=True):
    """The adding problem of Hochreiter & Schmidhuber (1997), Experiment 4.

    Each step is a pair (value, marker) with value ~ U[-1, 1]. Exactly two
    pairs carry marker 1: one chosen among the first 10 pairs (its value is
    X1) and another, different one among the first T/2 - 1 pairs (X2). The
    first and the last pair carry marker -1 unless marked; all others 0. If
    the first pair is marked, its value is set to 0 (the paper's rule). The
    only target is at the sequence's last step: 0.5 + (X1 + X2) / 4.

    Lengths are drawn uniformly from [T, T + T/10] when ``variable_length``;
    shorter sequences are padded at the end with zero pairs, and the step
    weight marks each sequence's own last step.

    Parameters
    ----------
    n_sequences : int
    min_length : int
        T, at least 6, so that the first T/2 - 1 pairs hold two candidates.
    rng : int or numpy.random.Generator, optional
    variable_length : bool

    Returns
    -------
    TaskData with x (N, T_max, 2), y (N, T_max, 1) (target at each sequence's
    last step, 0 elsewhere) and one-hot step weights (N, T_max).
    """
    N = check_positive_int("n_sequences", n_sequences)
    T = check_positive_int("min_length", min_length)
    if T < 6:
        raise ValueError(f"min_length must be >= 6 so that two distinct pairs can be marked, got {T}")
    rng = as_rng("rng", rng)
    variable_length = check_flag("variable_length", variable_length)
    lengths = rng.integers(T, T + T // 10 + 1, size=N) if variable_length else np.full(N, T)
    T_max = int(lengths.max())
    x = np.zeros((N, T_max, 2))
    y = np.zeros((N, T_max, 1))
    weights = np.zeros((N, T_max))
    for n, length in enumerate(lengths):
        x[n, :length, 0] = rng.uniform(-1.0, 1.0, size=length)
        first = rng.integers(0, min(10, T))
        second = rng.choice(np.setdiff1d(np.arange(T // 2 - 1), [first]))
        x[n, [0, length - 1], 1] = -1.0
        x[n, [first, second], 1] = 1.0
        if x[n, 0, 1] == 1.0:
            x[n, 0, 0] = 0.0
        y[n, length - 1, 0] = 0.5 + (x[n, first, 0] + x[n, second, 0]) / 4.0
        weights[n, length - 1] = 1.0
    return TaskData(x, y, weights)


def window_sum_task(n_sequences, length, window, rng=None):
    """Sum of the previous ``window`` inputs: y_t = x_{t-1} + x_{t-2} + ... + x_{t-window}.

    x_t ~ U[-1, 1]. Steps t < window have no target (weight 0). With
    ``window=1`` this is :func:`delay_task` with ``lag=1``; larger windows make
    the target a function of several past observations rather than one.

    Returns
    -------
    TaskData with x, y of shape (N, T, 1); step weights 0 for t < window, else 1.
    """
    x, weights = _inputs_after_warmup(n_sequences, length, "window", window, rng)
    window, T = int(window), x.shape[1]
    y = np.zeros_like(x)
    for j in range(1, window + 1):
        y[:, window:] += x[:, window - j:T - j]
    return TaskData(x, y, weights)


def seasonal_ar(n_sequences, length, period, coefficient=0.8, rng=None, noise=1.0):
    """Next-step prediction of a seasonal autoregression s_t = a s_{t-P} + noise eps_t.

    eps_t ~ N(0, 1) and the first P values are drawn from the stationary
    distribution N(0, noise^2 / (1 - a^2)); x_t = s_t, y_t = s_{t+1}. Its
    partial autocorrelation is a at lag P and zero at every other lag.

    Returns
    -------
    TaskData with x, y of shape (N, T, 1) and all step weights 1.
    """
    N = check_positive_int("n_sequences", n_sequences)
    T = check_positive_int("length", length)
    P = check_positive_int("period", period)
    coefficient = check_scalar("coefficient", coefficient)
    noise = check_scalar("noise", noise, low=0.0)
    if not -1.0 < coefficient < 1.0:
        raise ValueError(f"coefficient must be in (-1, 1) for a stationary series, got {coefficient!r}")
    rng = as_rng("rng", rng)
    series = np.empty((N, T + 1))
    series[:, :P] = rng.normal(scale=noise / np.sqrt(1.0 - coefficient ** 2), size=(N, min(P, T + 1)))
    for t in range(P, T + 1):
        series[:, t] = coefficient * series[:, t - P] + noise * rng.normal(size=N)
    return TaskData(series[:, :-1, None], series[:, 1:, None], np.ones((N, T)))
