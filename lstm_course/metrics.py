"""How well a sequence model fits: the coefficient of determination R^2 over weighted steps (Chapter 7)."""
import numpy as np

from . import models
from ._validation import as_float_array, check_object, check_shape


def r_squared(params, data, cell="lstm"):
    """Coefficient of determination of a model run over whole sequences, counting weighted steps only.

    R^2 = 1 - sum w (yhat - y)^2 / sum w (y - ybar)^2, with ybar the weighted
    mean target: 1 is perfect, 0 is no better than predicting ybar.

    Parameters
    ----------
    params : dict
    data : :class:`lstm_course.tasks.TaskData`
    cell : {"rnn", "lstm"}

    Raises ``ValueError`` when the weighted targets are constant (or no step has
    weight): then sum w (y - ybar)^2 = 0 and R^2 is undefined.
    """
    check_object("data", data, ("x", "y", "step_weights"), "a TaskData (x, y, step_weights)")
    D = models.check_params(params, cell)[0]
    x = as_float_array("data.x", data.x, ndim=3)
    check_shape("data.x", x, x.shape[:2] + (D,), "(N, T, D) with D from params['Wx']")
    yhat = models.forward(params, x, cell)[0]
    y = as_float_array("data.y", data.y, ndim=3)
    check_shape("data.y", y, yhat.shape, "(N, T, O) like the model's output")
    weights = as_float_array("data.step_weights", data.step_weights, ndim=2)[..., None]
    total = np.sum(weights * np.ones_like(y))
    mean = np.sum(weights * y) / total if total > 0 else 0.0
    spread = np.sum(weights * (y - mean) ** 2)
    if not spread > 0:
        raise ValueError("data.y is constant over the weighted steps, so R^2 is undefined "
                         "(its denominator sum w (y - ybar)^2 is 0)")
    return float(1.0 - np.sum(weights * (yhat - y) ** 2) / spread)
