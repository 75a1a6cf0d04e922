import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_course.models import charlm, recurrent
from lstm_course.nn import lstm, readout
from lstm_course.nn.gradcheck import check_gradients
from lstm_course.train import charlm_training, optim
from lstm_course.train.tbptt import engine
from lstm_course.train.tbptt.schedule import tbptt_schedule


def small_model(rng, V=7, H=4, dtype=np.float64):
    return recurrent.init_params("lstm", V, H, V, rng, forget_bias=1.0, dtype=dtype)


@settings(deadline=None, max_examples=30)
@given(N=st.integers(1, 3), T=st.integers(1, 4), V=st.integers(2, 6), seed=st.integers(0, 999))
def test_softmax_cross_entropy_gradient_and_value(N, T, V, seed):
    rng = np.random.default_rng(seed)
    logits, targets = 3 * rng.normal(size=(N, T, V)), rng.integers(0, V, size=(N, T))
    weights = rng.uniform(size=(N, T))
    loss, dlogits = readout.softmax_cross_entropy(logits, targets, weights)
    # Independent oracle: probabilities from the definition, in extended precision.
    p = np.exp(logits.astype(np.longdouble))
    p /= p.sum(axis=-1, keepdims=True)
    expected = -np.sum(weights * np.log(np.take_along_axis(p, targets[..., None], -1)[..., 0]))
    assert loss == pytest.approx(float(expected), rel=1e-12)
    errors = check_gradients(lambda logits: np.array(readout.softmax_cross_entropy(logits, targets, weights)[0]),
                             {"logits": logits}, {"logits": dlogits}, np.array(1.0), verbose=False)
    assert errors["logits"] <= 1e-7


def test_cross_entropy_is_stable_for_huge_scores():
    loss, dlogits = readout.softmax_cross_entropy(np.array([[1e4, 0.0, -1e4]]), np.array([1]))
    assert loss == pytest.approx(1e4) and np.allclose(dlogits, [[1.0, -1.0, 0.0]])
    assert np.allclose(readout.softmax(np.array([800.0, 800.0])), 0.5)


def test_loss_and_grads_gradient_check_with_state_and_weights():
    rng = np.random.default_rng(0)
    params = small_model(rng)
    x, y = rng.integers(0, 7, size=(2, 5)), rng.integers(0, 7, size=(2, 5))
    h0, c0 = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    weights = np.array([0, 1, 0, 1, 1.0])
    loss, grads = charlm.loss_and_grads(params, x, y, h0, c0, weights)
    errors = check_gradients(lambda **p: np.array(charlm.loss_and_grads(p, x, y, h0, c0, weights)[0]),
                             params, grads, np.array(1.0), verbose=False)
    assert max(errors.values()) <= 1e-7, errors


def test_float32_model_stays_float32():
    rng = np.random.default_rng(1)
    params = small_model(rng, dtype=np.float32)
    _, grads = charlm.loss_and_grads(params, rng.integers(0, 7, (2, 3)), rng.integers(0, 7, (2, 3)))
    assert all(g.dtype == np.float32 for g in grads.values())
    codes = rng.integers(0, 7, size=80)
    history = charlm_training.train(params, codes, codes[:20], 4, 6, optim.Adam(0.01), budget=200, batch_size=2,
                                    evaluations=1)
    assert all(value.dtype == np.float32 for value in params.values())
    assert all(value.dtype == np.float32 for value in history.best_params.values())


def test_bits_per_character_of_a_uniform_model_is_log2_V():
    V = 8
    params = {k: np.zeros_like(v) for k, v in small_model(0, V, 3).items()}
    assert charlm.evaluate_bpc(params, np.arange(50) % V, chunk=7) == pytest.approx(3.0)


def test_sampling_follows_the_tempered_distribution():
    logits = np.log(np.array([0.5, 0.3, 0.2]))
    rng = np.random.default_rng(0)
    for temperature in (0.5, 1.0, 2.0):
        draws = np.bincount([charlm.sample_with_temperature(logits, temperature, rng) for _ in range(4000)],
                            minlength=3) / 4000
        expected = np.array([0.5, 0.3, 0.2]) ** (1 / temperature)
        assert np.abs(draws - expected / expected.sum()).max() < 0.03


