"""LSTM versus tanh RNN on the adding problem (Hochreiter & Schmidhuber 1997, Experiment 4).

A model reads pairs (value, marker) and must output 0.5 + (X1 + X2) / 4 at the
sequence's last step, where X1 and X2 are the two marked values (see
:func:`lstm_course.data.tasks.adding_problem`). The paper counts a test sequence as
solved when the absolute error of that single output is below 0.04.

:func:`train_and_evaluate` trains one model with :func:`lstm_course.train.fit.fit`
and Adam and reports the success rate on a held-out test set;
:func:`run_grid` repeats it over cells, lengths and seeds with the same update
budget and batch size for every model. The script ``experiments/adding_problem.py``
runs the full-size grid and writes the CSV the chapter shows.
"""
import numpy as np

from lstm_course._progress import progress_bar
from lstm_course._validation import (
    as_float_array,
    check_choice,
    check_int,
    check_positive_int,
    check_scalar,
    check_sequence,
)
from lstm_course.data import tasks
from lstm_course.models import recurrent
from lstm_course.nn import cells
from lstm_course.train import fit
from lstm_course.train.optim import Adam

PAPER_CRITERION = 0.04
# Seeds for test sets live far away from the seeds of training batches, so the
# two streams never draw the same sequences.
TEST_SEED_OFFSET = 10_000_019


def last_step_outputs(values, step_weights):
    """Pick each sequence's value at its weighted (last) step.

    Parameters
    ----------
    values : ndarray (N, T, 1)
        Predictions or targets.
    step_weights : ndarray (N, T)
        One-hot per row, as returned by :func:`lstm_course.data.tasks.adding_problem`.

    Returns
    -------
    ndarray (N,)
    """
    values = as_float_array("values", values, ndim=3)
    if values.shape[2] != 1:
        raise ValueError(f"values must have shape (N, T, 1), got {values.shape}")
    step_weights = as_float_array("step_weights", step_weights, ndim=2)
    if step_weights.shape != values.shape[:2]:
        raise ValueError(f"step_weights must have shape (N, T) = {values.shape[:2]} (N, T from values), "
                         f"got {step_weights.shape}")
    if not np.all(step_weights.sum(axis=1) == 1.0):
        raise ValueError("step_weights must have exactly one weight of 1 per sequence (its last step)")
    return values[np.arange(values.shape[0]), step_weights.argmax(axis=1), 0]


def success_rate(predictions, targets, tolerance=PAPER_CRITERION):
    """Fraction of sequences whose absolute error is below ``tolerance``.

    success = (1/N) #{n : abs(yhat_n - y_n) < tolerance}; 0.04 is the paper's criterion.

    Parameters
    ----------
    predictions, targets : ndarray (N,)
    tolerance : float > 0

    Returns
    -------
    float in [0, 1]
    """
    predictions = as_float_array("predictions", predictions, ndim=1)
    targets = as_float_array("targets", targets, ndim=1)
    if predictions.shape != targets.shape:
        raise ValueError(f"targets must have the shape of predictions {predictions.shape}, got {targets.shape}")
    tolerance = check_scalar("tolerance", tolerance)
    if not tolerance > 0:
        raise ValueError(f"tolerance must be > 0, got {tolerance!r}")
    return float(np.mean(np.abs(predictions - targets) < tolerance))


def train_and_evaluate(cell, length, seed, n_updates, batch_size=32, hidden_size=32,
                       learning_rate=1e-2, forget_bias=5.0, test_size=1000, max_grad_norm=1.0,
                       progress=False):
    """Train one model on the adding problem and measure it on fresh sequences.

    Parameters
    ----------
    cell : {"rnn", "lstm"}
    length : int
        Minimum sequence length T (lengths are drawn from [T, T + T/10]).
    seed : int
        Seeds the initial weights, every training batch and the test set.
    n_updates : int
        Adam updates; the model sees ``n_updates * batch_size`` training sequences.
    batch_size, hidden_size : int
    learning_rate : float
    forget_bias : float
        Initial forget-gate bias (LSTM only; ignored for the RNN). The default 5
        starts with f = sigmoid(5) = 0.993, close to the 1997 cell's fixed
        self-weight 1, so about half of the carousel's error survives 100 steps.
    test_size : int
        Held-out sequences used for the success rate.
    max_grad_norm : float or None
        Global gradient-norm clipping, the same for both cells.
    progress : bool

    Returns
    -------
    dict
        Keys ``cell``, ``length``, ``seed``, ``n_updates``, ``batch_size``,
        ``hidden_size``, ``train_sequences``, ``final_train_loss`` (mean of the
        last 10% of batch losses), ``test_mae`` and ``success_rate``.
    """
    cell = check_choice("cell", cell, recurrent.CELLS)
    length = check_positive_int("length", length)
    seed = check_int("seed", seed, minimum=0)
    n_updates = check_positive_int("n_updates", n_updates)
    batch_size = check_positive_int("batch_size", batch_size)
    hidden_size = check_positive_int("hidden_size", hidden_size)
    check_scalar("learning_rate", learning_rate, low=0.0)
    forget_bias = check_scalar("forget_bias", forget_bias)
    test_size = check_positive_int("test_size", test_size)
    check_scalar("max_grad_norm", max_grad_norm, low=0.0, low_open=True, allow_none=True)
    params = recurrent.init_params(cell, 2, hidden_size, 1, rng=seed,
                                forget_bias=forget_bias if cells.get(cell).forget_block is not None else 0.0)

    def make_batch(update):
        return tasks.adding_problem(batch_size, length, rng=[seed, update])

    losses = fit.fit(params, make_batch, Adam(learning_rate), n_updates, cell,
                          max_grad_norm=max_grad_norm, progress=progress)
    test = tasks.adding_problem(test_size, length, rng=[seed, TEST_SEED_OFFSET])
    predictions = last_step_outputs(fit.predict(params, test.x, cell), test.step_weights)
    targets = last_step_outputs(test.y, test.step_weights)
    tail = max(1, n_updates // 10)
    return {"cell": cell, "length": length, "seed": int(seed), "n_updates": int(n_updates),
            "batch_size": batch_size, "hidden_size": int(hidden_size),
            "train_sequences": int(n_updates) * batch_size,
            "final_train_loss": float(np.mean(losses[-tail:])),
            "test_mae": float(np.mean(np.abs(predictions - targets))),
            "success_rate": success_rate(predictions, targets)}


def run_grid(cells, lengths, seeds, n_updates, progress=False, **options):
    """Run :func:`train_and_evaluate` for every (cell, length, seed), same budget for all.

    Returns
    -------
    list of dict, one row per run (see :func:`train_and_evaluate`).
    """
    cells = check_sequence("cells", cells, lambda label, cell: check_choice(label, cell, recurrent.CELLS))
    lengths = check_sequence("lengths", lengths, check_positive_int)
    seeds = check_sequence("seeds", seeds, lambda label, seed: check_int(label, seed, minimum=0))
    runs = [(cell, length, seed) for length in lengths for cell in cells for seed in seeds]
    runs = progress_bar(runs, progress, desc="adding-problem runs")
    return [train_and_evaluate(cell, length, seed, n_updates, **options) for cell, length, seed in runs]
