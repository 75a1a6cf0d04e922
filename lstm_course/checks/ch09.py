"""Checkers for the Chapter 9 exercises (RTRL, UORO, ARTBP)."""
import numpy as np

from lstm_course.checks._harness import ACTIVATIONS, Case, Mistake, run_check
from lstm_course.online import rtrl


def _cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for dtype in (np.float64, np.float32):
        for N in (1, 4):
            x, h_prev = rng.normal(size=N).astype(dtype), rng.uniform(-0.9, 0.9, N).astype(dtype)
            S = rng.normal(size=(N, 3)).astype(dtype)
            wx, wh, b = rng.normal(size=3)
            cases.append(Case(f"N={N}, {np.dtype(dtype).name}", (x, h_prev, S, float(wx), float(wh), float(b))))
    return cases


def _step(x, h_prev, S, wx, wh, b, recurrent=True, squash_direct=True, squash_carry=True, use_new_h=False,
          derivative_of_prev=False):
    """The sensitivity step with switches for the catalogue's mistakes (all defaults: correct)."""
    h = np.tanh(wx * x + wh * h_prev + b)
    slope = (1 - h_prev ** 2) if derivative_of_prev else (1 - h ** 2)
    direct = np.stack([x, h if use_new_h else h_prev, np.ones_like(x)], axis=1)
    carry = wh * S if recurrent else 0 * S
    return (slope[:, None] if squash_direct else 1) * direct + (slope[:, None] if squash_carry else 1) * carry


_MISTAKES = [
    Mistake("sensitivity", lambda *a: _step(*a, recurrent=False),
            "h_{t-1} depends on the parameters too: add wh * S_{t-1} to the direct term (that is RTRL's "
            "whole point; without it you have a one-step truncation)."),
    Mistake("sensitivity", lambda *a: _step(*a, squash_carry=False),
            "the carried term wh * S_{t-1} also enters through the tanh: multiply the SUM by (1 - h_t^2)."),
    Mistake("sensitivity", lambda *a: _step(*a, use_new_h=True),
            "z_t = wx x_t + wh h_{t-1} + b, so dz_t/dwh (with h_{t-1} fixed) is h_{t-1}, not h_t."),
    Mistake("sensitivity", lambda *a: _step(*a, derivative_of_prev=True),
            "the tanh' factor is taken at the new state: 1 - h_t^2, not 1 - h_{t-1}^2."),
    Mistake("h", lambda x, h_prev, *rest: h_prev,
            "return the new state h_t = tanh(wx x_t + wh h_{t-1} + b), not h_prev."),
]


def check_one_unit_sensitivity_step(fn, *, seed=None):
    """Check ``one_unit_sensitivity_step(x, h_prev, sensitivity_prev, wx, wh, b) -> (h, sensitivity)``.

    Compares with :func:`lstm_course.online.rtrl.one_unit_sensitivity_step` on float64 and
    float32 inputs with N = 1 and N = 4 drawn from ``seed`` and returns a
    :class:`~lstm_course.checks.Verdict` naming the first wrong entry with a hint. The
    package's own code (RTRL included) is off limits while ``fn`` runs.
    """
    return run_check("one_unit_sensitivity_step", fn, rtrl.one_unit_sensitivity_step, _cases, seed=seed,
                     outputs=("h", "sensitivity"), mistakes=_MISTAKES, allowed=ACTIVATIONS)