def test_sample_starts_with_the_prime_and_uses_the_vocabulary():
    vocab = charlm.build_vocabulary("abc de")
    text = charlm.sample(small_model(0, vocab.size), vocab, "ab", 30, 1.0, rng=1)
    assert text.startswith("ab") and len(text) == 32 and set(text) <= set("abc de")


def test_vocabulary_round_trip_and_unknown_character():
    vocab = charlm.build_vocabulary("hello world")
    assert vocab.decode(vocab.encode("world")) == "world" and vocab.size == 8
    with pytest.raises(ValueError, match="outside the vocabulary"):
        vocab.encode("xyz")


class Frozen:
    def step(self, params, grads):
        pass


@pytest.mark.parametrize("call, message", [
    (lambda p: readout.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])), "targets must hold codes"),
    (lambda p: readout.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.5, 1])), "integer character codes"),
    (lambda p: readout.softmax_cross_entropy(np.zeros((2, 3)), np.array([0])), "targets"),
    (lambda p: charlm.sample_with_temperature(np.zeros(3), 0.0), "temperature"),
    (lambda p: charlm.loss_and_grads({k: v for k, v in p.items() if k != "Wy"}, [[0]], [[0]]), "missing"),
    (lambda p: charlm.loss_and_grads(p, [[0, 1]], [[0]]), "shape"),
    (lambda p: charlm.bits_per_character(1.0, 0), "n_characters"),
    (lambda p: charlm_training.train(p, np.arange(100) % 7, np.arange(10) % 7, 5, 0, None, 10), "k2 must be >= 1"),
    (lambda p: charlm_training.train(p, np.arange(100) % 7, np.arange(10) % 7, 2, 3, None, 0), "budget"),
    (lambda p: charlm_training.train(p, np.arange(100) % 7, np.arange(10) % 7, 2, 3, Frozen(), 9, stateful=1),
     "stateful must be True or False"),
    (lambda p: charlm.check_model({**p, "Wy": p["Wy"][:, :3], "by": p["by"][:3]}), r"Wy'\] must have shape \(H, V\)"),
])
def test_bad_input_raises_a_helpful_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call(small_model(np.random.default_rng(0)))


class Recorder:
    """An optimiser that keeps the gradients it is given and leaves the weights alone."""

    def __init__(self):
        self.grads = []

    def step(self, params, grads):
        self.grads.append({name: value.copy() for name, value in grads.items()})


def one_epoch(N, T, k1, k2, resets=None):
    """Cell-steps of one pass: per update, the steps run forward since the last one plus those backpropagated."""
    schedule = tbptt_schedule(T, k1, k2, resets)
    previous = [0] + [t for t, _, _ in schedule[:-1]]
    return N * sum((t - w + 1) + (t - before) for (t, w, _), before in zip(schedule, previous))


def brute_force_windows(params, X, Y, k1, k2, stateful=True):
    """Each update's gradient straight from the definition, with the full-window charlm.loss_and_grads.

    The state entering the window w..t comes from a fresh forward pass over steps 1..w-1 (or is zero
    when the state is reset every k1 steps); the losses of steps first..t are injected.
    """
    T, V = X.shape[1], params["Wx"].shape[0]
    resets = None if stateful else np.arange(1 + k1, T + 1, k1)
    results = []
    for t, w, first in tbptt_schedule(T, k1, k2, resets):
        h0 = c0 = None
        if w > 1 and stateful:
            h, c, _ = lstm.lstm_forward(charlm.one_hot(X[:, :w - 1], V), None, None, params["Wx"], params["Wh"],
                                        params["b"])
            h0, c0 = h[:, -1], c[:, -1]
        weights = (np.arange(w, t + 1) >= first).astype(float)
        results.append(charlm.loss_and_grads(params, X[:, w - 1:t], Y[:, w - 1:t], h0, c0, weights))
    return results


