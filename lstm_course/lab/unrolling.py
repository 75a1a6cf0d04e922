"""Unrolling a recurrent network in time (Chapter 2).

Run for T steps, the Elman RNN h_t = tanh(x_t Wx + h_{t-1} Wh + b) is the same
computation as a T-layer feed-forward network in which every layer uses the
**same** weight arrays Wx, Wh and b ("tied" weights). This module builds that
network explicitly and measures what unrolling costs:

- :func:`unroll` and :func:`run_unrolled`: the T tied layers and their forward pass;
- :func:`distinct_weight_buffers`: how many separate weight arrays the layers hold;
- :func:`backward_reads` and :func:`per_step_gradients` (with :func:`lstm_course.nn.rnn.step_cache`):
  the backward pass unfolded step by step, keeping each copy's weight-gradient
  contribution apart (their sum is the BPTT gradient of :func:`lstm_course.nn.rnn.rnn_backward`);
- :func:`error_per_step`: the error the loss injects at each step and the total
  error dL/dh_t the backward pass accumulates there (Chapter 3);
- :func:`activation_bytes` and :func:`measure_activation_memory`: the bytes of
  the activations a forward pass stores for the backward pass.
"""
import numpy as np

from lstm_course._progress import progress_bar
from lstm_course._validation import (
    as_rng,
    check_cache,
    check_float_dtype,
    check_int,
    check_object,
    check_positive_int,
    check_recurrent_params,
    check_sequence,
    check_sequence_inputs,
    check_step_inputs,
    check_upstream,
)
from lstm_course.models import recurrent
from lstm_course.nn import cells, readout, rnn

RNN_CACHE_KEYS = ("x", "h0", "h", "Wx", "Wh")
WEIGHT_KEYS = ("Wx", "Wh")


class TiedLayer:
    """Layer ``step`` of the unrolled Elman network: h_t = tanh(x_t Wx + h_{t-1} Wh + b).

    The layer keeps *references* to the weight arrays it is given, not copies,
    so every layer built by :func:`unroll` reads the one set of weights.

    Parameters
    ----------
    step : int
        Position t (0-based) of this layer in the unrolled network.
    Wx : ndarray (D, H)
    Wh : ndarray (H, H)
    b : ndarray (H,)
    """

    def __init__(self, step, Wx, Wh, b):
        self.step = check_int("step", step, minimum=0)
        # Float arrays pass through unchanged, so the layers share the caller's buffers.
        self.Wx, self.Wh, self.b, self.D, self.H = check_recurrent_params(Wx, Wh, b, gate_blocks=1)

    def forward(self, x_t, h_prev):
        """Return h_t (N, H) for the input ``x_t (N, D)`` and the previous layer's ``h_prev (N, H)``."""
        x_t, (h_prev,) = check_step_inputs(x_t, {"h_prev": h_prev}, self.D, self.H, x_name="x_t")
        return rnn.step_forward(x_t, h_prev, self.Wx, self.Wh, self.b)[0]

    def __repr__(self):
        return f"TiedLayer(step={self.step}, Wx{self.Wx.shape}, Wh{self.Wh.shape}, b{self.b.shape})"


def unroll(T, Wx, Wh, b):
    """Build the unrolled network: T layers that all reference the same weights.

    Parameters
    ----------
    T : int
        Number of time steps, i.e. of layers.
    Wx : ndarray (D, H)
    Wh : ndarray (H, H)
    b : ndarray (H,)
        Floating-point arrays; they are shared, not copied, so updating them
        in place updates every layer.

    Returns
    -------
    list of :class:`TiedLayer`, one per step t = 0..T-1.
    """
    T = check_positive_int("T", T)
    Wx, Wh, b, _, _ = check_recurrent_params(Wx, Wh, b, gate_blocks=1)
    return [TiedLayer(step, Wx, Wh, b) for step in range(T)]


def run_unrolled(layers, x, h0=None):
    """Forward pass through the unrolled network, one layer per time step.

    Layer t receives the fresh input x[:, t] and the previous layer's output,
    h_t = layer_t(x_t, h_{t-1}), starting from h_{-1} = ``h0``.

    Parameters
    ----------
    layers : sequence of :class:`TiedLayer` (or objects with ``forward`` and ``Wx, Wh``)
        One layer per step, e.g. from :func:`unroll`.
    x : ndarray (N, T, D)
        T must equal ``len(layers)``.
    h0 : ndarray (N, H) or None
        Initial state; ``None`` means zeros.

    Returns
    -------
    h : ndarray (N, T, H)
        Output of every layer.
    """
    layers = _check_layers(layers)
    D, H = layers[0].Wx.shape
    x, (h0,) = check_sequence_inputs(x, {"h0": h0}, D, H)
    if x.shape[1] != len(layers):
        raise ValueError(f"x must have shape (N, T, D) with T = len(layers) = {len(layers)}, got {x.shape}")
    outputs = []
    h_prev = h0
    for layer, x_t in zip(layers, np.moveaxis(x, 1, 0)):
        h_prev = layer.forward(x_t, h_prev)
        outputs.append(h_prev)
    return np.stack(outputs, axis=1)


