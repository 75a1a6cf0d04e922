"""The cost of backpropagation through time, measured (Chapter 3).

BPTT itself lives in :func:`lstm_course.nn.rnn.rnn_backward` and
:func:`lstm_course.nn.lstm.lstm_backward`, and one full-BPTT update in
:func:`lstm_course.train.fit.fit`. This module measures it:

- :func:`time_bptt_update`: wall-clock seconds of one forward + backward pass vs T;
- :func:`linear_fit`: least-squares line and R^2, to call a cost "linear in T".

Where the error goes (the error a loss injects at each step and the total
dL/dh_t that BPTT accumulates there) is :func:`lstm_course.lab.unrolling.error_per_step`.
"""
import time

import numpy as np

from lstm_course._progress import progress_bar
from lstm_course._validation import as_float_array, as_rng, check_positive_int
from lstm_course.lab.unrolling import check_lengths
from lstm_course.models import recurrent


def time_bptt_update(lengths, cell="rnn", batch_size=8, input_size=1, hidden_size=16, repeats=5,
                     rng=None, progress=False):
    """CPU time of one full-BPTT gradient computation for each T.

    For each T, times :func:`lstm_course.models.recurrent.loss_and_grads` (forward over
    all T steps, per-step squared error, backward over all T steps) on random
    data ``repeats`` times and keeps the fastest run. It measures this
    process's CPU time (``time.process_time``), not wall-clock time, because
    other programs on a busy machine inflate the latter; the minimum discards
    the remaining interruptions.

    Parameters
    ----------
    lengths : sequence of int
        Sequence lengths T.
    cell : {"rnn", "lstm"}
    batch_size, input_size, hidden_size : int
        N, D and H (the readout has one output).
    repeats : int
        Timed calls per T (after one untimed warm-up call).
    rng : int or numpy.random.Generator, optional
    progress : bool
        Show a tqdm progress bar over the lengths.

    Returns
    -------
    ndarray (len(lengths),)
        Fastest CPU seconds per update.
    """
    lengths = check_lengths(lengths)
    repeats = check_positive_int("repeats", repeats)
    N = check_positive_int("batch_size", batch_size)
    D = check_positive_int("input_size", input_size)
    rng = as_rng("rng", rng)
    params = recurrent.init_params(cell, D, hidden_size, 1, rng)
    lengths = progress_bar(lengths, progress, desc="timing BPTT")
    fastest = []
    for T in lengths:
        x = rng.normal(size=(N, T, D))
        y = rng.normal(size=(N, T, 1))
        recurrent.loss_and_grads(params, x, y, cell)  # warm-up: first-call allocation is not BPTT's cost
        seconds = []
        for _ in range(repeats):
            start = time.process_time()
            recurrent.loss_and_grads(params, x, y, cell)
            seconds.append(time.process_time() - start)
        fastest.append(min(seconds))
    return np.array(fastest)


def linear_fit(x, y):
    """Least-squares line y ~ slope * x + intercept and its coefficient of determination.

    R^2 = 1 - sum (y - fit)^2 / sum (y - mean y)^2; 1 means the points lie on the line.

    Parameters
    ----------
    x, y : array_like (M,)
        At least two points, with x not all equal.

    Returns
    -------
    slope, intercept, r_squared : float
    """
    x = as_float_array("x", x, ndim=1)
    y = as_float_array("y", y, ndim=1)
    if y.shape != x.shape or x.size < 2:
        raise ValueError(f"x and y must be 1-D with the same length >= 2, got {x.shape} and {y.shape}")
    if np.ptp(x) == 0:
        raise ValueError("x must contain at least two distinct values to fit a line")
    slope, intercept = np.polyfit(x, y, deg=1)
    residual = y - (slope * x + intercept)
    spread = np.sum((y - y.mean()) ** 2)
    r_squared = 1.0 - np.sum(residual ** 2) / spread if spread > 0 else 1.0
    return float(slope), float(intercept), float(r_squared)
