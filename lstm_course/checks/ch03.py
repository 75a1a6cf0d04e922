"""Checkers for the Chapter 3 exercises (backpropagation through time)."""
import numpy as np

from lstm_course.checks._harness import ACTIVATIONS, Case, Mistake, run_check
from lstm_course.nn import rnn

# (N, T, D, H): a general shape, then the edges N=1, T=1, D=1, H=1.
_SHAPES = [(3, 5, 4, 5), (1, 1, 1, 1), (1, 4, 2, 1), (2, 1, 3, 2), (2, 6, 1, 3)]


def _rnn_cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for dtype in (np.float64, np.float32):
        for N, T, D, H in _SHAPES:
            inputs = (rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(D, H)),
                      rng.normal(scale=0.7, size=(H, H)), rng.normal(size=H))
            h, cache = rnn.rnn_forward(*(a.astype(dtype) for a in inputs))
            dh = rng.normal(size=h.shape).astype(dtype)
            cases.append(Case(f"N={N}, T={T}, D={D}, H={H}, {np.dtype(dtype).name}", (dh, cache)))
    return cases


def _bptt(dh, cache, carry=True, carry_through_tanh=True, wrap_h_prev=False, forward_in_time=False,
          mean_over_time=False):
    """BPTT with switches that reproduce the catalogue's mistakes (all defaults: correct)."""
    x, h0, h, Wx, Wh = (cache[key] for key in ("x", "h0", "h", "Wx", "Wh"))
    T = h.shape[1]
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(Wh[0])
    dh_next = np.zeros_like(h0)
    for t in (range(T) if forward_in_time else reversed(range(T))):
        h_prev = h[:, t - 1] if (t > 0 or wrap_h_prev) else h0
        derivative = 1 - h[:, t] ** 2
        if carry_through_tanh:
            dz = (dh[:, t] + dh_next) * derivative
        else:
            dz = dh[:, t] * derivative + dh_next
        dx[:, t] = dz @ Wx.T
        dWx += x[:, t].T @ dz
        dWh += h_prev.T @ dz
        db += dz.sum(axis=0)
        dh_next = dz @ Wh.T if carry else np.zeros_like(h0)
        if not carry:
            dh0 = dz @ Wh.T
    if mean_over_time:
        dWx, dWh, db = dWx / T, dWh / T, db / T
    return dx, (dh_next if carry else dh0), dWx, dWh, db


def _output(index, **mistake):
    return lambda dh, cache: _bptt(dh, cache, **mistake)[index]


_NO_CARRY = ("the error on h_t is the injected dh[:, t] PLUS the error that comes back from step t+1 "
             "(dz_{t+1} Wh^T); carry it from one step to the next.")
_RNN_OUTPUTS = ("dx", "dh0", "dWx", "dWh", "db")
_RNN_VARIANTS = [
    (dict(carry=False), _NO_CARRY),
    (dict(carry_through_tanh=False), "the carried error arrives on h_t, before the tanh: add it to dh[:, t] and "
                                     "then multiply the sum by (1 - h_t**2)."),
    (dict(wrap_h_prev=True), "at t = 0 the previous state is cache['h0']; h[:, t - 1] with t = 0 is h[:, -1], "
                             "the LAST state."),
    (dict(forward_in_time=True), "the error flows backwards: loop t = T-1, ..., 0, so that the error from step "
                                 "t+1 is ready when you reach step t."),
    (dict(mean_over_time=True), "every step uses the same (shared) weights, so their gradient is the SUM over "
                                "the steps, not the mean."),
]
# Each mistake is recognised in every output it changes.
_RNN_MISTAKES = [Mistake(name, _output(index, **variant), hint)
                 for variant, hint in _RNN_VARIANTS for index, name in enumerate(_RNN_OUTPUTS)]


def check_rnn_backward(fn, *, seed=None):
    """Check a student's ``rnn_backward(dh, cache) -> (dx, dh0, dWx, dWh, db)``.

    Compares with :func:`lstm_course.nn.rnn.rnn_backward` on ten inputs drawn from ``seed``
    (float64 and float32, including N=1, T=1, D=1, H=1) and returns a
    :class:`~lstm_course.checks.Verdict` naming the first wrong entry with a hint. While
    ``fn`` runs, the package's own code (its backward passes, the RNN model, TBPTT, the
    numerical gradient, ...) is off limits, except :mod:`lstm_course.nn.activations`.
    """
    return run_check("rnn_backward", fn, rnn.rnn_backward, _rnn_cases, seed=seed,
                     outputs=_RNN_OUTPUTS, mistakes=_RNN_MISTAKES, allowed=ACTIVATIONS)
