"""Tests for lstm_course.lab.adding: the adding problem's success rate and training runs."""
import numpy as np
import pytest

from lstm_course.data import tasks
from lstm_course.lab import adding


def test_success_rate_counts_errors_strictly_below_the_tolerance():
    targets = np.array([0.5, 0.5, 0.5, 0.5])
    predictions = np.array([0.5, 0.53, 0.55, 0.2])
    assert adding.success_rate(predictions, targets) == 0.5
    assert adding.success_rate(predictions, targets, tolerance=0.1) == 0.75
    assert adding.success_rate(targets + 0.04 + 1e-12, targets) == 0.0


def test_success_rate_rejects_bad_inputs():
    with pytest.raises(ValueError, match="targets must have the shape"):
        adding.success_rate(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="tolerance must be > 0"):
        adding.success_rate(np.zeros(3), np.zeros(3), tolerance=0.0)


def test_last_step_outputs_pick_each_sequences_target(rng):
    data = tasks.adding_problem(20, 10, rng=rng)
    targets = adding.last_step_outputs(data.y, data.step_weights)
    assert targets.shape == (20,) and np.all((targets >= 0) & (targets <= 1))
    np.testing.assert_allclose(targets, data.y.sum(axis=(1, 2)))
    with pytest.raises(ValueError, match="exactly one weight"):
        adding.last_step_outputs(data.y, np.ones_like(data.step_weights))


def test_train_and_evaluate_is_reproducible_and_reports_its_budget():
    first = adding.train_and_evaluate("lstm", 8, seed=3, n_updates=5, batch_size=4, hidden_size=3, test_size=20)
    second = adding.train_and_evaluate("lstm", 8, seed=3, n_updates=5, batch_size=4, hidden_size=3, test_size=20)
    assert first == second
    assert first["train_sequences"] == 20 and 0.0 <= first["success_rate"] <= 1.0
