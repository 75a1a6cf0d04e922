"""How well a sequence model fits (R^2 over weighted steps), and scores compared at an equal budget (Chapter 7)."""
import numpy as np

from lstm_course._validation import as_float_array, check_object, check_scalar, check_shape
from lstm_course.models import recurrent


def r_squared(params, data, cell="lstm"):
    """Coefficient of determination of a model run over whole sequences, counting weighted steps only.

    R^2 = 1 - sum w (yhat - y)^2 / sum w (y - ybar)^2, with ybar the weighted
    mean target: 1 is perfect, 0 is no better than predicting ybar.

    Parameters
    ----------
    params : dict
    data : :class:`lstm_course.data.tasks.TaskData`
    cell : {"rnn", "lstm"}

    Raises ``ValueError`` when the weighted targets are constant (or no step has
    weight): then sum w (y - ybar)^2 = 0 and R^2 is undefined.
    """
    check_object("data", data, ("x", "y", "step_weights"), "a TaskData (x, y, step_weights)")
    D = recurrent.check_params(params, cell)[0]
    x = as_float_array("data.x", data.x, ndim=3)
    check_shape("data.x", x, x.shape[:2] + (D,), "(N, T, D) with D from params['Wx']")
    yhat = recurrent.forward(params, x, cell)[0]
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


def at_budget(curves, cost_per_epoch, budget):
    """Each run's score after the last epoch that fits in a budget: settings compared at equal cost.

    Two settings that cost differently per epoch (updates, backward steps) are compared
    fairly at the same budget, not after the same number of epochs. A run that spends
    ``cost_per_epoch`` per epoch has finished ``n = floor(budget / cost_per_epoch)``
    epochs within ``budget``, so its score there is ``curves[:, n - 1]``; it never
    spends more than the budget.

    Parameters
    ----------
    curves : array_like, shape (R, E)
        ``curves[r, e]`` is run r's score after epoch ``e + 1``.
    cost_per_epoch : float
        What one epoch costs, > 0, in the unit of ``budget``.
    budget : float
        At least one epoch's cost and at most ``E * cost_per_epoch``.

    Returns
    -------
    scores : ndarray, shape (R,)
        ``curves[:, n - 1]``.
    n_epochs : int
        ``n``, the epochs that fit in the budget.

    Examples
    --------
    >>> scores, n = at_budget([[0.1, 0.5, 0.7]], cost_per_epoch=17, budget=50)
    >>> n, scores.tolist()
    (2, [0.5])
    """
    curves = as_float_array("curves", curves, ndim=2)
    cost_per_epoch = check_scalar("cost_per_epoch", cost_per_epoch, low=0, low_open=True)
    budget = check_scalar("budget", budget, low=cost_per_epoch, high=curves.shape[1] * cost_per_epoch)
    n_epochs = int(np.floor(budget / cost_per_epoch * (1 + 1e-12)))   # 0.3 / 0.1 is 2.999...: three epochs fit
    return curves[:, n_epochs - 1].copy(), n_epochs
