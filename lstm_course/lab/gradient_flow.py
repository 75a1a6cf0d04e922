"""Measure how far error travels back in time through a recurrent layer.

:func:`gradient_flow` runs a layer over a sequence, injects a unit-norm error
on the hidden output of the last step only, backpropagates it step by step,
and records the norms of dL/dh_s and dL/dc_s (the cell or internal state)
at every earlier step s. Plotted against the distance T - s, these curves show
vanishing (straight lines on a log scale) or constant error flow (Chapter 5).

Not to be confused with :func:`lstm_course.lab.unrolling.error_per_step` (Chapter 3),
which measures, for the RNN model and its loss, the error injected at every step
and the total that the backward pass accumulates there.
"""
import numpy as np

from lstm_course._validation import as_float_array, as_rng, check_flag, check_positive_int, check_scalar
from lstm_course.models import recurrent
from lstm_course.nn import cells, lstm1997

FLOW_CELLS = tuple(cells.CELLS)


def unit_upstream(n_sequences, width, rng=None):
    """A random error of total Frobenius norm 1, shape ``(n_sequences, width)``."""
    n_sequences, width = check_positive_int("n_sequences", n_sequences), check_positive_int("width", width)
    rng = as_rng("rng", rng)
    error = rng.normal(size=(n_sequences, width))
    return error / np.linalg.norm(error)


def _init_model_layer(cell, input_size, hidden_size, rng, forget_bias, dtype):
    params = recurrent.init_params(cell, input_size, hidden_size, 1, rng, forget_bias=forget_bias, dtype=dtype)
    return params["Wx"], params["Wh"], params["b"]


def _init_lstm1997_layer(cell, input_size, hidden_size, rng, forget_bias, dtype):
    return lstm1997.init_lstm1997_params(input_size, hidden_size, 1, rng, dtype=dtype)


# How gradient_flow initialises each cell's layer when no params are given.
_INIT_LAYER = {"rnn": _init_model_layer, "lstm": _init_model_layer, "lstm1997": _init_lstm1997_layer}


def gradient_flow(cell, x, params=None, hidden_size=16, forget_bias=0.0, rng=None, truncated=False):
    """Norms of the error on h and c at distance k = 1..T from the last step.

    Parameters
    ----------
    cell : {"rnn", "lstm", "lstm1997"}
    x : ndarray (N, T, D)
    params : dict, optional
        ``Wx, Wh, b`` of the layer (extra keys are ignored). If omitted they are
        initialised as for training: :func:`lstm_course.models.recurrent.init_params`
        (with ``forget_bias``) or, for the 1997 cell,
        :func:`lstm_course.nn.lstm1997.init_lstm1997_params` with blocks of size 1.
    hidden_size : int
        H (or the number of 1997 blocks) when ``params`` is omitted.
    forget_bias : float
        Initial forget bias of the modern LSTM when ``params`` is omitted.
    rng : int or numpy.random.Generator, optional
        Seeds the initial weights and the injected error.
    truncated : bool
        1997 cell only: use the paper's truncated rule.

    Returns
    -------
    dict
        ``distance`` (T,) = 1..T; ``dh`` (T,), the norm of dL/dh_{T-k}; for the
        LSTMs also ``dc`` (T,), the norm of dL/dc_{T-k} (the internal state s
        for the 1997 cell). The injected error dL/dh_T has norm 1.
    """
    spec = cells.get(cell, FLOW_CELLS)
    truncated = check_flag("truncated", truncated)
    if truncated and spec is not cells.LSTM1997:
        raise ValueError(f"truncated=True is the 1997 cell's learning rule; got cell={cell!r}")
    x = as_float_array("x", x, ndim=3)
    N, T, D = x.shape
    rng = as_rng("rng", rng)
    if params is None:
        H = check_positive_int("hidden_size", hidden_size)
        Wx, Wh, b = _INIT_LAYER[cell](cell, D, H, rng, check_scalar("forget_bias", forget_bias), x.dtype)
    else:
        if not isinstance(params, dict) or not {"Wx", "Wh", "b"} <= set(params):
            raise ValueError(f"params must be a dict with Wx, Wh and b (or None), got {type(params).__name__}")
        Wx, Wh, b = params["Wx"], params["Wh"], params["b"]
    _, cache = spec.forward(x, spec.initial_state(), Wx, Wh, b)
    error = unit_upstream(N, np.shape(Wh)[0], rng).astype(x.dtype)
    dstate = (error,) + tuple(np.zeros_like(error) for _ in spec.state_names[1:])
    norms = np.empty((T, len(dstate)), x.dtype)
    for t in reversed(range(T)):
        _, dstate, *_ = spec.step_backward(dstate, spec.step_cache(cache, t))
        if truncated:   # the 1997 rule: no error through the recurrent connections
            dstate = (np.zeros_like(dstate[0]),) + dstate[1:]
        norms[T - 1 - t] = [np.linalg.norm(d) for d in dstate]
    result = {"distance": np.arange(1, T + 1), "dh": norms[:, 0]}
    if len(dstate) > 1:
        result["dc"] = norms[:, 1]
    return result
