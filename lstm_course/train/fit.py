"""Training loops with full backpropagation through time.

:func:`fit` is the BPTT algorithm of Chapter 3 as a loop: present a batch of
sequences, unroll and accumulate the error of every step, roll up (sum the
per-step gradients into one gradient per weight), update, repeat.
"""
import numpy as np

from lstm_course._progress import progress_bar
from lstm_course._validation import check_callable, check_object, check_positive_int, check_scalar
from lstm_course.models import recurrent
from lstm_course.train.optim import clip_grad_norm


def fit(params, make_batch, optimizer, n_updates, cell="lstm", max_grad_norm=None, progress=False):
    """Train ``params`` in place with one full-BPTT update per batch.

    Parameters
    ----------
    params : dict
        ``Wx, Wh, b, Wy, by`` (see :mod:`lstm_course.models.recurrent`); updated in place.
    make_batch : callable
        ``make_batch(update_index)`` returns a :class:`lstm_course.data.tasks.TaskData`
        (x, y, step_weights). Passing the index lets a caller derive a seed
        from it, so runs are reproducible.
    optimizer : object with ``step(params, grads)``
        E.g. :class:`lstm_course.train.optim.Adam`.
    n_updates : int
    cell : {"rnn", "lstm"}
    max_grad_norm : float, optional
        Clip the global gradient norm to this value before each update.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    ndarray (n_updates,)
        The loss of each batch, divided by its total step weight (a mean per
        target), measured before that batch's update; float64 whatever the
        parameters' dtype, like every history of per-update numbers.
    """
    D, _, _ = recurrent.check_params(params, cell)
    check_callable("make_batch", make_batch)
    check_object("optimizer", optimizer, ("step",), "an optimiser such as optim.Adam")
    n_updates = check_positive_int("n_updates", n_updates)
    max_grad_norm = check_scalar("max_grad_norm", max_grad_norm, low=0.0, low_open=True, allow_none=True)
    updates = range(n_updates)
    updates = progress_bar(updates, progress, desc="BPTT updates")
    losses = np.empty(n_updates)
    for update in updates:
        batch = make_batch(update)
        if np.ndim(batch.x) == 3 and np.shape(batch.x)[2] != D:
            raise ValueError(f"make_batch({update}) returned x with D = {np.shape(batch.x)[2]} features, "
                             f"but params['Wx'] has D = {D} rows")
        loss, grads = recurrent.loss_and_grads(params, batch.x, batch.y, cell, batch.step_weights)
        if max_grad_norm is not None:
            clip_grad_norm(grads, max_grad_norm)
        optimizer.step(params, grads)
        losses[update] = loss / max(float(np.sum(batch.step_weights)), 1.0)
    return losses


def predict(params, x, cell="lstm"):
    """Readout ``yhat (N, T, O)`` of a trained model for inputs ``x (N, T, D)``."""
    return recurrent.forward(params, x, cell)[0]