@pytest.mark.parametrize("k1, k2, stateful", [(3, 7, True), (4, 4, True), (5, 2, True), (2, 5, False), (5, 5, False)])
def test_training_through_the_engine_equals_brute_force_windows(k1, k2, stateful):
    """k1 < k2 (overlapping windows), k1 = k2 and k1 > k2 (dropped losses), with the softmax head:
    with the weights held fixed, every update train() hands the optimiser is the brute-force gradient."""
    rng = np.random.default_rng(2)
    params = small_model(rng)
    codes = rng.integers(0, 7, size=200)
    X, Y = charlm_training.slot_streams(codes, 3, k1)
    recorder, resets = Recorder(), None if stateful else np.arange(1 + k1, X.shape[1] + 1, k1)
    budget = one_epoch(3, X.shape[1], k1, k2, resets)
    history = charlm_training.train(params, codes, codes[:20], k1, k2, recorder, budget, batch_size=3,
                                    stateful=stateful, evaluations=1, max_grad_norm=1e9, per_character_loss=False)
    expected = brute_force_windows(params, X, Y, k1, k2, stateful)
    assert len(recorder.grads) == len(expected) == len(history.train_bpc) == X.shape[1] // k1
    for grads, (loss, reference), bpc, (t, _, first) in zip(recorder.grads, expected, history.train_bpc,
                                                            tbptt_schedule(X.shape[1], k1, k2, resets)):
        assert max(np.max(np.abs(grads[name] - reference[name])) for name in reference) < 1e-12
        assert bpc == pytest.approx(charlm.bits_per_character(loss, 3 * (t - first + 1)), rel=1e-12)
    assert history.clipped_fraction == 0.0


def test_engine_softmax_gradients_match_brute_force_on_one_sequence():
    rng = np.random.default_rng(5)
    params = small_model(rng)
    X, Y = rng.integers(0, 7, size=(2, 11)), rng.integers(0, 7, size=(2, 11))
    for k1, k2 in ((2, 5), (3, 3), (4, 1)):
        updates = engine.tbptt_gradients(params, charlm.one_hot(X, 7), Y, k1, k2, head="softmax_cross_entropy")
        expected = brute_force_windows(params, X, Y, k1, k2)
        assert [t for t, _ in updates] == [t for t, _, _ in tbptt_schedule(11, k1, k2)]
        for (_, grads), (_, reference) in zip(updates, expected):
            assert max(np.max(np.abs(grads[name] - reference[name])) for name in reference) < 1e-12


def test_per_character_loss_divides_the_gradient_clipping_is_counted_and_the_best_weights_kept():
    rng = np.random.default_rng(4)
    params = small_model(rng)
    codes = rng.integers(0, 7, size=200)
    summed, per_character, clipped = Recorder(), Recorder(), Recorder()
    budget = one_epoch(3, 66, 3, 6)
    for recorder, per_char, threshold in ((summed, False, 1e9), (per_character, True, 1e9), (clipped, True, 1e-3)):
        history = charlm_training.train(params, codes, codes[:20], 3, 6, recorder, budget, batch_size=3,
                                        evaluations=1, max_grad_norm=threshold, per_character_loss=per_char)
        assert history.clipped_fraction == (1.0 if threshold < 1 else 0.0)
    for a, b, c in zip(summed.grads, per_character.grads, clipped.grads):   # 3 slots x 3 characters per update
        assert max(np.max(np.abs(a[name] / 9 - b[name])) for name in a) < 1e-14
        assert optim.global_norm(c) == pytest.approx(1e-3)
    trained = small_model(np.random.default_rng(4))
    run = charlm_training.train(trained, codes, codes[:40], 3, 6, optim.Adam(0.05), 4 * budget, batch_size=3,
                                evaluations=4)
    assert run.cell_steps[-1] >= 4 * budget and np.all(np.diff(run.cell_steps) > 0)
    best = int(np.argmin(run.valid_bpc))
    assert charlm.evaluate_bpc(run.best_params, codes[:40]) == pytest.approx(run.valid_bpc[best], rel=1e-12)
    assert run.best_params["Wx"] is not trained["Wx"]


def test_slot_streams_are_contiguous_slices():
    X, Y = charlm_training.slot_streams(np.arange(101), 4, 5)
    assert X.shape == (4, 25) and np.all(np.diff(X, axis=1) == 1) and np.all(Y == X + 1)
    assert list(X[:, 0]) == [0, 25, 50, 75]
