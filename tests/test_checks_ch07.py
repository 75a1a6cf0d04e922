"""The Chapter 7 checkers accept correct code, and reject realistic mistakes and calls to the answer."""
import warnings

import numpy as np
import pytest

from lstm_course import checks
from lstm_course.data import autocorrelation as acf_module
from lstm_course.data import chunking

# --------------------------------------------------------------------------- stateful_sample_index

def keras_order(n_sequences, n_chunks, batch_size):
    sequence, chunk = [], []
    for group_start in range(0, n_sequences, batch_size):
        for c in range(n_chunks):
            sequence.extend(range(group_start, group_start + batch_size))
            chunk.extend([c] * batch_size)
    return np.array(sequence), np.array(chunk)


def sequence_major(n_sequences, n_chunks, batch_size):
    return np.repeat(np.arange(n_sequences), n_chunks), np.tile(np.arange(n_chunks), n_sequences)


def interleave_everything(n_sequences, n_chunks, batch_size):
    return np.tile(np.arange(n_sequences), n_chunks), np.repeat(np.arange(n_chunks), n_sequences)


def no_group_offset(n_sequences, n_chunks, batch_size):
    sequence, chunk = [], []
    for _ in range(0, n_sequences, batch_size):
        for c in range(n_chunks):
            sequence.extend(range(batch_size))
            chunk.extend([c] * batch_size)
    return np.array(sequence), np.array(chunk)


def chunks_from_one(n_sequences, n_chunks, batch_size):
    sequence, chunk = keras_order(n_sequences, n_chunks, batch_size)
    return sequence, chunk + 1


def order_calls_the_reference(n_sequences, n_chunks, batch_size):
    return chunking.stateful_sample_index(n_sequences, n_chunks, batch_size)


def order_read_off_the_sample_order(n_sequences, n_chunks, batch_size):
    labels = np.arange(n_sequences * n_chunks, dtype=float).reshape(n_sequences, n_chunks)
    flat = chunking.stateful_sample_order(labels, 1, batch_size)[:, 0].astype(int)
    return flat // n_chunks, flat % n_chunks


def test_order_accepts_a_correct_solution():
    verdict = checks.check_stateful_sample_index(keras_order)
    assert verdict, verdict.message


@pytest.mark.parametrize("wrong, hint", [
    (sequence_major, "sequence-major"),
    (interleave_everything, "groups of batch_size"),
    (no_group_offset, "group's offset"),
    (chunks_from_one, "numbered from 0"),
])
def test_order_rejects_a_plausible_mistake_with_its_hint(wrong, hint):
    verdict = checks.check_stateful_sample_index(wrong)
    assert not verdict
    assert hint in verdict.message


@pytest.mark.parametrize("cheat", [order_calls_the_reference, order_read_off_the_sample_order])
def test_order_calling_the_answer_is_rejected(cheat):
    verdict = checks.check_stateful_sample_index(cheat)
    assert not verdict
    assert "ran the course's" in verdict.message
    assert chunking.stateful_sample_index(2, 1, 1)[0].tolist() == [0, 1]    # restored afterwards


# --------------------------------------------------------------------------- autocorrelation

def acf(series, max_lag):
    x = np.asarray(series)
    x = x - x.mean()
    return np.array([np.sum(x[:len(x) - k] * x[k:]) for k in range(max_lag + 1)]) / np.sum(x * x)


def acf_with_correlate(series, max_lag):
    """A second correct solution, through np.correlate."""
    x = series - series.mean()
    full = np.correlate(x, x, mode="full")[len(x) - 1:]
    return (full[:max_lag + 1] / full[0]).astype(series.dtype)


def acf_unbiased(series, max_lag):
    x = series - series.mean()
    n = len(x)
    return np.array([x[:n - k] @ x[k:] / (n - k) for k in range(max_lag + 1)]) / (x @ x / n)


def acf_not_centred(series, max_lag):
    return np.array([series[:len(series) - k] @ series[k:] for k in range(max_lag + 1)]) / (series @ series)


def acf_pearson_per_lag(series, max_lag):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.array([1.0] + [np.corrcoef(series[:-k], series[k:])[0, 1] for k in range(1, max_lag + 1)])


def acf_off_by_one(series, max_lag):
    x = series - series.mean()
    return np.array([x[:len(x) - k - 1] @ x[k + 1:] for k in range(max_lag + 1)]) / (x @ x)


def acf_upcast(series, max_lag):
    return acf(np.asarray(series, dtype=np.float64), max_lag)


def acf_via_the_pacf_module(series, max_lag):
    return acf_module.autocorrelation(series, max_lag)


def test_acf_accepts_two_correct_solutions():
    assert checks.check_autocorrelation(acf)
    verdict = checks.check_autocorrelation(acf_with_correlate)
    assert verdict, verdict.message


@pytest.mark.parametrize("wrong, hint", [
    (acf_unbiased, "not by n - k"),
    (acf_not_centred, "subtract the mean"),
    (acf_pearson_per_lag, "np.corrcoef"),
    (acf_off_by_one, "r_0 = 1"),
    (acf_upcast, "float32"),
])
def test_acf_rejects_a_plausible_mistake_with_its_hint(wrong, hint):
    verdict = checks.check_autocorrelation(wrong)
    assert not verdict
    assert hint in verdict.message


def test_acf_calling_the_answer_is_rejected():
    verdict = checks.check_autocorrelation(acf_via_the_pacf_module)
    assert not verdict
    assert "ran the course's" in verdict.message


@pytest.mark.parametrize("checker", ["check_stateful_sample_index", "check_autocorrelation"])
def test_misuse_raises_a_clear_value_error(checker):
    with pytest.raises(ValueError, match="fn must be a function"):
        getattr(checks, checker)(42)


def returns_chunk_then_sequence(n_sequences, n_chunks, batch_size):
    sequence, chunk = keras_order(n_sequences, n_chunks, batch_size)
    return chunk, sequence


def sequences_from_one(n_sequences, n_chunks, batch_size):
    sequence, chunk = keras_order(n_sequences, n_chunks, batch_size)
    return sequence + 1, chunk


@pytest.mark.parametrize("wrong, hint", [
    (returns_chunk_then_sequence, "in that order"),
    (sequences_from_one, "sequences are numbered from 0"),
])
def test_order_recognises_more_mistakes(wrong, hint):
    verdict = checks.check_stateful_sample_index(wrong)
    assert not verdict
    assert hint in verdict.message


def acf_autocovariance(series, max_lag):
    x = series - series.mean()
    return np.array([x[:len(x) - k] @ x[k:] for k in range(max_lag + 1)]) / len(x)


def acf_one_lag_short(series, max_lag):
    return acf(series, max_lag)[:max_lag]


@pytest.mark.parametrize("wrong, hint", [
    (acf_autocovariance, "autocovariance"),
    (acf_one_lag_short, "max_lag + 1 values"),
])
def test_acf_recognises_more_mistakes(wrong, hint):
    verdict = checks.check_autocorrelation(wrong)
    assert not verdict
    assert hint in verdict.message
