"""The Chapter 8 checkers accept the reference, and reject realistic mistakes and calls to the answer."""
import numpy as np
import pytest

from lstm_course import checks
from lstm_course.models import charlm
from lstm_course.nn import readout


def correct_backward(logits, targets):
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(targets)), targets] -= 1.0
    return p


def forgets_the_target(logits, targets):
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def unstable_softmax(logits, targets):
    with np.errstate(over="ignore", invalid="ignore"):
        p = np.exp(logits)
        p = p / p.sum(axis=1, keepdims=True)
    p[np.arange(len(targets)), targets] -= 1.0
    return p


def averaged_over_rows(logits, targets):
    return correct_backward(logits, targets) / logits.shape[0]


def upcasts(logits, targets):
    return correct_backward(logits.astype(np.float64), targets)


def calls_the_reference(logits, targets):
    return readout.softmax_cross_entropy(logits, targets)[1]


def uses_package_softmax(logits, targets):
    p = readout.softmax(logits)
    p[np.arange(len(targets)), targets] -= 1.0
    return p


def test_backward_accepts_the_reference():
    verdict = checks.check_softmax_cross_entropy_backward(correct_backward)
    assert verdict, verdict.message


@pytest.mark.parametrize("wrong, hint", [(forgets_the_target, "onehot"), (averaged_over_rows, "do not divide"),
                                         (upcasts, "float32"), (unstable_softmax, "")])
def test_backward_rejects_mistakes(wrong, hint):
    verdict = checks.check_softmax_cross_entropy_backward(wrong)
    assert not verdict
    assert hint in verdict.message


@pytest.mark.parametrize("cheat", [calls_the_reference, uses_package_softmax, readout.softmax_cross_entropy_backward])
def test_backward_rejects_calls_to_the_answer(cheat):
    verdict = checks.check_softmax_cross_entropy_backward(cheat)
    assert not verdict
    assert "ran the course's" in verdict.message


def correct_sampler(logits, temperature, rng):
    scaled = logits / temperature
    p = np.exp(scaled - scaled.max())
    p /= p.sum()
    u = rng.random()
    return int(min(np.searchsorted(np.cumsum(p), u, side="right"), p.size - 1))


def loop_sampler(logits, temperature, rng):
    scaled = logits / temperature
    p = np.exp(scaled - scaled.max())
    p /= p.sum()
    u, total = rng.random(), 0.0
    for k, pk in enumerate(p):
        total += pk
        if total > u:
            return k
    return len(p) - 1


def times_temperature(logits, temperature, rng):
    return correct_sampler(logits * temperature, 1.0, rng)


def no_temperature(logits, temperature, rng):
    return correct_sampler(logits, 1.0, rng)


def greedy(logits, temperature, rng):
    return int(np.argmax(logits))


def unnormalised(logits, temperature, rng):
    p = np.exp(logits / temperature - (logits / temperature).max())
    return int(min(np.searchsorted(np.cumsum(p), rng.random(), side="right"), p.size - 1))


def calls_sampler(logits, temperature, rng):
    return charlm.sample_with_temperature(logits, temperature, rng)


@pytest.mark.parametrize("good", [correct_sampler, loop_sampler])
def test_sampling_accepts_correct_samplers(good):
    assert checks.check_sample_with_temperature(good)


@pytest.mark.parametrize("wrong", [times_temperature, no_temperature, greedy, unnormalised])
def test_sampling_rejects_mistakes(wrong):
    verdict = checks.check_sample_with_temperature(wrong)
    assert not verdict
    assert "expected" in verdict.message


def test_sampling_rejects_calling_the_answer():
    verdict = checks.check_sample_with_temperature(calls_sampler)
    assert not verdict
    assert "ran the course's" in verdict.message


def softmax_over_the_batch(logits, targets):
    p = np.exp(logits - logits.max(axis=0, keepdims=True))
    p /= p.sum(axis=0, keepdims=True)
    p[np.arange(len(targets)), targets] -= 1
    return p


def log_probabilities(logits, targets):
    shifted = logits - logits.max(axis=1, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    out[np.arange(len(targets)), targets] -= 1
    return out


def negative_gradient(logits, targets):
    return -correct_backward(logits, targets)


@pytest.mark.parametrize("wrong, hint", [
    (softmax_over_the_batch, "normalises each ROW"),
    (log_probabilities, "not the log-probabilities"),
    (negative_gradient, "negative gradient"),
    (unstable_softmax, "NaN"),
])
def test_backward_recognises_more_mistakes(wrong, hint):
    verdict = checks.check_softmax_cross_entropy_backward(wrong)
    assert not verdict
    assert hint in verdict.message
    assert "relative error nan" not in verdict.message


def one_based(logits, temperature, rng):
    return correct_sampler(logits, temperature, rng) + 1


def uniform(logits, temperature, rng):
    return int(rng.integers(len(logits)))


@pytest.mark.parametrize("wrong, hint", [
    (times_temperature, "divide the scores by the temperature"),
    (no_temperature, "temperature is missing"),
    (greedy, "argmax"),
    (unnormalised, "normalise the probabilities"),
    (one_based, "numbered from 0"),
    (uniform, "not uniformly"),
])
def test_sampling_recognises_each_mistake(wrong, hint):
    messages = [checks.check_sample_with_temperature(wrong, seed=seed).message for seed in range(3)]
    assert any(hint in message for message in messages), messages
