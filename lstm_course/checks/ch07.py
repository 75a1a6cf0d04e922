"""Checkers for the Chapter 7 exercises (the stateful sample order, autocorrelation)."""
import warnings

import numpy as np

from lstm_course.checks._harness import ACTIVATIONS, Case, Mistake, run_check
from lstm_course.data import autocorrelation as acf
from lstm_course.data import chunking

# --------------------------------------------------------------------------- stateful sample order


def _as_float_index(result):
    """(sequence, chunk) integer arrays -> a dict of float arrays, so a wrong order can be matched to a hint."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError("return two integer arrays (sequence, chunk)")
    arrays = {"sequence": np.asarray(result[0]), "chunk": np.asarray(result[1])}
    for name, array in arrays.items():
        if array.dtype.kind not in "iuf":
            raise TypeError(f"return two integer arrays (sequence, chunk); your {name} has dtype {array.dtype}")
    return {name: array.astype(float) for name, array in arrays.items()}


def _reference_index(n_sequences, n_chunks, batch_size):
    return _as_float_index(chunking.stateful_sample_index(n_sequences, n_chunks, batch_size))


def _students_index(result, args):
    return _as_float_index(result)


def _sequence_major(N, C, B):
    return {"sequence": np.repeat(np.arange(N), C).astype(float), "chunk": np.tile(np.arange(C), N).astype(float)}


def _time_major_over_all(N, C, B):
    return {"sequence": np.tile(np.arange(N), C).astype(float), "chunk": np.repeat(np.arange(C), N).astype(float)}


def _no_group_offset(N, C, B):
    group, chunk, slot = np.meshgrid(np.arange(N // B), np.arange(C), np.arange(B), indexing="ij")
    return {"sequence": np.broadcast_to(slot, group.shape).ravel().astype(float), "chunk": chunk.ravel().astype(float)}


_ORDER_MISTAKES = [
    Mistake("sequence", lambda N, C, B: _sequence_major(N, C, B)["sequence"],
            "this is the sequence-major order of split_subsequences: with batch_size > 1 the slots of one batch "
            "then hold chunks of the same sequence, and slot i of the next batch continues the wrong sequence."),
    Mistake("sequence", lambda N, C, B: _time_major_over_all(N, C, B)["sequence"],
            "interleaving all sequences works only when batch_size = n_sequences: with fewer slots, take the "
            "sequences in groups of batch_size and finish one group's chunks before starting the next."),
    Mistake("sequence", lambda N, C, B: _no_group_offset(N, C, B)["sequence"],
            "slot i of group g holds sequence g * batch_size + i: add the group's offset."),
    Mistake("chunk", lambda N, C, B: _sequence_major(N, C, B)["chunk"] + 1,
            "chunks are numbered from 0, like the rows of the array."),
    Mistake("sequence", lambda N, C, B: _reference_index(N, C, B)["chunk"],
            "return (sequence, chunk) in that order: the first array holds the sequence of each position."),
    Mistake("sequence", lambda N, C, B: _reference_index(N, C, B)["sequence"] + 1,
            "sequences are numbered from 0, like the rows of the array."),
]


def _index_cases(seed):
    rng = np.random.default_rng(seed)
    triples = [(4, 4, 4), (5, 2, 1), (1, 1, 1), (1, 6, 1), (8, 1, 4)]
    while len(triples) < 10:
        B, groups, C = int(rng.integers(2, 5)), int(rng.integers(2, 4)), int(rng.integers(2, 7))
        triples.append((B * groups, C, B))
    return [Case(f"n_sequences={N}, n_chunks={C}, batch_size={B}", (N, C, B)) for N, C, B in triples]


def check_stateful_sample_index(fn, *, seed=None):
    """Check a student's ``stateful_sample_index(n_sequences, n_chunks, batch_size) -> (sequence, chunk)``.

    Compares with :func:`lstm_course.data.chunking.stateful_sample_index` on ten cases (one
    sequence, one chunk, batch size 1 and n_sequences, and five drawn from ``seed``) and
    returns a :class:`~lstm_course.checks.Verdict`. The package's own code is off limits
    while ``fn`` runs.
    """
    return run_check("stateful_sample_index", fn, _reference_index, _index_cases, seed=seed,
                     outputs=("sequence", "chunk"), mistakes=_ORDER_MISTAKES, allowed=ACTIVATIONS,
                     convert=_students_index)


# --------------------------------------------------------------------------- autocorrelation


def _centred(series):
    return series - series.mean()


def _unbiased(series, max_lag):
    x = _centred(series)
    n = len(x)
    return np.array([x[:n - k] @ x[k:] / (n - k) for k in range(max_lag + 1)]) / (x @ x / n)


def _not_centred(series, max_lag):
    return np.array([series[:len(series) - k] @ series[k:] for k in range(max_lag + 1)]) / (series @ series)


def _pearson_per_lag(series, max_lag):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.array([1.0] + [np.corrcoef(series[:len(series) - k], series[k:])[0, 1]
                             for k in range(1, max_lag + 1)])


def _shifted_by_one(series, max_lag):
    x = _centred(series)
    n = len(x)
    return np.array([x[:n - k - 1] @ x[k + 1:] for k in range(max_lag + 1)]) / (x @ x)


def _autocovariance(series, max_lag):
    x = _centred(series)
    return np.array([x[:len(x) - k] @ x[k:] for k in range(max_lag + 1)]) / len(x)


def _one_lag_short(series, max_lag):
    return acf.autocorrelation(series, max_lag)[:max_lag]


_ACF_MISTAKES = [
    Mistake("acf", _autocovariance, "that is the autocovariance: divide every lag by the lag-0 sum x @ x, "
            "so that r_0 = 1."),
    Mistake("acf", _one_lag_short, "return max_lag + 1 values: the lags 0, 1, ..., max_lag (r_0 = 1 included)."),
    Mistake("acf", _unbiased, "divide every lag by the same sum over all n terms (the biased estimator), not by "
            "n - k: the autocorrelation must stay positive semi-definite and r_k -> 0 for large k."),
    Mistake("acf", _not_centred, "subtract the mean of the series before multiplying."),
    Mistake("acf", _pearson_per_lag, "one mean and one variance for the whole series: np.corrcoef of the two "
            "overlapping pieces re-estimates both per lag."),
    Mistake("acf", _shifted_by_one, "r_k pairs x_t with x_{t+k}; r_0 = 1 pairs every value with itself."),
]


def _acf_cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    ar = np.zeros(300)
    noise = rng.normal(size=300)
    for t in range(1, 300):
        ar[t] = 0.7 * ar[t - 1] + noise[t]
    white = rng.normal(size=50)
    seasonal = np.sin(np.arange(120) * 2 * np.pi / 12) + rng.normal(size=120)
    for label, series, max_lag in [("AR(1), n=300", ar + 2.0, 10),
                                   ("white noise, n=50", white, 7),
                                   ("seasonal, n=120", seasonal, 24),
                                   ("n=3, max_lag=1", np.array([1.0, 3.0, 2.0]), 1),
                                   ("max_lag = n - 1", rng.normal(size=6) + 5.0, 5),
                                   ("float32, n=40", rng.normal(size=40).astype(np.float32), 6)]:
        cases.append(Case(label, (series, max_lag)))
    return cases


def check_autocorrelation(fn, *, seed=None):
    """Check a student's ``autocorrelation(series, max_lag) -> ndarray (max_lag + 1,)``.

    Compares with :func:`lstm_course.data.autocorrelation.autocorrelation` (the biased
    estimator, r_0 = 1) on six series drawn from ``seed``, including an AR(1) with a
    non-zero mean, max_lag = n - 1 and float32, and returns a
    :class:`~lstm_course.checks.Verdict`. The package's own code is off limits while ``fn`` runs.
    """
    return run_check("autocorrelation", fn, acf.autocorrelation, _acf_cases, seed=seed, outputs=("acf",),
                     mistakes=_ACF_MISTAKES, allowed=ACTIVATIONS)
