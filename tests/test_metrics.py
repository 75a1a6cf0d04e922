import numpy as np
import pytest

from lstm_course.data import tasks
from lstm_course.models import recurrent
from lstm_course.train import metrics


def test_r_squared_is_zero_for_the_mean_prediction():
    data = tasks.delay_task(3, 6, 1, rng=0)
    params = recurrent.init_params("lstm", 1, 2, 1, rng=0)
    params["Wy"][:] = 0.0
    mean = np.sum(data.step_weights[..., None] * data.y) / data.step_weights.sum()
    params["by"][:] = mean
    assert metrics.r_squared(params, data) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("cost_per_epoch, budget", [(17, 50), (25, 400), (50, 50), (0.1, 0.3), (3.5, 13.9)])
def test_at_budget_takes_the_last_epoch_that_fits(cost_per_epoch, budget):
    curves = np.random.default_rng(0).random((3, 16))
    spent, fitted = 0.0, 0                      # oracle: add epochs one at a time while they fit
    while fitted < 16 and spent + cost_per_epoch <= budget + 1e-9:
        spent, fitted = spent + cost_per_epoch, fitted + 1
    scores, n_epochs = metrics.at_budget(curves, cost_per_epoch, budget)
    assert n_epochs == fitted and np.array_equal(scores, curves[:, fitted - 1])


@pytest.mark.parametrize("curves, cost_per_epoch, budget, message", [
    ([0.1, 0.2], 1, 1, "curves must be a 2-D array"),
    ([[0.1, 0.2]], 0, 1, "cost_per_epoch must be a finite number > 0, got 0"),
    ([[0.1, 0.2]], 2, 1, r"budget must be in \[2, 4\], got 1"),
    ([[0.1, 0.2]], 2, 5, r"budget must be in \[2, 4\], got 5"),
])
def test_at_budget_rejects_bad_inputs(curves, cost_per_epoch, budget, message):
    with pytest.raises(ValueError, match=message):
        metrics.at_budget(curves, cost_per_epoch, budget)