def distinct_weight_buffers(layers):
    """Count the separate memory buffers behind each weight name across ``layers``.

    Tied layers from :func:`unroll` give ``{"Wx": 1, "Wh": 1, "b": 1}``: however
    many copies the picture shows, there is one set of numbers.

    Returns
    -------
    dict[str, int]
    """
    layers = _check_layers(layers)
    return {name: len({getattr(layer, name).ctypes.data for layer in layers}) for name in ("Wx", "Wh", "b")}


def _check_rnn_cache(cache):
    check_cache("cache", cache, RNN_CACHE_KEYS, "rnn_forward", gate_blocks=1)
    return cache["h"].shape[1]


def _check_layers(layers):
    return check_sequence("layers", layers, lambda label, layer: check_object(
        label, layer, ("forward", "Wx", "Wh", "b"), "a TiedLayer (from unroll)"))


def backward_reads(cache, t):
    """Which stored arrays the backward step t of BPTT reads, and at which step.

    Backward step t computes dz_t = dL/dh_t * (1 - h_t**2), then
    dWx_t = x_t^T dz_t, dWh_t = h_{t-1}^T dz_t and dL/dh_{t-1} = dz_t Wh^T.
    It therefore needs the input and output of step t **and the output of the
    previous step**, h_{t-1} (``h0`` for t = 0), plus the shared weights.

    Parameters
    ----------
    cache : dict
        From :func:`lstm_course.nn.rnn.rnn_forward`.
    t : int
        Step, 0 <= t < T.

    Returns
    -------
    dict[str, tuple[str, int or None]]
        For each entry of the step cache, the cache array it comes from and the
        time index read (``None`` for arrays with no time axis: h0 and weights).
    """
    t = check_int("t", t, minimum=0, maximum=_check_rnn_cache(cache) - 1)
    return {"x": ("x", t), "h_prev": ("h", t - 1) if t > 0 else ("h0", None), "h": ("h", t),
            "Wx": ("Wx", None), "Wh": ("Wh", None)}


def per_step_gradients(dh, cache):
    """BPTT for :func:`lstm_course.nn.rnn.rnn_forward`, keeping every copy's contribution apart.

    Walking t = T-1..0, the total error on h_t is what the loss injects at t
    plus what step t+1 sends back:

        dL/dh_t = dh[:, t] + dz_{t+1} Wh^T,   dz_t = dL/dh_t * (1 - h_t**2),

    and copy t contributes dWx_t = x_t^T dz_t, dWh_t = h_{t-1}^T dz_t, db_t = sum_n dz_t.
    Because all copies are the same weights, dL/dW = sum_t dW_t.

    Parameters
    ----------
    dh : ndarray (N, T, H)
        Error injected on each hidden state by the loss (zeros where there is none).
    cache : dict
        From :func:`lstm_course.nn.rnn.rnn_forward`.

    Returns
    -------
    dict
        ``dh_total (N, T, H)``: the total dL/dh_t; ``dWx (T, D, H)``,
        ``dWh (T, H, H)``, ``db (T, H)``: per-copy contributions;
        ``dx (N, T, D)``; ``dh0 (N, H)``.
    """
    T = _check_rnn_cache(cache)
    h, Wx, Wh = cache["h"], cache["Wx"], cache["Wh"]
    dh = check_upstream("dh", dh, h.shape, "(N, T, H)")
    N, _, H = h.shape
    dtype = np.result_type(h, dh)
    out = {"dh_total": np.zeros(h.shape, dtype), "dx": np.zeros(cache["x"].shape, dtype),
           "dWx": np.zeros((T, *Wx.shape), dtype), "dWh": np.zeros((T, *Wh.shape), dtype),
           "db": np.zeros((T, H), dtype)}
    dh_next = np.zeros((N, H), dtype)  # nothing flows back from beyond the last step
    for t in reversed(range(T)):
        out["dh_total"][:, t] = dh[:, t] + dh_next
        out["dx"][:, t], dh_next, out["dWx"][t], out["dWh"][t], out["db"][t] = rnn.step_backward(
            out["dh_total"][:, t], rnn.step_cache(cache, t))
    out["dh0"] = dh_next
    return out


