"""Checkers for the Chapter 2 exercises (the Elman RNN unrolled)."""
import numpy as np

from .. import gradcheck, models, rnn
from ._harness import Case, Mistake, run_check

# (N, D, H): a general shape, then the edges N=1, D=1, H=1.
_SHAPES = [(3, 4, 5), (1, 1, 1), (1, 3, 2), (4, 1, 3), (2, 2, 1)]


def _rnn_step_cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for dtype in (np.float64, np.float32):
        for N, D, H in _SHAPES:
            x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H))
            Wx, Wh, b = rng.normal(size=(D, H)), rng.normal(size=(H, H)), rng.normal(size=H)
            _, cache = rnn.rnn_step_forward(*(a.astype(dtype) for a in (x, h_prev, Wx, Wh, b)))
            dh = rng.normal(size=(N, H)).astype(dtype)
            cases.append(Case(f"N={N}, D={D}, H={H}, {np.dtype(dtype).name}", (dh, cache)))
    return cases


def _dz(dh, cache):
    return dh * (1 - cache["h"] ** 2)


_RNN_STEP_MISTAKES = [
    Mistake("dh_prev", lambda dh, cache: dh @ cache["Wh"].T,
            "did you multiply dh by the tanh derivative (1 - h**2) before going back through Wh?"),
    Mistake("dh_prev", lambda dh, cache: _dz(dh, cache) @ cache["Wh"],
            "dh_prev = dz Wh^T: the transpose is missing."),
    Mistake("dWh", lambda dh, cache: cache["h"].T @ _dz(dh, cache),
            "dWh pairs dz with h_prev, the state that entered the step, not with the new h."),
    Mistake("dWx", lambda dh, cache: cache["x"].T @ dh,
            "did you multiply dh by the tanh derivative (1 - h**2) first?"),
    Mistake("dx", lambda dh, cache: (dh * (1 - np.tanh(cache["h"]) ** 2)) @ cache["Wx"].T,
            "the derivative is taken from the output: 1 - h**2, not 1 - tanh(h)**2."),
    Mistake("db", lambda dh, cache: _dz(dh, cache).mean(axis=0),
            "the bias is used by every example in the batch, so its gradient is the sum over N, not the mean."),
]


def check_rnn_step_backward(fn):
    """Check a student's ``rnn_step_backward(dh, cache) -> (dx, dh_prev, dWx, dWh, db)``.

    Compares with :func:`lstm_course.rnn.rnn_step_backward` on ten inputs (float64 and
    float32, including N=1, D=1, H=1), prints which output is wrong and a hint, and
    returns ``True`` when every output matches.
    """
    return run_check("rnn_step_backward", fn, rnn.rnn_step_backward, _rnn_step_cases(seed=2),
                     outputs=("dx", "dh_prev", "dWx", "dWh", "db"), mistakes=_RNN_STEP_MISTAKES,
                     blocked=(rnn._step_backward, rnn.rnn_backward, models.backward,
                              gradcheck.numerical_gradient))
