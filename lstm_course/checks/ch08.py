"""Checkers for the Chapter 8 exercises (the character language model)."""
import numpy as np

from lstm_course.checks._harness import ACTIVATIONS, Case, Mistake, run_check
from lstm_course.models import charlm
from lstm_course.nn import readout


def _logit_cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for dtype in (np.float64, np.float32):
        for N, V, scale in ((4, 6, 2.0), (1, 1, 1.0), (1, 5, 1.0), (3, 2, 3.0), (2, 4, 400.0)):
            logits = scale * rng.normal(size=(N, V))
            if scale > 100:   # one score per row above 710, where exp overflows even in float64
                logits[np.arange(N), rng.integers(0, V, size=N)] = rng.uniform(720.0, 800.0, size=N)
            targets = rng.integers(0, V, size=N)
            cases.append(Case(f"N={N}, V={V}, scores up to {np.abs(logits).max():.3g}, {np.dtype(dtype).name}",
                              (logits.astype(dtype), targets)))
    return cases


def _probabilities(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _one_hot(targets, like):
    out = np.zeros_like(like)
    out[np.arange(len(targets)), targets] = 1.0
    return out


def _forgets_the_target(logits, targets):
    return _probabilities(logits)


def _wrong_sign(logits, targets):
    return _one_hot(targets, logits) - _probabilities(logits)


def _averaged(logits, targets):
    return (_probabilities(logits) - _one_hot(targets, logits)) / logits.shape[0]


def _softmax_over_rows(logits, targets):
    e = np.exp(logits - logits.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True) - _one_hot(targets, logits)


def _log_softmax(logits, targets):
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)) - _one_hot(targets, logits)


_CE_MISTAKES = [
    Mistake("dlogits", _softmax_over_rows, "the softmax normalises each ROW (over the V scores of one "
            "example): use axis=1 (or -1), not axis=0."),
    Mistake("dlogits", _log_softmax, "the gradient uses the probabilities p = softmax(logits), not the "
            "log-probabilities."),
    Mistake("dlogits", _forgets_the_target,
            "the loss is -log p_y, so the target's own score also gets -1: dlogits = p - onehot(y)."),
    Mistake("dlogits", _wrong_sign, "that is the negative gradient: it should be p - onehot(y), not onehot(y) - p."),
    Mistake("dlogits", _averaged, "the summed loss is differentiated: do not divide by the number of rows."),
]


def check_softmax_cross_entropy_backward(fn, *, seed=None):
    """Check a student's ``softmax_cross_entropy_backward(logits, targets) -> dlogits``.

    Compares with :func:`lstm_course.nn.readout.softmax_cross_entropy_backward` on ten
    inputs drawn from ``seed`` (float64 and float32, V=1 and N=1 included, and rows with
    a score above 710, where exp overflows unless the largest score is subtracted first)
    and returns a :class:`~lstm_course.checks.Verdict`. The package's own code (its
    softmax and cross-entropy included) is off limits while ``fn`` runs.
    """
    return run_check("softmax_cross_entropy_backward", fn, readout.softmax_cross_entropy_backward,
                     _logit_cases, seed=seed, outputs=("dlogits",), mistakes=_CE_MISTAKES, allowed=ACTIVATIONS)


def _sampling_cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for index in range(32):   # V = 1 once; elsewhere a wrong temperature changes most draws
        V = 1 if index == 0 else (3, 8, 30)[index % 3]
        temperature = (0.25, 1.0, 3.0, 0.05)[index // 8]
        logits = rng.normal(scale=3.0, size=V)
        cases.append(Case(f"V={V}, temperature {temperature}, draw {index}",
                          (logits, temperature, np.random.default_rng(rng.integers(2 ** 32)))))
    return cases


def _inverse_cdf(p, rng):
    return int(min(np.searchsorted(np.cumsum(p), rng.random(), side="right"), p.size - 1))


def _draw(scale_logits=lambda logits, temperature: logits / temperature, normalise=True, shift=0):
    def draw(logits, temperature, rng):
        e = np.exp(scale_logits(logits, temperature) - np.max(scale_logits(logits, temperature)))
        return _inverse_cdf(e / e.sum() if normalise else e, rng) + shift
    return draw


_SAMPLING_MISTAKES = [
    Mistake("code", _draw(lambda logits, temperature: logits * temperature),
            "divide the scores by the temperature (logits / temperature): a temperature below 1 sharpens."),
    Mistake("code", _draw(lambda logits, temperature: logits),
            "the temperature is missing: sample from softmax(logits / temperature)."),
    Mistake("code", _draw(normalise=False),
            "normalise the probabilities (divide by their sum) before the cumulative sum."),
    Mistake("code", _draw(shift=1), "codes are numbered from 0: return the index of the character itself."),
    Mistake("code", lambda logits, temperature, rng: int(rng.integers(len(logits))),
            "draw from the softmax probabilities, not uniformly over the V codes."),
    Mistake("code", lambda logits, temperature, rng: int(np.argmax(logits)),
            "sample: draw u = rng.random() and invert the cumulative distribution; the most likely code "
            "(argmax) is a greedy choice, not a sample."),
]


def check_sample_with_temperature(fn, *, seed=None):
    """Check a student's ``sample_with_temperature(logits, temperature, rng) -> int``.

    The student's function must draw u = ``rng.random()`` once and return the first
    index whose cumulative probability exceeds u, so that with the same generator
    state it returns exactly what :func:`lstm_course.models.charlm.sample_with_temperature`
    returns. Runs 32 draws drawn from ``seed`` (V = 1 to 30, temperatures 0.05 to 3)
    and returns a :class:`~lstm_course.checks.Verdict`. The package's own code is off
    limits while ``fn`` runs.
    """
    return run_check("sample_with_temperature", fn, charlm.sample_with_temperature, _sampling_cases, seed=seed,
                     outputs=("code",), mistakes=_SAMPLING_MISTAKES, allowed=ACTIVATIONS, mutable=("rng",))
