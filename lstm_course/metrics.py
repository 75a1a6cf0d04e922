"""How well a sequence model fits: the coefficient of determination R^2 over weighted steps (Chapter 7)."""
import numpy as np

from . import models
from ._validation import as_float_array


def r_squared(params, data, cell="lstm"):
    """Coefficient of determination of a model run over whole sequences, counting weighted steps only.

    R^2 = 1 - sum w (yhat - y)^2 / sum w (y - ybar)^2, with ybar the weighted
    mean target: 1 is perfect, 0 is no better than predicting ybar.

    Parameters
    ----------
    params : dict
    data : :class:`lstm_course.tasks.TaskData`
    cell : {"rnn", "lstm"}
    """
    yhat = models.forward(params, data.x, cell)[0]
    weights = as_float_array("step_weights", data.step_weights, ndim=2)[..., None]
    mean = np.sum(weights * data.y) / np.sum(weights)
    return float(1.0 - np.sum(weights * (yhat - data.y) ** 2) / np.sum(weights * (data.y - mean) ** 2))
