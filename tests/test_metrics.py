import numpy as np
import pytest

from lstm_course import metrics, models, tasks


def test_r_squared_is_zero_for_the_mean_prediction():
    data = tasks.delay_task(3, 6, 1, rng=0)
    params = models.init_params("lstm", 1, 2, 1, rng=0)
    params["Wy"][:] = 0.0
    mean = np.sum(data.step_weights[..., None] * data.y) / data.step_weights.sum()
    params["by"][:] = mean
    assert metrics.r_squared(params, data) == pytest.approx(0.0, abs=1e-12)
