"""Stateful training: carry the state from one batch to the next (Chapter 7, techniques 2 and 5).

:func:`stateful_forward` runs a flat sample array as a stateful layer's ``predict`` would, and
:func:`fit_stateful` trains with TBPTT(k, k) on the batches of
:func:`lstm_course.data.chunking.stateful_batches`: each batch starts from the state the previous
batch left in its slot, as a constant, on the general TBPTT(k1, k2) engine of :mod:`lstm_course.train.tbptt.engine`.
"""
import numpy as np

from lstm_course._progress import progress_bar
from lstm_course._validation import as_float_array, check_object, check_positive_int, check_shape
from lstm_course.data.chunking import stateful_batches
from lstm_course.models import recurrent
from lstm_course.nn import cells
from lstm_course.train.tbptt.engine import TBPTTTrainer


def _check_sequences(name, X, width, labels, source):
    """``X`` as a float (N, T, width) array; ``source`` says where ``width`` comes from."""
    X = as_float_array(name, X)
    if X.ndim != 3:
        raise ValueError(f"{name} must have shape {labels}, got {X.shape}")
    if X.shape[2] != width:
        raise ValueError(f"{name} must have shape {labels} with {labels[-2]} = {width} ({source}), got {X.shape}")
    return X


def stateful_forward(params, samples, batch_size, reset_every, cell="lstm"):
    """Run a flat sample array through a stateful layer, as Keras ``predict`` would.

    Consecutive blocks of ``batch_size`` samples form the batches; slot i's
    final state becomes slot i's initial state in the next batch, and all
    states are zeroed every ``reset_every`` batches.

    Parameters
    ----------
    params : dict
        ``Wx, Wh, b, Wy, by``.
    samples : ndarray (S, timesteps, D)
        S must be a multiple of ``batch_size``.
    batch_size : int
    reset_every : int
        Batches between state resets.
    cell : {"rnn", "lstm"}

    Returns
    -------
    h : ndarray (S, timesteps, H)
        The hidden state at every step of every sample.
    """
    D, _, _ = recurrent.check_params(params, recurrent.check_cell(cell))
    samples = _check_sequences("samples", samples, D, "(S, timesteps, D)", f"params['Wx'] has {D} rows")
    batch_size = check_positive_int("batch_size", batch_size)
    reset_every = check_positive_int("reset_every", reset_every)
    if len(samples) % batch_size:
        raise ValueError(f"samples holds {len(samples)} samples, not a multiple of batch_size={batch_size}")
    spec = cells.get(recurrent.check_cell(cell))
    hidden = []
    state = {}
    for batch, start in enumerate(range(0, len(samples), batch_size)):
        if batch % reset_every == 0:
            state = {}
        _, cache = recurrent.forward(params, samples[start:start + batch_size], cell, **state)
        hidden.append(cache["h"])
        state = _carried_state(spec, cache)
    return np.concatenate(hidden)


def _carried_state(spec, cache):
    """The final state of a :func:`lstm_course.models.recurrent.forward` cache, as keyword
    arguments ``h0=..., c0=...``."""
    return {f"{name}0": value for name, value in zip(spec.state_names, spec.final_state(cache["layer"]))}


def fit_stateful(params, X, Y, step_weights, timesteps, batch_size, optimizer, n_epochs,
                 cell="lstm", progress=False):
    """Train with TBPTT(k, k) the Keras way: stateful batches of ``timesteps`` steps.

    Each batch from :func:`lstm_course.data.chunking.stateful_batches` gets one update from BPTT over
    its ``timesteps`` steps, started from the state that the previous batch
    left in each slot (a constant: no gradient flows into earlier batches).
    ``timesteps=1`` is technique 5, one-step samples, TBPTT(1, 1). The batches of an epoch
    are one stream for the engine :class:`lstm_course.train.tbptt.engine.TBPTTTrainer`, with
    k1 = k2 = ``timesteps`` and a reset wherever the slots start new sequences.

    Parameters
    ----------
    params : dict
        Updated in place.
    X : ndarray (N, T, D)
    Y : ndarray (N, T, O)
    step_weights : ndarray (N, T)
    timesteps, batch_size : int
    optimizer : object with ``step(params, grads)``
    n_epochs : int
        Passes over the data, in the same order each time.
    cell : {"rnn", "lstm"}
    progress : bool

    Returns
    -------
    ndarray (n_epochs,)
        Each epoch's loss per unit of step weight (float64 whatever the parameters' dtype).
    """
    D, _, O = recurrent.check_params(params, recurrent.check_cell(cell))
    X = _check_sequences("X", X, D, "(N, T, D)", f"params['Wx'] has {D} rows")
    Y = _check_sequences("Y", Y, O, "(N, T, O)", f"params['Wy'] has {O} columns")
    check_shape("Y", Y, X.shape[:2] + (O,), "(N, T, O)", "N, T from X, O from Wy")
    check_object("optimizer", optimizer, ("step",), "an optimiser of lstm_course.train.optim, such as SGD")
    weights = as_float_array("step_weights", step_weights, ndim=2)
    check_shape("step_weights", weights, X.shape[:2], "(N, T)")
    timesteps = check_positive_int("timesteps", timesteps)
    batch_size = check_positive_int("batch_size", batch_size)
    epochs = range(check_positive_int("n_epochs", n_epochs))
    epochs = progress_bar(epochs, progress, desc=f"stateful TBPTT({timesteps}, {timesteps})")
    trainer = TBPTTTrainer(params, optimizer, timesteps, timesteps, cell)
    # The step weights ride along as an extra target channel, so one call orders both.
    targets = np.concatenate([Y, weights[..., None]], axis=2)
    losses = np.empty(len(epochs))
    for epoch in epochs:
        batches = list(stateful_batches(X, targets, timesteps, batch_size))
        resets = [1 + index * timesteps for index, (_, _, reset) in enumerate(batches) if reset]
        history = trainer.fit_stream([(xb, yb[..., :-1], yb[..., -1]) for xb, yb, _ in batches], resets=resets)
        losses[epoch] = history.losses.sum() / max(float(weights.sum()), 1.0)
    return losses
