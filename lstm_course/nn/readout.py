"""Readouts and losses: what turns the hidden state h into a prediction and a loss.

Every model of the course reads its hidden state out linearly, ``yhat = h Wy + by``, and
scores the prediction with a per-row loss that is **summed** over the rows (the batch, and
the steps of a sequence), each row optionally weighted (0 drops it):

- :func:`squared_error_kernel`: l = 1/2 sum_rows w ||yhat - y||^2, real targets ``y (..., O)``
  (the sequence model of Chapters 3 to 7 and 9);
- :func:`softmax_cross_entropy`: l = sum_rows w (log sum_k exp(s_k) - s_y) in nats, integer
  targets (the character model of Chapter 8, with ``s = yhat`` the logits).

A **head** (:class:`Head`) pairs the linear readout with one of these losses: given one step's
hidden state it returns the step's loss and its gradients, which is all a training loop such
as :mod:`lstm_course.train.tbptt.engine` needs to know about the output layer::

    head = readout.get("softmax_cross_entropy")
    loss, grads, dh = head.backward(params, h_t, targets_t, weights_t)   # grads: Wy, by

:func:`with_dropout` gives a head **inverted dropout** on its input while training
(Srivastava et al. 2014; on the non-recurrent connections only, as Zaremba et al. 2014 do for
LSTMs): each unit of h is zeroed with probability p and the others are scaled by 1 / (1 - p),
so that evaluation, which uses the plain head, sees the same expected input.
"""
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from lstm_course._validation import as_float_array, as_rng, check_positive_int, check_scalar, check_shape


def readout_backward(dyhat, h, Wy):
    """Backward pass of the linear readout yhat = h Wy + by, for any leading axes.

    dWy = sum over all leading indices of h^T dyhat, dby = sum of dyhat, and
    dh = dyhat Wy^T, the error handed to the recurrent layer.

    Parameters
    ----------
    dyhat : ndarray (..., O)
    h : ndarray (..., H)
        Hidden states with the same leading axes, e.g. (N, T) or (N,).
    Wy : ndarray (H, O)

    Returns
    -------
    grads : dict
        ``Wy (H, O)`` and ``by (O,)``.
    dh : ndarray (..., H)
    """
    Wy = as_float_array("Wy", Wy, ndim=2)
    H, O = Wy.shape
    h = as_float_array("h", h)
    if h.ndim == 0:
        raise ValueError(f"h must have shape (..., H) with H = {H} from Wy, got a scalar")
    check_shape("h", h, h.shape[:-1] + (H,), "(..., H) with H from Wy")
    dyhat = as_float_array("dyhat", dyhat)
    check_shape("dyhat", dyhat, h.shape[:-1] + (O,), "(..., O) with the leading axes of h and O from Wy")
    return readout_backward_kernel(dyhat, h, Wy)


def readout_backward_kernel(dyhat, h, Wy):
    """The kernel of :func:`readout_backward`, without checking its inputs: ``(grads, dh)``."""
    H, O = Wy.shape
    rows_dyhat = dyhat.reshape(-1, O)
    return {"Wy": h.reshape(-1, H).T @ rows_dyhat, "by": rows_dyhat.sum(axis=0)}, dyhat @ Wy.T


def squared_error_kernel(yhat, y, weights):
    """Weighted squared error summed over the rows, and its gradient; a kernel (inputs not checked).

    l = 1/2 sum_rows w ||yhat - y||^2 for ``yhat, y (..., O)`` and ``weights (...)``.

    Returns
    -------
    loss : float
    dyhat : ndarray (..., O)
        w (yhat - y).
    """
    residual = yhat - y
    weights = weights[..., None]
    return float(0.5 * np.sum(weights * residual ** 2)), weights * residual


def check_codes(name, codes, V):
    """Return ``codes`` as an int64 array with every entry in 0..V-1, or raise ValueError."""
    V = check_positive_int("V", V)
    codes = np.asarray(codes)
    if codes.size == 0 or codes.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a non-empty array of integer character codes, got dtype {codes.dtype}")
    if codes.min() < 0 or codes.max() >= V:
        raise ValueError(f"{name} must hold codes in 0..{V - 1}, got values in {codes.min()}..{codes.max()}")
    return codes.astype(np.int64, copy=False)


def softmax(logits):
    """Row-wise softmax over the last axis, computed stably as exp(s - max s) / sum exp(s - max s)."""
    logits = as_float_array("logits", logits)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(logits, targets, weights=None):
    """Summed cross-entropy (nats) of softmax(logits) against integer targets, and its gradient.

    l = log sum_k exp(s_k) - s_y, computed as m + log1p(sum_{k != top} exp(s_k - m))
    with m = max_k s_k, so no exponential overflows and a tiny loss keeps its digits. The gradient is
    dl/ds = softmax(s) - onehot(y), times the weight of the row.

    Parameters
    ----------
    logits : ndarray (..., V)
    targets : int ndarray (...)
    weights : ndarray (...), optional
        Per-row weights w (ones if omitted); 0 drops a row's loss.

    Returns
    -------
    loss : float
        sum over rows of w * l, in nats (the summed loss).
    dlogits : ndarray (..., V)
        Gradient of ``loss`` with respect to ``logits``, same dtype.
    """
    logits = as_float_array("logits", logits)
    targets = check_codes("targets", targets, logits.shape[-1])
    check_shape("targets", targets, logits.shape[:-1], "logits.shape[:-1]")
    if weights is None:
        weights = np.ones(targets.shape, dtype=logits.dtype)
    weights = as_float_array("weights", weights)
    check_shape("weights", weights, targets.shape, "targets.shape")
    return softmax_cross_entropy_kernel(logits, targets, weights)


