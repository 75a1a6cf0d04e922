"""A widely copied but wrong TBPTT(k1, k2) recipe, transcribed to numpy to show where it goes wrong (Chapter 6).

Compare :func:`stale_gradient_recipe` with the exact :func:`lstm_course.train.tbptt.engine.tbptt_gradients`:
they agree while windows do not overlap (k1 >= k2) and differ once they do.
"""
import numpy as np

from lstm_course._validation import as_float_array, check_sequence_inputs, check_shape
from lstm_course.models import recurrent
from lstm_course.nn import cells, readout
from lstm_course.train.tbptt.schedule import _check_truncation


def stale_gradient_recipe(params, x, y, k1, k2, cell="lstm", h0=None, c0=None):
    """The widely copied PyTorch-forum recipe for k1 != k2, transcribed to numpy.

    The recipe keeps the last k2 one-step graph segments. Each step's input
    state is a detached leaf with ``requires_grad=True``. Every k1 steps it
    calls ``loss.backward()`` on the loss of the *current step only*, then walks
    back segment by segment: ``states[-i-2][1].backward(states[-i-1][0].grad)``.
    Only the parameter gradients are zeroed before an update; the ``.grad`` of
    the leaf states is not. When windows overlap (k1 < k2) a leaf's ``.grad``
    still holds what earlier updates sent to it, so stale gradients are added to
    the fresh ones and travel on into the parameter gradients. This function
    reproduces that arithmetic (with fixed weights; no flush at the end, as in
    the recipe) so it can be compared with :func:`lstm_course.train.tbptt.engine.tbptt_gradients`.

    Parameters
    ----------
    params : dict
        ``Wx, Wh, b, Wy, by`` as in :mod:`lstm_course.models.recurrent`. Not modified.
    x : ndarray (N, T, D)
    y : ndarray (N, T, O)
    k1 : int >= 1
    k2 : int >= 1
        Finite: the recipe keeps the last k2 graph segments.
    cell : {"lstm", "rnn"}
    h0, c0 : ndarray (N, H), optional
        Initial state (zeros if omitted); ``c0`` only for the LSTM (a ``c0`` given
        with ``cell="rnn"`` is a ValueError, as in :func:`lstm_course.train.tbptt.engine.tbptt_gradients`).

    Returns
    -------
    list of (t, grads), like :func:`lstm_course.train.tbptt.engine.tbptt_gradients`.
    """
    spec = cells.get(recurrent.check_cell(cell))
    k1, k2 = _check_truncation(k1, k2)
    if k2 is None:
        raise ValueError("the forum recipe needs a finite k2 (it keeps the last k2 graph segments)")
    D, H, O = recurrent.check_params(params, cell)
    names = tuple(f"{name}0" for name in spec.state_names)
    x, state = check_sequence_inputs(x, dict(zip(names, spec.initial_state(h0=h0, c0=c0), strict=True)), D, H)
    state = tuple(state)
    N, T, _ = x.shape
    y = as_float_array("y", y, ndim=3)
    check_shape("y", y, (N, T, O), "(N, T, O) with N, T from x and O from Wy")
    p = params
    caches = {}
    # leaf_grad[s] is the .grad of the detached leaf state entering step s: never zeroed.
    leaf_grad = {}
    results = []
    for s in range(1, T + 1):
        state, caches[s] = spec.step_forward(x[:, s - 1], state, p["Wx"], p["Wh"], p["b"])
        leaf_grad[s] = tuple(np.zeros_like(h_state) for h_state in state)
        for old in [key for key in caches if key <= s - k2]:   # "del states[0]"
            del caches[old], leaf_grad[old]
        if s % k1:
            continue
        h = state[0]
        grads, dh = readout.readout_backward_kernel(h @ p["Wy"] + p["by"] - y[:, s - 1], h, p["Wy"])
        grads.update({name: np.zeros_like(p[name]) for name in ("Wx", "Wh", "b")})
        upstream = (dh,) + tuple(np.zeros_like(other) for other in state[1:])
        for step in range(s, max(1, s - k2 + 1) - 1, -1):
            _, dstate_prev, dWx, dWh, db = spec.step_backward(upstream, caches[step])
            grads["Wx"] += dWx
            grads["Wh"] += dWh
            grads["b"] += db
            for leaf, d in zip(leaf_grad[step], dstate_prev):
                leaf[...] += d                      # .grad accumulates across backward calls
            upstream = leaf_grad[step]              # curr_grad = states[-i-1][0].grad
        results.append((s, grads))
    return results
