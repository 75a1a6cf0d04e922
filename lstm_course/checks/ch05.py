"""Checkers for the Chapter 5 exercises (the LSTM cell, gate by gate)."""
import numpy as np

from lstm_course.checks._harness import ACTIVATIONS, Case, Mistake, run_check
from lstm_course.nn import lstm
from lstm_course.nn.activations import sigmoid

# (N, D, H): a general shape, then the edges N=1, D=1, H=1.
_SHAPES = [(3, 4, 5), (1, 1, 1), (1, 3, 2), (4, 1, 3), (2, 2, 1)]


def _lstm_step_cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for dtype in (np.float64, np.float32):
        for N, D, H in _SHAPES:
            x, h_prev, c_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
            Wx, Wh, b = rng.normal(size=(D, 4 * H)), rng.normal(size=(H, 4 * H)), rng.normal(size=4 * H)
            _, _, cache = lstm.lstm_step_forward(*(a.astype(dtype) for a in (x, h_prev, c_prev, Wx, Wh, b)))
            dh, dc = (rng.normal(size=(N, H)).astype(dtype) for _ in range(2))
            cases.append(Case(f"N={N}, D={D}, H={H}, {np.dtype(dtype).name}", (dh, dc, cache)))
    return cases


def _mutant(dh, dc, cache, *, forget=True, output_path="tanh'", sigmoid_slope="output", order=(0, 1, 2, 3),
            do_factor="tanh_c"):
    """The step backward with one mistake switched on; the defaults give the right answer."""
    i, f, g, o, tanh_c = (cache[key] for key in ("i", "f", "g", "o", "tanh_c"))
    do = dh * cache[do_factor]
    through_h = {"tanh'": dh * o * (1 - tanh_c ** 2), "none": 0.0, "no slope": dh * o}[output_path]
    dc_total = dc + through_h
    slope = (lambda s: s * (1 - s)) if sigmoid_slope == "output" else (lambda s: sigmoid(s) * (1 - sigmoid(s)))
    blocks = [dc_total * g * slope(i), dc_total * cache["c_prev"] * slope(f), dc_total * i * (1 - g ** 2),
              do * slope(o)]
    dz = np.concatenate([blocks[k] for k in order], axis=1)
    dc_prev = dc_total * f if forget else dc_total
    return dz @ cache["Wx"].T, dz @ cache["Wh"].T, dc_prev, cache["x"].T @ dz, cache["h_prev"].T @ dz, dz.sum(0)


def _output(index, **mistake):
    return lambda dh, dc, cache: _mutant(dh, dc, cache, **mistake)[index]


_DB = 5
_WITHOUT_H_PATH = ("dc did not receive the error that arrives through h: add dh * o * (1 - tanh(c)**2) to dc "
                   "before using it (c reaches the loss through h_t and through c_{t+1}).")
_NO_TANH_SLOPE = ("the path from h to c goes through tanh(c): dc_total = dc + dh * o * (1 - tanh(c)**2); "
                  "the tanh(c) derivative is missing.")
_SIGMOID_TWICE = ("the gates in the cache are already sigmoid outputs: the slope is i * (1 - i), "
                  "not sigmoid(i) * (1 - sigmoid(i)).")
_ORDER = ("the four blocks of dz (and so of dWx, dWh, db) must be in the order i, f, g, o, "
          "the order in which z is split in the forward pass.")
_OUTPUTS = ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db")
_VARIANTS = [
    (dict(forget=False), "did you multiply by the forget gate? c = f * c_prev + i * g, so dc_prev = dc_total * f."),
    (dict(output_path="none"), _WITHOUT_H_PATH),
    (dict(output_path="no slope"), _NO_TANH_SLOPE),
    (dict(sigmoid_slope="twice"), _SIGMOID_TWICE),
    (dict(do_factor="c"), "the output gate multiplies tanh(c), not c: do = dh * tanh(c)."),
    *((dict(order=order), _ORDER) for order in [(0, 1, 3, 2), (1, 0, 2, 3), (3, 0, 1, 2), (0, 2, 1, 3)]),
]
# Each mistake is recognised in every output it changes.
_LSTM_STEP_MISTAKES = [
    *(Mistake(name, _output(index, **variant), hint)
      for variant, hint in _VARIANTS for index, name in enumerate(_OUTPUTS)),
    Mistake("db", lambda dh, dc, cache: _mutant(dh, dc, cache)[_DB] / len(dh),
            "the bias is used by every example in the batch, so its gradient is the sum over N, not the mean."),
    Mistake("dWh", lambda dh, dc, cache: (cache["o"] * cache["tanh_c"]).T @ _dz(dh, dc, cache),
            "dWh pairs dz with h_prev, the hidden state that entered the step, not with the new h."),
]


def _dz(dh, dc, cache):
    i, f, g, o, tanh_c = (cache[key] for key in ("i", "f", "g", "o", "tanh_c"))
    dc_total = dc + dh * o * (1 - tanh_c ** 2)
    return np.concatenate([dc_total * g * i * (1 - i), dc_total * cache["c_prev"] * f * (1 - f),
                           dc_total * i * (1 - g ** 2), dh * tanh_c * o * (1 - o)], axis=1)


def check_lstm_step_backward(fn, *, seed=None):
    """Check a student's ``lstm_step_backward(dh, dc, cache) -> (dx, dh_prev, dc_prev, dWx, dWh, db)``.

    Compares with :func:`lstm_course.nn.lstm.lstm_step_backward` on ten inputs drawn from
    ``seed`` (float64 and float32, including N=1, D=1, H=1) and returns a
    :class:`~lstm_course.checks.Verdict` naming the first wrong entry with a hint tied to
    the likely mistake (forget gate left out of ``dc_prev``, the tanh(c) slope missing,
    the sigmoid slope taken twice, the gate blocks out of the order i, f, g, o, ...).
    The package's own code is off limits while ``fn`` runs, except :mod:`lstm_course.nn.activations`.
    """
    return run_check("lstm_step_backward", fn, lstm.lstm_step_backward, _lstm_step_cases, seed=seed,
                     outputs=_OUTPUTS, mistakes=_LSTM_STEP_MISTAKES,
                     allowed=ACTIVATIONS)
