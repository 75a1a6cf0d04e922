import numpy as np
import pytest

from lstm_course.data import tasks
from lstm_course.lab import grid_search


def test_grid_search_shapes_and_padding():
    result = grid_search.grid_search_timesteps(lambda rng: tasks.delay_task(8, 12, 2, rng), [4, 5, 12],
                                             repeats=3, hidden_size=4, n_epochs=2, batch_size=4)
    assert result.scores.shape == (3, 3)
    np.testing.assert_allclose(result.mean, result.scores.mean(axis=1))
    np.testing.assert_allclose(result.std, result.scores.std(axis=1))
    assert np.all(np.isfinite(result.scores)) and result.test.shape == (3, 3)
    assert result.best == result.lengths[np.argmin(result.mean)]


def test_equal_updates_train_every_length_for_the_same_number_of_updates(monkeypatch):
    made = []
    real_fit = grid_search.ensemble.fit_ensemble

    def counting_fit(params, make_batch, optimizer, n_updates):
        made.append(n_updates)
        return real_fit(params, make_batch, optimizer, n_updates)

    monkeypatch.setattr(grid_search.ensemble, "fit_ensemble", counting_fit)
    task = lambda rng: tasks.delay_task(8, 12, 2, rng)  # noqa: E731
    grid_search.grid_search_timesteps(task, [3, 6, 12], repeats=2, hidden_size=3, n_epochs=2, batch_size=4)
    assert made == [2 * 8, 2 * 4, 2 * 2]                      # equal epochs: 32, 16, 8 windows of batch 4
    made.clear()
    grid_search.grid_search_timesteps(task, [3, 6, 12], repeats=2, hidden_size=3, batch_size=4, n_updates=5)
    assert made == [5, 5, 5]
    with pytest.raises(ValueError, match="<= T=12"):
        grid_search.grid_search_timesteps(lambda rng: tasks.delay_task(8, 12, 2, rng), [13], repeats=2)
