"""Checkers for the Chapter 2 exercises (the Elman RNN unrolled)."""
import numpy as np

from lstm_course.checks._harness import ACTIVATIONS, Case, Mistake, run_check
from lstm_course.lab import unrolling
from lstm_course.nn import rnn

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


def check_rnn_step_backward(fn, *, seed=None):
    """Check a student's ``rnn_step_backward(dh, cache) -> (dx, dh_prev, dWx, dWh, db)``.

    Compares with :func:`lstm_course.nn.rnn.rnn_step_backward` on ten inputs drawn from
    ``seed`` (float64 and float32, including N=1, D=1, H=1) and returns a
    :class:`~lstm_course.checks.Verdict` naming the first wrong entry with a hint. The
    package's own code is off limits while ``fn`` runs, except :mod:`lstm_course.nn.activations`.
    """
    return run_check("rnn_step_backward", fn, rnn.rnn_step_backward, _rnn_step_cases, seed=seed,
                     outputs=("dx", "dh_prev", "dWx", "dWh", "db"), mistakes=_RNN_STEP_MISTAKES,
                     allowed=ACTIVATIONS)


# (N, T, D, H): a general shape, then the edges T=1, N=1, H=1, D=1.
_SEQUENCE_SHAPES = [(3, 5, 2, 4), (2, 1, 3, 3), (1, 4, 2, 3), (2, 3, 2, 1), (1, 2, 1, 2)]
_PER_STEP_OUTPUTS = ("dh_total", "dx", "dWx", "dWh", "db", "dh0")


def _per_step_cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for dtype in (np.float64, np.float32):
        for N, T, D, H in _SEQUENCE_SHAPES:
            x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
            Wx, Wh, b = rng.normal(size=(D, H)), 0.8 * rng.normal(size=(H, H)), rng.normal(size=H)
            _, cache = rnn.rnn_forward(*(a.astype(dtype) for a in (x, h0, Wx, Wh, b)))
            dh = rng.normal(size=(N, T, H)).astype(dtype)
            cases.append(Case(f"N={N}, T={T}, D={D}, H={H}, {np.dtype(dtype).name}", (dh, cache)))
    return cases


def _wrong_per_step(dh, cache, mistake):
    """BPTT with per-copy contributions, with one deliberate mistake."""
    x, h0, h, Wx, Wh = (cache[key] for key in ("x", "h0", "h", "Wx", "Wh"))
    N, T, H = h.shape
    out = {"dh_total": np.zeros_like(h), "dx": np.zeros_like(x), "dWx": np.zeros((T, *Wx.shape), Wx.dtype),
           "dWh": np.zeros((T, *Wh.shape), Wh.dtype), "db": np.zeros((T, H), Wh.dtype)}
    dh_next = np.zeros_like(h0)
    order = range(T) if mistake == "forward order" else reversed(range(T))
    for t in order:
        total = dh[:, t] if mistake == "no recurrent error" else dh[:, t] + dh_next
        out["dh_total"][:, t] = total
        dz = total * (1 - h[:, t] ** 2)
        h_prev = h[:, t - 1] if t > 0 or mistake == "wraps" else h0
        if mistake == "new state":
            h_prev = h[:, t]
        out["dx"][:, t], dh_next = dz @ Wx.T, dz @ Wh.T
        out["dWx"][t], out["dWh"][t], out["db"][t] = x[:, t].T @ dz, h_prev.T @ dz, dz.sum(axis=0)
    out["dh0"] = dh_next
    return out


_PER_STEP_HINTS = {
    "no recurrent error": "the total error on h_t is what the loss injects at t PLUS what step t+1 sends "
                          "back (dz_{t+1} Wh^T); did you leave out the second part?",
    "forward order": "BPTT walks backwards, t = T-1 down to 0: step t needs the error from step t+1 first.",
    "wraps": "at t = 0 the previous state is h0: cache['h'][:, t - 1] with t = 0 wraps around to the LAST step.",
    "new state": "copy t's dWh pairs dz_t with h_{t-1}, the state that entered the step, not with h_t.",
}
_PER_STEP_MISTAKES = [
    *(Mistake(name, lambda dh, cache, m=mistake, n=name: _wrong_per_step(dh, cache, m)[n], hint)
      for mistake, hint in _PER_STEP_HINTS.items() for name in _PER_STEP_OUTPUTS),
    *(Mistake(name, lambda dh, cache, n=name: _wrong_per_step(dh, cache, None)[n].sum(axis=0),
              f"return one contribution per copy, {name} of shape (T, ...): the sum over t is "
              "rnn_backward's gradient, not what this exercise returns.")
      for name in ("dWx", "dWh", "db")),
]


def check_per_step_gradients(fn, *, seed=None):
    """Check a student's ``per_step_gradients(dh, cache) -> dict``.

    The dict holds ``dh_total (N, T, H)``, ``dx (N, T, D)``, ``dWx (T, D, H)``,
    ``dWh (T, H, H)``, ``db (T, H)`` (one contribution per copy) and ``dh0 (N, H)``.
    Compares with :func:`lstm_course.lab.unrolling.per_step_gradients` on ten inputs drawn
    from ``seed`` (float64 and float32, including T=1, N=1, H=1, D=1) and returns a
    :class:`~lstm_course.checks.Verdict`. The package's own code is off limits while
    ``fn`` runs, except :mod:`lstm_course.nn.activations`.
    """
    return run_check("per_step_gradients", fn, unrolling.per_step_gradients, _per_step_cases, seed=seed,
                     outputs=_PER_STEP_OUTPUTS, mistakes=_PER_STEP_MISTAKES, allowed=ACTIVATIONS)
