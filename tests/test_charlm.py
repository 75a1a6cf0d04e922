import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_course.data import corpus
from lstm_course.models import charlm
from lstm_course.nn import lstm
from lstm_course.nn.gradcheck import check_gradients
from lstm_course.train import charlm_training
from lstm_course.train.tbptt.schedule import tbptt_schedule


def small_model(rng, V=7, H=4, dtype=np.float64):
    return charlm.init_params(V, H, rng, dtype=dtype)


@settings(deadline=None, max_examples=30)
@given(N=st.integers(1, 3), T=st.integers(1, 4), V=st.integers(2, 6), seed=st.integers(0, 999))
def test_softmax_cross_entropy_gradient_and_value(N, T, V, seed):
    rng = np.random.default_rng(seed)
    logits, targets = 3 * rng.normal(size=(N, T, V)), rng.integers(0, V, size=(N, T))
    weights = rng.uniform(size=(N, T))
    loss, dlogits = charlm.softmax_cross_entropy(logits, targets, weights)
    # Independent oracle: probabilities from the definition, in extended precision.
    p = np.exp(logits.astype(np.longdouble))
    p /= p.sum(axis=-1, keepdims=True)
    expected = -np.sum(weights * np.log(np.take_along_axis(p, targets[..., None], -1)[..., 0]))
    assert loss == pytest.approx(float(expected), rel=1e-12)
    errors = check_gradients(lambda logits: np.array(charlm.softmax_cross_entropy(logits, targets, weights)[0]),
                             {"logits": logits}, {"logits": dlogits}, np.array(1.0), verbose=False)
    assert errors["logits"] <= 1e-7


def test_cross_entropy_is_stable_for_huge_scores():
    loss, dlogits = charlm.softmax_cross_entropy(np.array([[1e4, 0.0, -1e4]]), np.array([1]))
    assert loss == pytest.approx(1e4) and np.allclose(dlogits, [[1.0, -1.0, 0.0]])
    assert np.allclose(charlm.softmax(np.array([800.0, 800.0])), 0.5)


def test_loss_and_grads_gradient_check_with_state_and_weights():
    rng = np.random.default_rng(0)
    params = small_model(rng)
    x, y = rng.integers(0, 7, size=(2, 5)), rng.integers(0, 7, size=(2, 5))
    h0, c0 = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    weights = np.array([0, 1, 0, 1, 1.0])
    loss, grads, _ = charlm.loss_and_grads(params, x, y, h0, c0, weights)
    errors = check_gradients(lambda **p: np.array(charlm.loss_and_grads(p, x, y, h0, c0, weights)[0]),
                             params, grads, np.array(1.0), verbose=False)
    assert max(errors.values()) <= 1e-7, errors


def test_float32_model_stays_float32():
    rng = np.random.default_rng(1)
    params = small_model(rng, dtype=np.float32)
    loss, grads, (h, c) = charlm.loss_and_grads(params, rng.integers(0, 7, (2, 3)), rng.integers(0, 7, (2, 3)))
    assert h.dtype == c.dtype == np.float32 and all(g.dtype == np.float32 for g in grads.values())


def test_bits_per_character_of_a_uniform_model_is_log2_V():
    V = 8
    params = charlm.init_params(V, 3, 0)
    params = {k: np.zeros_like(v) for k, v in params.items()}
    assert charlm.evaluate_bpc(params, np.arange(50) % V, chunk=7) == pytest.approx(3.0)


def test_baselines_match_hand_counts():
    train, valid = np.array([0, 1, 0, 1, 0, 2]), np.array([0, 1, 2])
    # unigram with alpha=1: counts 3+1, 2+1, 1+1 over 9; valid targets are 1 and 2.
    assert charlm.unigram_bpc(train, valid, 3) == pytest.approx(-(np.log2(3 / 9) + np.log2(2 / 9)) / 2)
    # bigram with alpha=0: p(1|0) = 2/3, p(2|1) = 0 -> infinite, so use alpha=1 on the rows.
    p10, p21 = (2 + 1) / (3 + 3), (0 + 1) / (2 + 3)
    assert charlm.bigram_bpc(train, valid, 3, alpha=1.0) == pytest.approx(-(np.log2(p10) + np.log2(p21)) / 2)


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
    text = charlm.sample(charlm.init_params(vocab.size, 4, 0), vocab, "ab", 30, 1.0, rng=1)
    assert text.startswith("ab") and len(text) == 32 and set(text) <= set("abc de")


def test_vocabulary_round_trip_and_unknown_character():
    vocab = charlm.build_vocabulary("hello world")
    assert vocab.decode(vocab.encode("world")) == "world" and vocab.size == 8
    with pytest.raises(ValueError, match="outside the vocabulary"):
        vocab.encode("xyz")


