import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_course import models, sequences, tasks
from lstm_course.gradcheck import check_gradients
from lstm_course.optim import Adam


def test_as_samples_adds_feature_axis_and_keeps_3d():
    assert sequences.as_samples(np.zeros((100, 25))).shape == (100, 25, 1)
    assert sequences.as_samples(np.zeros((4, 7, 3)), timesteps=7).shape == (4, 7, 3)


def test_as_samples_rejects_cutting():
    with pytest.raises(ValueError, match="split_subsequences"):
        sequences.as_samples(np.zeros((4, 7)), timesteps=5)
    with pytest.raises(ValueError, match="series must have shape"):
        sequences.as_samples(np.zeros(7))


def test_split_subsequences_keeps_each_sequence_consecutive():
    X = np.arange(2 * 6, dtype=float).reshape(2, 6, 1)
    chunks = sequences.split_subsequences(X, 3)
    np.testing.assert_array_equal(chunks[..., 0], [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]])


def test_split_subsequences_pads_and_masks_when_asked():
    X = np.arange(1, 8, dtype=float).reshape(1, 7, 1)
    chunks, mask = sequences.split_subsequences(X, 3, pad=True)
    np.testing.assert_array_equal(chunks[..., 0], [[1, 2, 3], [4, 5, 6], [7, 0, 0]])
    np.testing.assert_array_equal(mask, [[1, 1, 1], [1, 1, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="pad=True"):
        sequences.split_subsequences(X, 3)


@settings(max_examples=25, deadline=None)
@given(groups=st.integers(1, 3), batch_size=st.integers(1, 4), n_chunks=st.integers(1, 5))
def test_stateful_order_continues_every_slot(groups, batch_size, n_chunks):
    N = groups * batch_size
    sequence, chunk = sequences.stateful_sample_index(N, n_chunks, batch_size)
    batches_seq = sequence.reshape(-1, batch_size)
    batches_chunk = chunk.reshape(-1, batch_size)
    for b in range(1, len(batches_seq)):
        if b % n_chunks:  # no reset: slot i continues the same sequence, one chunk later
            np.testing.assert_array_equal(batches_seq[b], batches_seq[b - 1])
            np.testing.assert_array_equal(batches_chunk[b], batches_chunk[b - 1] + 1)
        else:  # reset: new sequences start at chunk 0
            assert np.all(batches_chunk[b] == 0)
            assert not set(batches_seq[b]) & set(batches_seq[:b].ravel())
    # every (sequence, chunk) pair appears exactly once
    assert len(set(zip(sequence, chunk))) == N * n_chunks


def test_stateful_batches_yield_resets_and_shapes():
    X = np.arange(4 * 6, dtype=float).reshape(4, 6, 1)
    out = list(sequences.stateful_batches(X, 2 * X, timesteps=2, batch_size=2))
    assert [reset for _, _, reset in out] == [True, False, False, True, False, False]
    xb, yb, _ = out[1]
    assert xb.shape == (2, 2, 1)
    np.testing.assert_array_equal(xb[:, :, 0], [[2, 3], [8, 9]])
    np.testing.assert_array_equal(yb, 2 * xb)


def test_stateful_batches_reject_bad_sizes():
    X = np.zeros((5, 6, 1))
    with pytest.raises(ValueError, match="not a multiple of batch_size=2.*Options"):
        list(sequences.stateful_batches(X, X, timesteps=3, batch_size=2))
    with pytest.raises(ValueError, match="timesteps=4 must divide"):
        list(sequences.stateful_batches(X, X, timesteps=4, batch_size=5))


def test_stateful_forward_matches_full_sequences_only_in_stateful_order():
    rng = np.random.default_rng(0)
    params = models.init_params("lstm", 1, 3, 1, rng=1)
    X = rng.normal(size=(4, 12, 1))
    full = models.forward(params, X, "lstm")[1]["h"]
    good = sequences.stateful_forward(params, sequences.stateful_sample_order(X, 3, 4), 4, reset_every=4)
    index = sequences.stateful_sample_index(4, 4, 4)
    np.testing.assert_allclose(good, full.reshape(4, 4, 3, 3)[index], atol=1e-14)
    naive = sequences.stateful_forward(params, sequences.split_subsequences(X, 3), 4, reset_every=4)
    assert np.abs(naive - full.reshape(16, 3, 3)).max() > 1e-3
    one_by_one = sequences.stateful_forward(params, sequences.split_subsequences(X, 3), 1, reset_every=4)
    np.testing.assert_allclose(one_by_one, full.reshape(16, 3, 3), atol=1e-14)


def test_fit_stateful_whole_sequences_equals_full_bptt_updates():
    data = tasks.delay_task(4, 6, 2, rng=0)
    params = models.init_params("lstm", 1, 3, 1, rng=2)
    reference = {k: v.copy() for k, v in params.items()}
    sequences.fit_stateful(params, data.x, data.y, data.step_weights, 6, 4, Adam(0.01), 3)
    optimizer = Adam(0.01)
    for _ in range(3):
        optimizer.step(reference, models.loss_and_grads(reference, data.x, data.y, "lstm", data.step_weights)[1])
    for name in params:
        np.testing.assert_allclose(params[name], reference[name], atol=1e-12)


def test_pad_and_mask():
    X, mask = sequences.pad_and_mask([[1.0, 2.0], [3.0], [4.0, 5.0, 6.0]], value=-1.0)
    np.testing.assert_array_equal(X[..., 0], [[1, 2, -1], [3, -1, -1], [4, 5, 6]])
    np.testing.assert_array_equal(mask, [[1, 1, 0], [1, 0, 0], [1, 1, 1]])
    assert sequences.pad_and_mask([np.zeros((2, 3))], length=5)[0].shape == (1, 5, 3)
    with pytest.raises(ValueError, match="shorter than the longest"):
        sequences.pad_and_mask([[1.0, 2.0]], length=1)
    with pytest.raises(ValueError, match="features"):
        sequences.pad_and_mask([np.zeros((2, 3)), np.zeros((2, 2))])
    with pytest.raises(ValueError, match="empty"):
        sequences.pad_and_mask([])


def _padded_problem(seed=0):
    rng = np.random.default_rng(seed)
    lengths = [5, 2, 4]
    xs = [rng.normal(size=(T, 2)) for T in lengths]
    ys = [rng.normal(size=(T, 1)) for T in lengths]
    X, mask = sequences.pad_and_mask(xs)
    Y, _ = sequences.pad_and_mask(ys)
    return xs, ys, X, Y, mask


def test_masked_lstm_gradients():
    rng = np.random.default_rng(1)
    _, _, X, _, mask = _padded_problem()
    N, T, D = X.shape
    H = 3
    inputs = {"x": X, "h0": rng.normal(size=(N, H)), "c0": rng.normal(size=(N, H)),
              "Wx": rng.normal(size=(D, 4 * H)) * 0.5, "Wh": rng.normal(size=(H, 4 * H)) * 0.5,
              "b": rng.normal(size=4 * H) * 0.5}
    dh = rng.normal(size=(N, T, H))

    def f(x, h0, c0, Wx, Wh, b):
        return sequences.masked_lstm_forward(x, mask, h0, c0, Wx, Wh, b)[0]

    _, _, cache = sequences.masked_lstm_forward(inputs["x"], mask, inputs["h0"], inputs["c0"],
                                                inputs["Wx"], inputs["Wh"], inputs["b"])
    grads = dict(zip(("x", "h0", "c0", "Wx", "Wh", "b"), sequences.masked_lstm_backward(dh, cache)))
    errors = check_gradients(f, inputs, grads, dh, verbose=False)
    assert max(errors.values()) <= 1e-7, errors


def test_masked_steps_freeze_state():
    _, _, X, _, mask = _padded_problem()
    params = models.init_params("lstm", 2, 3, 1, rng=0)
    h, c, _ = sequences.masked_lstm_forward(X, mask, None, None, params["Wx"], params["Wh"], params["b"])
    np.testing.assert_array_equal(h[1, 1:], np.broadcast_to(h[1, 1], (4, 3)))
    np.testing.assert_array_equal(c[2, 3:], c[2, 3:4].repeat(2, axis=0))


def test_masked_loss_equals_unpadded_sequences():
    xs, ys, X, Y, mask = _padded_problem()
    params = models.init_params("lstm", 2, 3, 1, rng=0, forget_bias=1.0)
    loss, grads = sequences.masked_loss_and_grads(params, X, Y, mask)
    pieces = [models.loss_and_grads(params, x[None], y[None], "lstm") for x, y in zip(xs, ys)]
    assert loss == pytest.approx(sum(p[0] for p in pieces), rel=1e-12)
    for name in grads:
        np.testing.assert_allclose(grads[name], sum(p[1][name] for p in pieces), atol=1e-12)


def test_masked_training_equals_training_on_unpadded_sequences():
    xs, ys, X, Y, mask = _padded_problem(3)
    padded = models.init_params("lstm", 2, 4, 1, rng=5)
    unpadded = {k: v.copy() for k, v in padded.items()}
    opt_padded, opt_unpadded = Adam(0.05), Adam(0.05)
    for _ in range(5):
        opt_padded.step(padded, sequences.masked_loss_and_grads(padded, X, Y, mask)[1])
        per_sequence = [models.loss_and_grads(unpadded, x[None], y[None], "lstm")[1] for x, y in zip(xs, ys)]
        opt_unpadded.step(unpadded, {name: sum(g[name] for g in per_sequence) for name in unpadded})
    for name in padded:
        np.testing.assert_allclose(padded[name], unpadded[name], atol=1e-12)


def test_mask_must_be_binary_and_shaped():
    _, _, X, Y, mask = _padded_problem()
    params = models.init_params("lstm", 2, 3, 1, rng=0)
    with pytest.raises(ValueError, match="only 0"):
        sequences.masked_loss_and_grads(params, X, Y, mask * 0.5)
    with pytest.raises(ValueError, match="mask must have shape"):
        sequences.masked_loss_and_grads(params, X, Y, mask[:, :2])


def _ar1(phi, n, seed):
    rng = np.random.default_rng(seed)
    x = np.empty(n)
    x[0] = rng.normal() / np.sqrt(1 - phi ** 2)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + rng.normal()
    return x


def test_durbin_levinson_on_ar1_closed_form():
    phi = 0.7
    pacf = sequences.durbin_levinson(phi ** np.arange(8))
    np.testing.assert_allclose(pacf, [1, phi, 0, 0, 0, 0, 0, 0], atol=1e-12)


def test_sample_acf_and_pacf_of_ar1():
    phi, n = 0.6, 20000
    series = _ar1(phi, n, 0)
    acf = sequences.autocorrelation(series, 6)
    pacf = sequences.partial_autocorrelation(series, 6)
    bound = 4 / np.sqrt(n)
    np.testing.assert_allclose(acf, phi ** np.arange(7), atol=bound)
    assert pacf[1] == pytest.approx(phi, abs=bound)
    assert np.all(np.abs(pacf[2:]) < bound)


def test_pacf_equals_last_yule_walker_coefficient():
    series = _ar1(0.5, 500, 1)
    acf = sequences.autocorrelation(series, 5)
    pacf = sequences.partial_autocorrelation(series, 5)
    for k in range(1, 6):
        toeplitz = acf[np.abs(np.subtract.outer(np.arange(k), np.arange(k)))]
        assert pacf[k] == pytest.approx(np.linalg.solve(toeplitz, acf[1:k + 1])[-1], abs=1e-12)


def test_acf_bad_inputs():
    with pytest.raises(ValueError, match="max_lag must be smaller"):
        sequences.autocorrelation(np.arange(5.0), 5)
    with pytest.raises(ValueError, match="constant"):
        sequences.autocorrelation(np.ones(10), 2)


def test_suggest_window_length_finds_the_season():
    series = tasks.seasonal_ar(1, 5000, 12, rng=0).x[0, :, 0]
    window, significant = sequences.suggest_window_length(series, 24)
    assert window == 12 and 12 in significant


def test_sentence_samples_pad_each_sentence():
    samples = sequences.sentence_samples()
    assert len(samples.sentences) == samples.ids.shape[0] == 5
    words = [len(s.split()) for s in samples.sentences]
    np.testing.assert_array_equal(samples.mask.sum(axis=1), words)
    assert np.all(samples.ids[samples.mask == 0] == 0) and np.all(samples.ids[samples.mask == 1] >= 1)
    chars = sequences.sentence_samples(level="char")
    np.testing.assert_array_equal(chars.mask.sum(axis=1), [len(s) for s in chars.sentences])
    with pytest.raises(ValueError, match="level"):
        sequences.sentence_samples(level="byte")


def test_window_sum_task():
    delay, window = tasks.delay_task(3, 9, 1, rng=4), tasks.window_sum_task(3, 9, 1, rng=4)
    for a, b in zip(delay, window):
        np.testing.assert_array_equal(a, b)
    data = tasks.window_sum_task(2, 10, 3, rng=0)
    for t in range(3, 10):
        np.testing.assert_allclose(data.y[:, t], data.x[:, t - 3:t].sum(axis=1), atol=1e-14)
    with pytest.raises(ValueError, match="window must be smaller"):
        tasks.window_sum_task(2, 4, 4)


def test_grid_search_shapes_and_padding():
    result = sequences.grid_search_timesteps(lambda rng: tasks.delay_task(8, 12, 2, rng), [4, 5, 12],
                                             repeats=3, hidden_size=4, n_epochs=2, batch_size=4)
    assert result.scores.shape == (3, 3)
    np.testing.assert_allclose(result.mean, result.scores.mean(axis=1))
    np.testing.assert_allclose(result.std, result.scores.std(axis=1))
    assert np.all(np.isfinite(result.scores))
    with pytest.raises(ValueError, match="<= T=12"):
        sequences.grid_search_timesteps(lambda rng: tasks.delay_task(8, 12, 2, rng), [13], repeats=2)


def test_fit_stateful_equals_the_tbptt_engine_with_k1_equal_k2():
    from lstm_course.tbptt import TBPTTTrainer

    data = tasks.delay_task(4, 12, 2, rng=1)
    stateful = models.init_params("lstm", 1, 3, 1, rng=3, forget_bias=1.0)
    engine = {k: v.copy() for k, v in stateful.items()}
    sequences.fit_stateful(stateful, data.x, data.y, data.step_weights, 3, 4, Adam(0.02), 1)
    TBPTTTrainer(engine, Adam(0.02), 3, 3).fit_stream([data])
    for name in engine:
        np.testing.assert_allclose(stateful[name], engine[name], atol=1e-12)


def test_r_squared_is_zero_for_the_mean_prediction():
    data = tasks.delay_task(3, 6, 1, rng=0)
    params = models.init_params("lstm", 1, 2, 1, rng=0)
    params["Wy"][:] = 0.0
    mean = np.sum(data.step_weights[..., None] * data.y) / data.step_weights.sum()
    params["by"][:] = mean
    assert sequences.r_squared(params, data) == pytest.approx(0.0, abs=1e-12)