def activation_bytes(cache):
    """Bytes of the activations a forward cache stores for the backward pass.

    Counts every array in the cache except the weights (``Wx``, ``Wh``), which
    are shared by all steps and do not grow with T.

    Parameters
    ----------
    cache : dict
        From :func:`lstm_course.nn.rnn.rnn_forward` or :func:`lstm_course.nn.lstm.lstm_forward`.

    Returns
    -------
    int
    """
    check_cache("cache", cache, ("x", "h0", "h", "Wx", "Wh"), "rnn_forward or lstm_forward")
    return int(sum(value.nbytes for key, value in cache.items()
                   if key not in WEIGHT_KEYS and isinstance(value, np.ndarray)))


def check_lengths(lengths):
    """Return ``lengths`` as a non-empty list of positive ints, or raise ``ValueError``."""
    lengths = check_sequence("lengths", lengths, check_positive_int)
    return lengths


def measure_activation_memory(lengths, cell="rnn", batch_size=1, input_size=1, hidden_size=32,
                              dtype=np.float64, rng=None, progress=False):
    """Run the forward pass for every T in ``lengths`` and measure its stored activations.

    Parameters
    ----------
    lengths : sequence of int
        Sequence lengths T to measure.
    cell : {"rnn", "lstm"}
    batch_size, input_size, hidden_size : int
        N, D and H.
    dtype : numpy dtype
        float64 or float32 (halves the bytes).
    rng : int or numpy.random.Generator, optional
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    ndarray of int64, shape (len(lengths),)
        :func:`activation_bytes` of each forward cache.
    """
    spec = cells.get(cell, cells.MODEL_CELLS)
    lengths = check_lengths(lengths)
    N = check_positive_int("batch_size", batch_size)
    D = check_positive_int("input_size", input_size)
    H = check_positive_int("hidden_size", hidden_size)
    dtype = check_float_dtype("dtype", dtype)
    rng = as_rng("rng", rng)
    G = spec.gate_blocks
    Wx = (rng.normal(size=(D, G * H)) / np.sqrt(D)).astype(dtype)
    Wh = (rng.normal(size=(H, G * H)) / np.sqrt(H)).astype(dtype)
    b = np.zeros(G * H, dtype)
    lengths = progress_bar(lengths, progress, desc=f"{cell} forward passes")
    measured = []
    for T in lengths:
        x = rng.normal(size=(N, T, D)).astype(dtype)
        _, cache = spec.forward(x, spec.initial_state(), Wx, Wh, b)
        measured.append(activation_bytes(cache))
    return np.array(measured, dtype=np.int64)


def error_per_step(params, x, y, step_weights=None, h0=None):
    """Per-step error injected by the loss and total error reaching each hidden state.

    For the Elman RNN model of :mod:`lstm_course.models.recurrent`, the loss injects
    e_t = w_t (yhat_t - y_t) Wy^T on h_t; BPTT adds what comes back from
    later steps, so the total is dL/dh_t = e_t + dz_{t+1} Wh^T
    (see :func:`per_step_gradients`). Not to be confused with
    :func:`lstm_course.lab.gradient_flow.gradient_flow`, which follows one unit error
    injected at the last step back through an RNN or LSTM layer.

    Parameters
    ----------
    params : dict
        RNN parameters ``Wx, Wh, b, Wy, by``.
    x : ndarray (N, T, D)
    y : ndarray (N, T, O)
    step_weights : ndarray (T,) or (N, T), optional
        Ones (many-to-many) if omitted; one-hot on the last step for many-to-one.
    h0 : ndarray (N, H), optional

    Returns
    -------
    dict
        ``injected (T,)`` and ``total (T,)``: Frobenius norms over (N, H) of
        e_t and dL/dh_t; ``loss``: the weighted loss.
    """
    yhat, cache = recurrent.forward(params, x, "rnn", h0)
    loss, dyhat = recurrent.squared_error(yhat, y, step_weights)
    injected = readout.readout_backward(dyhat, cache["layer"]["h"], params["Wy"])[1]
    total = per_step_gradients(injected, cache["layer"])["dh_total"]
    return {"injected": np.linalg.norm(injected, axis=(0, 2)), "total": np.linalg.norm(total, axis=(0, 2)),
            "loss": loss}
