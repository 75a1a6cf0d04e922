import numpy as np
import pytest

from lstm_course import grid_search, tasks


def test_grid_search_shapes_and_padding():
    result = grid_search.grid_search_timesteps(lambda rng: tasks.delay_task(8, 12, 2, rng), [4, 5, 12],
                                             repeats=3, hidden_size=4, n_epochs=2, batch_size=4)
    assert result.scores.shape == (3, 3)
    np.testing.assert_allclose(result.mean, result.scores.mean(axis=1))
    np.testing.assert_allclose(result.std, result.scores.std(axis=1))
    assert np.all(np.isfinite(result.scores))
    with pytest.raises(ValueError, match="<= T=12"):
        grid_search.grid_search_timesteps(lambda rng: tasks.delay_task(8, 12, 2, rng), [13], repeats=2)
