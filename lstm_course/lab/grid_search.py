"""A systematic search over subsequence lengths, every configuration repeated (Chapter 7, technique 4).

All ``repeats`` models of one length train together as one vectorised ensemble
(:mod:`lstm_course.models.ensemble`), so 30 repeats cost far less than 30 runs.
"""
from typing import NamedTuple

import numpy as np

from lstm_course._progress import progress_bar
from lstm_course._validation import check_callable, check_positive_int, check_sequence
from lstm_course.data.chunking import split_subsequences
from lstm_course.models import ensemble
from lstm_course.train.optim import Adam


class GridSearchResult(NamedTuple):
    """Errors of a grid search: ``scores[l, r]`` for length ``lengths[l]`` and repeat r.

    ``scores``, ``mean`` and ``std`` are on the validation sequences, which choose the
    length; ``test`` holds the same models' errors on held-out test sequences, which
    report how good the choice is.
    """

    lengths: np.ndarray
    scores: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    test: np.ndarray

    @property
    def best(self):
        """The length with the lowest mean validation error."""
        return int(self.lengths[np.argmin(self.mean)])


def grid_search_timesteps(make_task, lengths, repeats=30, hidden_size=16, n_epochs=20, batch_size=16,
                          learning_rate=1e-2, forget_bias=1.0, seed=0, progress=False, n_updates=None):
    """Technique 4: train on subsequences of each length, ``repeats`` times, and score on whole sequences.

    For each length, the training sequences are cut by :func:`lstm_course.data.chunking.split_subsequences`
    (padded and masked when the length does not divide T) and used as
    independent samples, each starting from a zero state (Keras's default,
    stateless layer), in shuffled passes. By default every length trains for
    ``n_epochs`` passes, so shorter lengths make more, smaller updates; with
    ``n_updates`` every length makes exactly that many updates (equal updates;
    the last pass may be partial). The ``repeats`` models differ in initial weights and
    shuffling and are trained together as one :mod:`lstm_course.models.ensemble`.
    Each model is then run over whole validation and test sequences, and its score is
    the mean squared error per target.

    Parameters
    ----------
    make_task : callable
        ``make_task(rng)`` returns a :class:`lstm_course.data.tasks.TaskData`; it is
        called with ``seed`` for training data, ``seed + 1`` for validation data
        and ``seed + 2`` for test data.
    lengths : sequence of int
        Subsequence lengths to try, each <= T.
    repeats : int
        Models per length (R).
    hidden_size, n_epochs, batch_size : int
    learning_rate : float
        Adam's step size.
    forget_bias : float
        Initial forget-gate bias.
    seed : int
    progress : bool
    n_updates : int, optional
        Updates per length (equal updates); ``n_epochs`` is then ignored.

    Returns
    -------
    GridSearchResult
        ``lengths``, validation ``scores (len(lengths), repeats)``, their ``mean`` and ``std``
        over repeats, and the ``test`` scores of the same models.
    """
    repeats = check_positive_int("repeats", repeats)
    n_epochs = check_positive_int("n_epochs", n_epochs)
    n_updates = None if n_updates is None else check_positive_int("n_updates", n_updates)
    batch_size = check_positive_int("batch_size", batch_size)
    check_callable("make_task", make_task)
    lengths = np.array(check_sequence("lengths", lengths, check_positive_int), dtype=int)
    train, validation, test = make_task(seed), make_task(seed + 1), make_task(seed + 2)
    N, T, D = train.x.shape
    if lengths.max() > T:
        raise ValueError(f"every length must be <= T={T}, got {lengths.max()}")
    scores, test_scores = np.empty((len(lengths), repeats)), np.empty((len(lengths), repeats))
    rows = enumerate(lengths)
    rows = progress_bar(list(rows), progress, desc="grid search")
    for row, length in rows:
        x, mask = split_subsequences(train.x, length, pad=True)
        y = split_subsequences(train.y, length, pad=True)[0]
        weights = split_subsequences(train.step_weights, length, pad=True)[0] * mask
        rng = np.random.default_rng([seed, int(length)])
        params = ensemble.init_ensemble(rng.integers(2**32, size=repeats), D, hidden_size,
                                        train.y.shape[2], forget_bias=forget_bias)

        per_epoch = -(-len(x) // batch_size)
        total_updates = n_updates or n_epochs * per_epoch
        # Each member shuffles the samples independently every epoch.
        order = np.argsort(rng.random((-(-total_updates // per_epoch), repeats, len(x))), axis=2)

        def make_batch(update):
            epoch, start = divmod(update, per_epoch)
            picks = order[epoch, :, start * batch_size:(start + 1) * batch_size]
            return x[picks], y[picks], weights[picks], mask[picks]

        ensemble.fit_ensemble(params, make_batch, Adam(learning_rate), total_updates)
        scores[row], test_scores[row] = _mse_per_target(params, validation), _mse_per_target(params, test)
    return GridSearchResult(lengths, scores, scores.mean(axis=1), scores.std(axis=1), test_scores)


def _mse_per_target(params, data):
    """Each member's squared error per target over whole sequences, shape (repeats,)."""
    yhat = ensemble.ensemble_forward(params, data.x)[0]
    errors = np.sum(data.step_weights[..., None] * (yhat - data.y) ** 2, axis=(1, 2, 3))
    return errors / data.step_weights.sum()
