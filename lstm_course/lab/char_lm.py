"""Chapter 8's experiment: one TBPTT(k1, k2) configuration of the character model, trained and scored.

:func:`run_configuration` is one cell of the comparison: a seeded character LSTM
(float32, forget bias 1) trained by :func:`lstm_course.train.charlm_training.train`
for a budget of cell-steps (forward + backward, counted as in Chapter 6) with Adam
whose learning rate falls linearly to 5 % (:class:`lstm_course.train.optim.LinearDecay`),
the per-character loss's gradient clipped at ``max_grad_norm``; the weights kept are
those of the best **validation** measurement, and only they are scored on the **test**
stream. ``experiments/char_lm.py`` runs it for every configuration and seed, and
:func:`read_results` reads the CSVs it writes back (the chapter's tables come from them).
"""
import csv
import os
from typing import NamedTuple

import numpy as np

from lstm_course._validation import check_int, check_positive_int, check_scalar
from lstm_course.models import charlm, recurrent
from lstm_course.train import charlm_training, optim


class ConfigurationResult(NamedTuple):
    """One trained configuration: its curve on validation, its best checkpoint and that checkpoint's test score."""

    k1: int
    k2: int
    stateful: bool
    seed: int
    hidden_size: int
    history: charlm_training.TrainingHistory
    best_valid_bpc: float
    """The lowest validation bits per character measured (the checkpoint kept)."""
    test_bpc: float
    """Test bits per character of the kept checkpoint."""
    params: dict
    """The kept checkpoint's weights."""


def updates_for(budget, batch_size, k1, k2):
    """About how many updates ``budget`` cell-steps buy: each costs batch_size * (k1 forward + min(k2, ...) back).

    The backward part of an update is k2 steps once the stream is k2 long (k1 when the state is reset, whose windows
    stay inside their block; the caller passes k2 = k1 then). Used only to set the learning-rate schedule's length.
    """
    budget, N = check_int("budget", budget, minimum=1), check_positive_int("batch_size", batch_size)
    k1, k2 = check_positive_int("k1", k1), check_positive_int("k2", k2)
    return max(1, budget // (N * (k1 + k2)))


def run_configuration(train_codes, valid_codes, test_codes, V, k1, k2, stateful, seed, hidden_size, budget,
                      batch_size=32, learning_rate=0.01, max_grad_norm=1.0, evaluations=8, threads=1,
                      dropout=0.0):
    """Train one seeded model with TBPTT(k1, k2) for ``budget`` cell-steps; score its best checkpoint on test.

    Parameters
    ----------
    train_codes, valid_codes, test_codes : int ndarray (L,)
        The three streams, encoded with one vocabulary of ``V`` symbols.
    k1, k2 : int >= 1
    stateful : bool
        Carry the state across windows, or reset it every k1 steps.
    seed : int
        Seeds the initial weights (the data order is fixed: the stateful layout reads the text in order).
    hidden_size : int
    budget : int
        Cell-steps, forward + backward; equal budgets mean equal compute.
    batch_size, learning_rate, max_grad_norm, evaluations, threads, dropout
        As in :func:`lstm_course.train.charlm_training.train`; the learning rate is the schedule's start,
        and the dropout masks are drawn from a Generator seeded by ``seed``.

    Returns
    -------
    ConfigurationResult
    """
    V, H = check_positive_int("V", V), check_positive_int("hidden_size", hidden_size)
    seed = check_int("seed", seed, minimum=0)
    learning_rate = check_scalar("learning_rate", learning_rate, low=0.0, low_open=True)
    test_codes = charlm.check_codes("test_codes", test_codes, V)
    if test_codes.ndim != 1 or test_codes.size < 2:
        raise ValueError(f"test_codes must be a 1-D stream of at least 2 codes, got shape {test_codes.shape}")
    params = recurrent.init_params("lstm", V, H, V, np.random.default_rng(seed), forget_bias=1.0, dtype=np.float32)
    schedule = optim.LinearDecay(optim.Adam(learning_rate),
                                 updates_for(budget, batch_size, k1, k2 if stateful else k1), final_fraction=0.05)
    history = charlm_training.train(params, train_codes, valid_codes, k1, k2, schedule, budget,
                                    batch_size=batch_size, stateful=stateful, max_grad_norm=max_grad_norm,
                                    evaluations=evaluations, threads=threads, dropout=dropout,
                                    rng=np.random.default_rng([seed, 1]))
    best = history.best_params
    return ConfigurationResult(k1, k2, stateful, seed, H, history, float(np.min(history.valid_bpc)),
                               charlm.evaluate_bpc(best, test_codes), best)


def configuration_label(k1, k2, stateful):
    """How the chapter names a configuration: ``"(25, 25)"``, or ``"(25, 25) reset"`` when the state is reset."""
    k1, k2 = check_positive_int("k1", k1), check_positive_int("k2", k2)
    if not isinstance(stateful, bool):
        raise ValueError(f"stateful must be True or False, got {stateful!r}")
    return f"({k1}, {k2})" + ("" if stateful else " reset")


def read_results(path):
    """The rows of a CSV written by ``experiments/char_lm.py``, its numbers and flags parsed back.

    Parameters
    ----------
    path : str or os.PathLike
        ``char_lm_runs.csv`` (one row per run) or ``char_lm_curves.csv`` (one row per validation measurement).

    Returns
    -------
    list of dict
        One dict per row: ``phase`` a string, ``stateful`` a bool, every other field an int or a float,
        plus ``label`` (:func:`configuration_label`).
    """
    if not isinstance(path, (str, os.PathLike)) or not os.path.isfile(path):
        raise ValueError(f"path must be an existing CSV written by experiments/char_lm.py, got {path!r}")
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"phase", "k1", "k2", "stateful", "seed"} <= set(rows[0]):
        raise ValueError(f"path must be a CSV written by experiments/char_lm.py (columns phase, k1, k2, stateful, "
                         f"seed, ...), got {path!r}")
    for row in rows:
        for key, value in row.items():
            if key == "stateful":
                row[key] = value == "True"
            elif key != "phase":
                row[key] = float(value) if "." in value else int(value)
        row["label"] = configuration_label(row["k1"], row["k2"], row["stateful"])
    return rows


def finalists(rows):
    """The comparison's configurations that its seeds do not separate from the best one on validation.

    The best is the configuration with the lowest mean best-validation bits per character over its seeds;
    another is left out only when every one of its seeds is above every seed of the best (it is clearly
    worse). ``rows`` are :func:`read_results` rows (or the experiment's own); only ``phase == "comparison"``
    rows count. Returns the configurations as ``(k1, k2, stateful)`` tuples, in the order first seen.
    """
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ValueError(f"rows must be a list of dicts (rows of char_lm_runs.csv), got {type(rows).__name__}")
    scores = {}
    for row in rows:
        if row.get("phase") == "comparison":
            scores.setdefault((row["k1"], row["k2"], row["stateful"]), []).append(row["best_valid_bpc"])
    if not scores:
        raise ValueError("rows must hold at least one row of the comparison (phase 'comparison')")
    best = min(scores, key=lambda config: np.mean(scores[config]))
    return [config for config, values in scores.items() if config == best or min(values) <= max(scores[best])]
