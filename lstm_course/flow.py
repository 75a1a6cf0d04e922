"""Measure how far error travels back in time through a recurrent layer.

:func:`gradient_flow` runs a layer over a sequence, injects a unit-norm error
on the hidden output of the last step only, backpropagates it step by step,
and records the norms of dL/dh_s and dL/dc_s (the cell or internal state)
at every earlier step s. Plotted against the distance T - s, these curves show
vanishing (straight lines on a log scale) or constant error flow.
"""
import numpy as np

from . import lstm, lstm1997, models, rnn
from ._validation import as_float_array, check_positive_int

FLOW_CELLS = ("rnn", "lstm", "lstm1997")


def unit_upstream(n_sequences, width, rng=None):
    """A random error of total Frobenius norm 1, shape ``(n_sequences, width)``."""
    rng = np.random.default_rng(rng)
    error = rng.normal(size=(n_sequences, width))
    return error / np.linalg.norm(error)


def _layer_params(cell, input_size, hidden_size, rng, forget_bias):
    if cell == "lstm1997":
        return dict(zip(("Wx", "Wh", "b"), lstm1997.init_lstm1997_params(input_size, hidden_size, 1, rng)))
    params = models.init_params(cell, input_size, hidden_size, 1, rng, forget_bias=forget_bias)
    return {name: params[name] for name in ("Wx", "Wh", "b")}


def gradient_flow(cell, x, params=None, hidden_size=16, forget_bias=0.0, rng=None, truncated=False):
    """Norms of the error on h and c at distance k = 1..T from the last step.

    Parameters
    ----------
    cell : {"rnn", "lstm", "lstm1997"}
    x : ndarray (N, T, D)
    params : dict, optional
        ``Wx, Wh, b`` of the layer (extra keys are ignored). If omitted they are
        initialised as for training: :func:`lstm_course.models.init_params`
        (with ``forget_bias``) or, for the 1997 cell,
        :func:`lstm_course.lstm1997.init_lstm1997_params` with blocks of size 1.
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
    if cell not in FLOW_CELLS:
        raise ValueError(f"cell must be one of {FLOW_CELLS}, got {cell!r}")
    if truncated and cell != "lstm1997":
        raise ValueError(f"truncated=True is the 1997 cell's learning rule; got cell={cell!r}")
    x = as_float_array("x", x, ndim=3)
    N, T, D = x.shape
    rng = np.random.default_rng(rng)
    if params is None:
        params = _layer_params(cell, D, check_positive_int("hidden_size", hidden_size), rng, forget_bias)
    Wx, Wh, b = params["Wx"], params["Wh"], params["b"]
    H = Wh.shape[0]
    error = unit_upstream(N, H, rng)
    dh_norms, dc_norms = np.empty(T), np.empty(T)
    if cell == "rnn":
        _, cache = rnn.rnn_forward(x, None, Wx, Wh, b)
        dh_next = error
        for t in reversed(range(T)):
            step = {"x": x[:, t], "h": cache["h"][:, t], "Wx": Wx, "Wh": Wh,
                    "h_prev": cache["h"][:, t - 1] if t > 0 else cache["h0"]}
            _, dh_next, *_ = rnn._step_backward(dh_next, step)
            dh_norms[T - 1 - t] = np.linalg.norm(dh_next)
        return {"distance": np.arange(1, T + 1), "dh": dh_norms}
    if cell == "lstm":
        _, _, cache = lstm.lstm_forward(x, None, None, Wx, Wh, b)
        keys, states = ("x", "i", "f", "g", "o", "c", "tanh_c"), ("h", "c")
        step_backward = lstm._step_backward
    else:
        _, _, cache = lstm1997.lstm1997_forward(x, None, None, Wx, Wh, b, block_size=1)
        keys, states = ("x", "y_in", "y_out", "g", "s", "h"), ("y", "s")
        step_backward = lstm1997._step_backward
    dh_next, dc_next = error, np.zeros_like(error)
    for t in reversed(range(T)):
        step = {key: cache[key][:, t] for key in keys}
        step.update(Wx=Wx, Wh=Wh, block_size=1)
        step[f"{states[0]}_prev"] = cache[states[0]][:, t - 1] if t > 0 else cache[f"{states[0]}0"]
        step[f"{states[1]}_prev"] = cache[states[1]][:, t - 1] if t > 0 else cache[f"{states[1]}0"]
        _, dh_next, dc_next, *_ = step_backward(dh_next, dc_next, step)
        if truncated:
            dh_next = np.zeros_like(dh_next)
        dh_norms[T - 1 - t] = np.linalg.norm(dh_next)
        dc_norms[T - 1 - t] = np.linalg.norm(dc_next)
    return {"distance": np.arange(1, T + 1), "dh": dh_norms, "dc": dc_norms}