@pytest.mark.parametrize("call, message", [
    (lambda p: charlm.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])), "targets must hold codes"),
    (lambda p: charlm.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.5, 1])), "integer character codes"),
    (lambda p: charlm.softmax_cross_entropy(np.zeros((2, 3)), np.array([0])), "targets"),
    (lambda p: charlm.sample_with_temperature(np.zeros(3), 0.0), "temperature"),
    (lambda p: charlm.loss_and_grads({k: v for k, v in p.items() if k != "Wy"}, [[0]], [[0]]), "missing"),
    (lambda p: charlm.loss_and_grads(p, [[0, 1]], [[0]]), "shape"),
    (lambda p: charlm.bits_per_character(1.0, 0), "n_characters"),
    (lambda p: corpus.train_validation_split("abc", 1.5), "validation_fraction"),
    (lambda p: charlm_training.train(p, np.arange(100) % 7, np.arange(10) % 7, 5, 3, None, 10), "k1 <= k2"),
    (lambda p: charlm_training.train(p, np.arange(100) % 7, np.arange(10) % 7, 2, 3, None, 0), "budget"),
])
def test_bad_input_raises_a_helpful_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call(small_model(np.random.default_rng(0)))


class Frozen:
    def step(self, params, grads):
        pass


@pytest.mark.parametrize("k1, k2", [(4, 4), (3, 6), (2, 5)])
def test_stateful_tbptt_with_frozen_weights_sees_one_continuous_stream(k1, k2):
    """Oracle: with fixed weights, carrying the state equals one forward pass over each slot's stream."""
    rng = np.random.default_rng(2)
    params = small_model(rng)
    codes = rng.integers(0, 7, size=200)
    X, Y = charlm_training.slot_streams(codes, 3, k1)
    one_epoch = 3 * sum(t - w + 1 for t, w, _ in tbptt_schedule(X.shape[1], k1, k2))
    history = charlm_training.train(params, codes, codes[:20], k1, k2, Frozen(), budget=one_epoch, batch_size=3,
                                    evaluations=1, max_grad_norm=1e9)
    h, _, _ = lstm.lstm_forward(charlm.one_hot(X, 7), None, None, params["Wx"], params["Wh"], params["b"])
    logits = h @ params["Wy"] + params["by"]
    per_step = np.array([charlm.softmax_cross_entropy(logits[:, t], Y[:, t])[0] for t in range(X.shape[1])])
    expected = per_step.reshape(-1, k1).sum(axis=1) / (3 * k1 * np.log(2))
    np.testing.assert_allclose(history.train_bpc[:expected.size], expected, rtol=1e-10)


def test_reset_every_window_forgets_the_state():
    rng = np.random.default_rng(3)
    params = small_model(rng)
    codes = rng.integers(0, 7, size=60)
    history = charlm_training.train(params, codes, codes[:20], 5, 5, Frozen(), budget=50, batch_size=2,
                                    stateful=False, evaluations=1)
    X, Y = charlm_training.slot_streams(codes, 2, 5)
    loss, _, _ = charlm.loss_and_grads(params, X[:, 5:10], Y[:, 5:10])  # second window from a zero state
    assert history.train_bpc[1] == pytest.approx(charlm.bits_per_character(loss, 10), rel=1e-12)


def test_slot_streams_are_contiguous_slices():
    X, Y = charlm_training.slot_streams(np.arange(101), 4, 5)
    assert X.shape == (4, 25) and np.all(np.diff(X, axis=1) == 1) and np.all(Y == X + 1)
    assert list(X[:, 0]) == [0, 25, 50, 75]


def test_course_text_snapshot_and_extraction(tmp_path):
    text = corpus.load_course_text()
    assert len(text) >= 100_000 and text.isascii()
    (tmp_path / "intro.md").write_text("# Title\n\n```python\ncode\n```\nSee {term}`hidden state`.\n"
                                       "````{exercise} X\n:label: ex\nDo it.\n````\n")
    chapter = tmp_path / "chapters" / "01_x"
    chapter.mkdir(parents=True)
    notebook = {"cells": [{"cell_type": "markdown", "source": ["Caf\u00e9 \u2605 prose"]},
                          {"cell_type": "code", "source": ["x = 1"]}]}
    (chapter / "a.ipynb").write_text(__import__("json").dumps(notebook))
    extracted = corpus.extract_course_text(str(tmp_path))
    assert extracted == "# Title\n\nSee hidden state.\nDo it.\n\nCafe  prose\n"
    with pytest.raises(ValueError, match="root"):
        corpus.extract_course_text(str(chapter))
