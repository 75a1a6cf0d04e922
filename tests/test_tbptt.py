"""Proofs that lstm_course.train.tbptt.engine computes exact TBPTT(k1, k2) gradients."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_course.models import recurrent
from lstm_course.nn import rnn
from lstm_course.online import rtrl
from lstm_course.train import optim
from lstm_course.train.tbptt import engine, recipe, schedule


def max_difference(grads_a, grads_b):
    return max(float(np.max(np.abs(grads_a[name] - grads_b[name]))) for name in recurrent.PARAM_NAMES)


def make_problem(cell, N, T, D, H, O, seed):
    rng = np.random.default_rng(seed)
    params = recurrent.init_params(cell, D, H, O, rng, forget_bias=1.0 if cell == "lstm" else 0.0)
    return params, rng.normal(size=(N, T, D)), rng.normal(size=(N, T, O))


def brute_force(params, x, y, k1, k2, cell):
    """Recompute every window from scratch, straight from the definition.

    Update times k1, 2k1, ..., plus T; window w = max(1, t - k2 + 1); losses from
    max(w, previous update + 1) to t; the state entering w comes from a fresh
    forward pass over steps 1..w-1 and is passed as a constant h0/c0.
    """
    T = x.shape[1]
    times = list(range(k1, T + 1, k1))
    if not times or times[-1] != T:
        times.append(T)
    results, previous = [], 0
    for t in times:
        w = 1 if k2 is None else max(1, t - k2 + 1)
        h0 = c0 = None
        if w > 1:
            _, cache = recurrent.forward(params, x[:, :w - 1], cell)
            h0 = cache["h"][:, -1]
            c0 = cache["layer"]["c"][:, -1] if cell == "lstm" else None
        weights = np.zeros(t - w + 1)
        weights[max(w, previous + 1) - w:] = 1.0
        _, grads = recurrent.loss_and_grads(params, x[:, w - 1:t], y[:, w - 1:t], cell, weights, h0, c0)
        results.append((t, grads))
        previous = t
    return results


@pytest.mark.parametrize("cell", recurrent.CELLS)
def test_untruncated_single_update_equals_full_bptt(cell):
    params, x, y = make_problem(cell, 3, 9, 2, 4, 2, seed=0)
    _, full = recurrent.loss_and_grads(params, x, y, cell)
    [(t, grads)] = engine.tbptt_gradients(params, x, y, 9, 9, cell)
    assert t == 9
    assert max_difference(grads, full) < 1e-12


@pytest.mark.parametrize("cell", recurrent.CELLS)
def test_k1_one_without_truncation_equals_rtrl_at_every_step(cell):
    params, x, y = make_problem(cell, 2, 8, 3, 3, 2, seed=1)
    h0, c0 = np.random.default_rng(2).normal(size=(2, 2, 3))
    c0 = c0 if cell == "lstm" else None
    updates = engine.tbptt_gradients(params, x, y, 1, None, cell, h0, c0)
    reference = rtrl.rtrl_gradients(params, x, y, cell, h0, c0)
    assert [t for t, _ in updates] == list(range(1, 9))
    for t, grads in updates:
        assert max_difference(grads, reference[t - 1]) < 1e-12


@pytest.mark.parametrize("cell", recurrent.CELLS)
def test_equal_k_is_keras_stateful_windows_with_detached_state(cell):
    params, x, y = make_problem(cell, 2, 12, 2, 3, 1, seed=3)
    k = 4
    h = c = None
    for (t, grads), start in zip(engine.tbptt_gradients(params, x, y, k, k, cell), range(0, 12, k)):
        window_x, window_y = x[:, start:start + k], y[:, start:start + k]
        _, keras_grads = recurrent.loss_and_grads(params, window_x, window_y, cell, h0=h, c0=c)
        assert t == start + k
        assert max_difference(grads, keras_grads) < 1e-12
        # Carry the state into the next window as a constant (stateful=True plus detach).
        _, cache = recurrent.forward(params, window_x, cell, h, c)
        h = cache["h"][:, -1]
        c = cache["layer"]["c"][:, -1] if cell == "lstm" else None


@given(cell=st.sampled_from(recurrent.CELLS), N=st.integers(1, 3), T=st.integers(1, 13), D=st.integers(1, 3),
       H=st.integers(1, 4), O=st.integers(1, 2), k1=st.integers(1, 15),
       k2=st.one_of(st.none(), st.integers(1, 15)), seed=st.integers(0, 10_000))
def test_matches_brute_force_recomputation(cell, N, T, D, H, O, k1, k2, seed):
    params, x, y = make_problem(cell, N, T, D, H, O, seed)
    updates = engine.tbptt_gradients(params, x, y, k1, k2, cell)
    reference = brute_force(params, x, y, k1, k2, cell)
    assert [t for t, _ in updates] == [t for t, _ in reference]
    for (_, grads), (_, expected) in zip(updates, reference):
        assert max_difference(grads, expected) < 1e-11


@pytest.mark.parametrize("k1, k2", [(5, 2), (3, 1), (4, 6)])
def test_explicit_edge_cases_match_brute_force(k1, k2):
    """k1 > k2 (dropped losses), k2 = 1, and T = 11 not a multiple of k1 (partial last block)."""
    params, x, y = make_problem("lstm", 2, 11, 2, 3, 2, seed=4)
    for (t, grads), (t_ref, expected) in zip(engine.tbptt_gradients(params, x, y, k1, k2),
                                             brute_force(params, x, y, k1, k2, "lstm")):
        assert t == t_ref
        assert max_difference(grads, expected) < 1e-12


def test_schedule_semantics():
    assert schedule.tbptt_schedule(10, 4, 2) == [(4, 3, 3), (8, 7, 7), (10, 9, 9)]
    assert schedule.tbptt_schedule(10, 3, 5) == [(3, 1, 1), (6, 2, 4), (9, 5, 7), (10, 6, 10)]
    assert schedule.tbptt_schedule(5, 1, None) == [(t, 1, t) for t in range(1, 6)]
    # A reset at step 5 starts a new sequence: its own clock, no window crossing it.
    assert schedule.tbptt_schedule(10, 3, 5, resets=[5]) == [(3, 1, 1), (4, 1, 4), (7, 5, 5), (10, 6, 8)]


@pytest.mark.parametrize("T, k1, k2", [(12, 4, 4), (12, 1, 12), (12, 3, 1), (12, 3, 6), (11, 5, 2)])
def test_cost_summary_matches_closed_forms(T, k1, k2):
    cost = schedule.cost_summary(T, k1, k2)
    times = [t for t, _, _ in schedule.tbptt_schedule(T, k1, k2)]
    assert cost.n_updates == -(-T // k1)
    assert cost.backward_steps == tuple(min(t, k2) for t in times)
    assert cost.stored_steps == min(k2, T)
    assert cost.dropped_losses == (T // k1) * max(0, k1 - k2) + max(0, T % k1 - k2)


def irregular_chunks(x, y, sizes):
    start = 0
    for size in sizes:
        yield x[:, start:start + size], y[:, start:start + size]
        start += size


@pytest.mark.parametrize("cell, k1, k2", [("lstm", 3, 5), ("rnn", 4, 2), ("lstm", 2, None)])
def test_streaming_trainer_with_zero_learning_rate_gives_the_exact_gradients(cell, k1, k2):
    params, x, y = make_problem(cell, 2, 17, 2, 3, 2, seed=5)
    expected = engine.tbptt_gradients(params, x, y, k1, k2, cell)
    streamed = []
    trainer = engine.TBPTTTrainer(params, optim.SGD(0.0), k1, k2, cell)
    history = trainer.fit_stream(irregular_chunks(x, y, [1, 5, 2, 7, 2]),
                                 on_update=lambda t, loss, grads: streamed.append((t, grads)))
    assert [t for t, _ in streamed] == [t for t, _ in expected] == list(history.update_times)
    for (_, grads), (_, reference) in zip(streamed, expected):
        assert max_difference(grads, reference) == 0.0


def test_streaming_losses_sum_to_the_injected_losses():
    params, x, y = make_problem("lstm", 2, 10, 1, 3, 1, seed=6)
    history = engine.TBPTTTrainer(params, None, 3, 3).fit_stream([(x, y)])
    full_loss, _ = recurrent.loss_and_grads(params, x, y, "lstm")
    assert np.isclose(history.losses.sum(), full_loss)
    assert history.n_targets.sum() == 2 * 10


@pytest.mark.parametrize("cell", recurrent.CELLS)
@pytest.mark.parametrize("as_flags", [False, True])
def test_reset_equals_processing_the_sequences_separately(cell, as_flags):
    params, x, y = make_problem(cell, 2, 13, 2, 3, 2, seed=7)
    first = 6                     # the second sequence starts at step 7
    k1, k2 = 4, 5
    resets = np.arange(1, 14) == first + 1 if as_flags else [first + 1]
    together = engine.tbptt_gradients(params, x, y, k1, k2, cell, resets=resets)
    apart = engine.tbptt_gradients(params, x[:, :first], y[:, :first], k1, k2, cell)
    apart += [(t + first, grads) for t, grads in
              engine.tbptt_gradients(params, x[:, first:], y[:, first:], k1, k2, cell)]
    assert [t for t, _ in together] == [t for t, _ in apart] == [4, 6, 10, 13]
    for (_, grads), (_, reference) in zip(together, apart):
        assert max_difference(grads, reference) < 1e-12


@pytest.mark.parametrize("cell", recurrent.CELLS)
def test_training_with_equal_k_matches_a_keras_style_loop(cell):
    """With k1 = k2 the windows do not overlap, so each update is per-window BPTT with the
    weights of that moment, and the next window runs forward with the updated weights.
    (T is a multiple of k: a partial last block's window would reach back k2 steps.)"""
    params, x, y = make_problem(cell, 2, 16, 2, 3, 1, seed=8)
    reference = {name: value.copy() for name, value in params.items()}
    engine.TBPTTTrainer(params, optim.SGD(0.05), 4, 4, cell).fit_stream(irregular_chunks(x, y, [3, 6, 7]))
    sgd, h, c = optim.SGD(0.05), None, None
    for start in range(0, 16, 4):
        window_x, window_y = x[:, start:start + 4], y[:, start:start + 4]
        _, cache = recurrent.forward(reference, window_x, cell, h, c)
        _, grads = recurrent.loss_and_grads(reference, window_x, window_y, cell, h0=h, c0=c)
        h = cache["h"][:, -1]
        c = cache["layer"]["c"][:, -1] if cell == "lstm" else None
        sgd.step(reference, grads)
    assert max_difference(params, reference) < 1e-12
    assert max_difference(params, make_problem(cell, 2, 16, 2, 3, 1, seed=8)[0]) > 1e-3


def overlapping_reference(params, x, y, k1, k2, learning_rate, backward_weights):
    """Step-by-step RNN TBPTT(k1, k2) training written out with the public step functions.

    Each step runs forward with the weights of that moment (copied, so later updates cannot
    change them); the backward pass pairs those stored activations with the weight matrices
    named by ``backward_weights``: "current" (the trainer's choice) or "stored".
    """
    params = {name: value.copy() for name, value in params.items()}
    sgd, h, stored, previous = optim.SGD(learning_rate), np.zeros((x.shape[0], params["Wh"].shape[0])), [], 0
    T = x.shape[1]
    for t in range(1, T + 1):
        h, cache = rnn.rnn_step_forward(x[:, t - 1], h, params["Wx"].copy(), params["Wh"].copy(), params["b"])
        stored.append((cache, y[:, t - 1]))
        if t % k1 and t != T:
            continue
        grads = {name: np.zeros_like(value) for name, value in params.items()}
        dh_next = np.zeros_like(h)
        for s in range(t, max(1, t - k2 + 1) - 1, -1):
            cache, target = stored[s - 1]
            dh = dh_next
            if s > previous:
                residual = cache["h"] @ params["Wy"] + params["by"] - target
                grads["Wy"] += cache["h"].T @ residual
                grads["by"] += residual.sum(axis=0)
                dh = dh + residual @ params["Wy"].T
            if backward_weights == "current":
                cache = dict(cache, Wx=params["Wx"], Wh=params["Wh"])
            _, dh_next, dWx, dWh, db = rnn.rnn_step_backward(dh, cache)
            grads["Wx"] += dWx
            grads["Wh"] += dWh
            grads["b"] += db
        sgd.step(params, grads)
        previous = t
    return params


def test_overlapping_windows_reuse_stored_activations_with_current_weights():
    params, x, y = make_problem("rnn", 2, 11, 2, 3, 1, seed=10)
    trained = {name: value.copy() for name, value in params.items()}
    engine.TBPTTTrainer(trained, optim.SGD(0.3), 2, 5, "rnn").fit_stream(irregular_chunks(x, y, [4, 4, 3]))
    current = overlapping_reference(params, x, y, 2, 5, 0.3, "current")
    stored = overlapping_reference(params, x, y, 2, 5, 0.3, "stored")
    assert max_difference(trained, current) < 1e-12
    assert max_difference(trained, stored) > 1e-6      # the choice is visible, and documented


def test_stale_gradient_recipe_is_exact_until_windows_overlap_then_wrong():
    params, x, y = make_problem("lstm", 2, 8, 2, 3, 1, seed=9)
    stale = recipe.stale_gradient_recipe(params, x, y, 1, 3)
    exact = engine.tbptt_gradients(params, x, y, 1, 3)
    differences = [max_difference(a, b) for (_, a), (_, b) in zip(stale, exact)]
    assert max(differences[:2]) < 1e-12      # the first two windows never revisit a stored leaf
    assert min(differences[2:]) > 1e-3       # from the third update on, stale .grad leaks in
    # Without overlap (k1 >= k2) and with one loss per update the recipe is exact.
    for (_, a), (_, b) in zip(recipe.stale_gradient_recipe(params, x, y, 2, 2),
                              engine.tbptt_gradients(params, x, y, 1, 2)[1::2]):
        assert max_difference(a, b) < 1e-12


@pytest.mark.parametrize("kwargs, message", [
    ({"k1": 0, "k2": 2}, "k1 must be >= 1"),
    ({"k1": 2, "k2": 0}, "k2 must be >= 1"),
    ({"k1": 2.0, "k2": 2}, "k1 must be a positive integer"),
    ({"k1": 2, "k2": 1.5}, "k2 must be a positive integer"),
    ({"k1": True, "k2": 2}, "k1 must be a positive integer"),
])
def test_bad_truncation_lengths(kwargs, message):
    params, x, y = make_problem("lstm", 1, 4, 1, 2, 1, seed=0)
    with pytest.raises(ValueError, match=message):
        engine.tbptt_gradients(params, x, y, **kwargs)
    with pytest.raises(ValueError, match=message):
        schedule.tbptt_schedule(4, **kwargs)


def test_bad_shapes():
    params, x, y = make_problem("lstm", 2, 4, 3, 2, 1, seed=0)
    with pytest.raises(ValueError, match=r"y must have shape \(N, T, O\)"):
        engine.tbptt_gradients(params, x, y[:, :3], 2, 2)
    with pytest.raises(ValueError, match=r"x must have shape \(N, T, D\)"):
        engine.tbptt_gradients(params, x[:, :, :2], y, 2, 2)
    with pytest.raises(ValueError, match="x must be a 3-D array"):
        engine.tbptt_gradients(params, x[0], y, 2, 2)
    with pytest.raises(ValueError, match="params must be a dict"):
        engine.tbptt_gradients({"Wx": params["Wx"]}, x, y, 2, 2)
    with pytest.raises(ValueError, match="resets flags must have one entry per step"):
        engine.tbptt_gradients(params, x, y, 2, 2, resets=np.zeros(3, dtype=bool))
    with pytest.raises(ValueError, match="resets must hold 1-based steps"):
        engine.tbptt_gradients(params, x, y, 2, 2, resets=[0])


def test_inconsistent_stream_chunks():
    params, x, y = make_problem("rnn", 2, 6, 1, 3, 1, seed=0)
    trainer = engine.TBPTTTrainer(params, None, 2, 2, "rnn")
    with pytest.raises(ValueError, match=r"chunk 1 x must have shape \(N, T_chunk, D\)"):
        trainer.fit_stream([(x, y), (x[:1], y[:1])])
    with pytest.raises(ValueError, match=r"chunk 0 y must have shape \(N, T_chunk, O\)"):
        trainer.fit_stream([(x, y[:, :2])])
    with pytest.raises(ValueError, match="must be a tuple"):
        trainer.fit_stream([x])
    with pytest.raises(ValueError, match="stream is empty"):
        trainer.fit_stream([])
    with pytest.raises(ValueError, match="optimizer must have a step"):
        engine.TBPTTTrainer(params, "sgd", 2, 2, "rnn")


def test_float32_stays_float32_even_with_float64_targets():
    params, x, y = make_problem("lstm", 2, 9, 2, 3, 1, seed=11)
    params = {name: value.astype(np.float32) for name, value in params.items()}
    seen = []
    engine.TBPTTTrainer(params, optim.Adam(0.01), 3, 5).fit_stream(
        [(x.astype(np.float32), y)], on_update=lambda t, loss, grads: seen.append(grads))
    assert all(grad.dtype == np.float32 for grads in seen for grad in grads.values())
    assert all(value.dtype == np.float32 for value in params.values())


def test_the_callback_sees_the_new_weights_and_the_history_its_losses_and_norms():
    params, x, y = make_problem("lstm", 2, 10, 2, 3, 1, seed=12)
    before = {name: value.copy() for name, value in params.items()}
    seen = []

    def watch(t, loss, grads):
        seen.append((t, loss, optim.global_norm(grads), max_difference(params, before)))

    trainer = engine.TBPTTTrainer(params, optim.SGD(0.1), 4, 6, max_grad_norm=1e-3)
    history = trainer.fit_stream([(x, y)], on_update=watch)
    assert [t for t, *_ in seen] == history.update_times.tolist() == [4, 8, 10]
    assert all(moved > 0 for *_, moved in seen)                  # called after the optimiser step
    np.testing.assert_allclose(history.losses, [loss for _, loss, _, _ in seen], rtol=1e-12)
    np.testing.assert_allclose(history.grad_norms, [norm for _, _, norm, _ in seen], rtol=1e-12)
    assert history.clipped_fraction(1e-3) == 1.0 and history.clipped_fraction(1e9) == 0.0
    empty = engine.TBPTTTrainer(params, None, 4, 6).fit_stream([(x, y)], record=False)
    assert empty.update_times.size == empty.losses.size == empty.grad_norms.size == 0


def test_loss_per_target_divides_each_update_by_its_number_of_targets():
    params, x, y = make_problem("rnn", 3, 11, 2, 3, 2, seed=13)
    summed, mean = [], []
    for per_target, log in ((False, summed), (True, mean)):
        engine.TBPTTTrainer(params, None, 4, 6, "rnn", loss_per_target=per_target).fit_stream(
            [(x, y)], on_update=lambda t, loss, grads, log=log: log.append((loss, grads)))
    for (loss, grads), (mean_loss, mean_grads), n_injected in zip(summed, mean, [4, 4, 3]):
        assert mean_loss == pytest.approx(loss / (3 * n_injected))
        assert max_difference(mean_grads, {k: v / (3 * n_injected) for k, v in grads.items()}) < 1e-14


def test_stored_bytes_is_the_ring_buffer_and_memory_does_not_grow_with_the_stream():
    import sys

    params, x, y = make_problem("lstm", 2, 7, 2, 3, 1, seed=14)
    stored = {}
    for k2 in (4, 5, 6):
        trainer = engine.TBPTTTrainer(params, None, 2, k2)
        trainer.fit_stream([(x, y)])
        assert len(trainer.stream.buffer) == k2
        stored[k2] = trainer.stored_bytes()
    assert stored[6] - stored[5] == stored[5] - stored[4] > 0        # one step's cache, targets and weights
    trainer, blocks = engine.TBPTTTrainer(params, optim.Adam(0.001), 2, 5), {}

    def watch(t, loss, grads):
        if t // 2 in (200, 1200):
            blocks[t // 2] = sys.getallocatedblocks()

    trainer.fit_stream(((x, y) for _ in range(400)), on_update=watch, record=False)
    assert blocks[1200] - blocks[200] < 50, blocks      # 1000 more updates, no more memory