def softmax_cross_entropy_kernel(logits, targets, weights):
    """The kernel of :func:`softmax_cross_entropy`, without checking its inputs: ``(loss, dlogits)``."""
    top = np.argmax(logits, axis=-1)[..., None]
    shifted = logits - np.take_along_axis(logits, top, axis=-1)
    e = np.exp(shifted)
    # sum_k exp(s_k - m) = 1 + (the other terms): log1p of those keeps the loss accurate when the
    # largest score dominates and the loss is tiny (log of 1 + 1e-7 would round away its digits).
    others = e.copy()
    np.put_along_axis(others, top, 0.0, axis=-1)
    others = others.sum(axis=-1, keepdims=True)
    target_shifted = np.take_along_axis(shifted, targets[..., None], axis=-1)
    loss = float(np.sum(weights * (np.log1p(others) - target_shifted)[..., 0]))
    dlogits = e / (1.0 + others)
    np.put_along_axis(dlogits, targets[..., None], np.take_along_axis(dlogits, targets[..., None], -1) - 1.0, -1)
    dlogits *= weights[..., None]
    return loss, dlogits.astype(logits.dtype, copy=False)


def softmax_cross_entropy_backward(logits, targets):
    """Gradient of the summed cross-entropy for rows of scores: softmax(logits) - onehot(targets).

    Parameters
    ----------
    logits : ndarray (N, V)
    targets : int ndarray (N,)

    Returns
    -------
    dlogits : ndarray (N, V), same dtype as ``logits``
    """
    return softmax_cross_entropy(logits, targets)[1]


def _real_targets(name, y, leading, O, labels):
    y = as_float_array(name, y, ndim=len(leading) + 1)
    check_shape(name, y, tuple(leading) + (O,), f"({labels}, O) like its x, O from Wy")
    return y


def _code_targets(name, y, leading, O, labels):
    y = check_codes(name, y, O)
    check_shape(name, y, tuple(leading), f"({labels}) like its x: one code per step")
    return y


class Head(NamedTuple):
    """The linear readout yhat = h Wy + by followed by a per-row loss.

    Fields: ``name``; ``loss(yhat, targets, weights) -> (loss, dyhat)``, a kernel such as
    :func:`squared_error_kernel`; ``check_targets(name, y, leading_shape, O, labels)``, which returns
    the targets checked (real ``(..., O)`` or integer codes ``(...)`` in 0..O-1) or raises
    ``ValueError``, spelling the leading axes as ``labels`` (e.g. ``"N, T"``); ``dropout``, the
    probability p of dropping a unit of h (0: none), and ``rng``, the Generator that draws the masks
    (set both with :func:`with_dropout`).
    """

    name: str
    loss: Callable
    check_targets: Callable
    dropout: float = 0.0
    rng: np.random.Generator | None = None

    def backward(self, params, h, targets, weights):
        """One step's loss and gradients: ``(loss, grads, dh)``, grads keyed ``Wy, by``, dh shaped like h."""
        keep = None
        if self.dropout:                       # m = [u >= p] / (1 - p): h -> h * m, and dh picks up the same m
            keep = (self.rng.random(h.shape) >= self.dropout).astype(h.dtype) / h.dtype.type(1.0 - self.dropout)
            h = h * keep
        loss, dyhat = self.loss(h @ params["Wy"] + params["by"], targets, weights)
        grads, dh = readout_backward_kernel(dyhat, h, params["Wy"])
        return loss, grads, dh if keep is None else dh * keep


SQUARED_ERROR = Head("squared_error", squared_error_kernel, _real_targets)
SOFTMAX_CROSS_ENTROPY = Head("softmax_cross_entropy", softmax_cross_entropy_kernel, _code_targets)
HEADS = {head.name: head for head in (SQUARED_ERROR, SOFTMAX_CROSS_ENTROPY)}


def with_dropout(head, rate, rng=None):
    """``head`` (a name or a :class:`Head`) with inverted dropout of rate ``rate`` in [0, 1) on its input h.

    Only training uses it: :meth:`Head.backward` then draws a fresh mask from ``rng`` (None, a seed or a
    Generator) at every call. ``rate = 0`` gives the head back without dropout.
    """
    head = get(head)
    rate = check_scalar("rate", rate, low=0.0, high=1.0, high_open=True)
    return head._replace(dropout=rate, rng=as_rng("rng", rng) if rate else None)


def get(name):
    """The :class:`Head` called ``name`` (``"squared_error"`` or ``"softmax_cross_entropy"``), or a Head as is."""
    if isinstance(name, Head):
        return name
    if not isinstance(name, str) or name not in HEADS:
        raise ValueError(f"head must be one of {tuple(HEADS)} or a readout.Head, got {name!r}")
    return HEADS[name]
