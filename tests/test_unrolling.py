"""Tests for lstm_course.lab.unrolling: tied layers, per-copy gradients, activation memory."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from lstm_course import plots  # noqa: E402
from lstm_course.data import tasks  # noqa: E402
from lstm_course.lab import unrolling  # noqa: E402
from lstm_course.models import recurrent  # noqa: E402
from lstm_course.nn import lstm, rnn  # noqa: E402
from lstm_course.nn.gradcheck import numerical_gradient, rel_error  # noqa: E402


def make_rnn(seed, N=3, T=5, D=2, H=4):
    rng = np.random.default_rng(seed)
    weights = (rng.normal(size=(D, H)), 0.6 * rng.normal(size=(H, H)), 0.1 * rng.normal(size=H))
    return rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), weights


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), N=st.integers(1, 4), T=st.integers(1, 9), D=st.integers(1, 3),
       H=st.integers(1, 5))
def test_unrolled_layers_equal_recurrent_loop(seed, N, T, D, H):
    x, h0, (Wx, Wh, b) = make_rnn(seed, N, T, D, H)
    layers = unrolling.unroll(T, Wx, Wh, b)
    h_loop, _ = rnn.rnn_forward(x, h0, Wx, Wh, b)
    # Same arithmetic, summed in another order (the fast path adds b to x_t Wx first): a few ulps apart.
    np.testing.assert_allclose(unrolling.run_unrolled(layers, x, h0), h_loop, rtol=0, atol=1e-14)


def test_layers_share_one_set_of_weights_and_see_in_place_updates():
    x, h0, (Wx, Wh, b) = make_rnn(0)
    layers = unrolling.unroll(x.shape[1], Wx, Wh, b)
    assert unrolling.distinct_weight_buffers(layers) == {"Wx": 1, "Wh": 1, "b": 1}
    Wh -= 0.1  # one in-place update
    assert all(layer.Wh is Wh for layer in layers)
    np.testing.assert_allclose(unrolling.run_unrolled(layers, x, h0), rnn.rnn_forward(x, h0, Wx, Wh, b)[0],
                               rtol=0, atol=1e-12)


def test_untied_layers_are_counted_as_separate_buffers():
    _, _, (Wx, Wh, b) = make_rnn(1)
    layers = [unrolling.TiedLayer(t, Wx, Wh.copy(), b) for t in range(3)]
    assert unrolling.distinct_weight_buffers(layers) == {"Wx": 1, "Wh": 3, "b": 1}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), T=st.integers(1, 8))
def test_per_copy_gradients_sum_to_rnn_backward(seed, T):
    x, h0, (Wx, Wh, b) = make_rnn(seed, T=T)
    h, cache = rnn.rnn_forward(x, h0, Wx, Wh, b)
    dh = np.random.default_rng(seed + 1).normal(size=h.shape)
    per_step = unrolling.per_step_gradients(dh, cache)
    dx, dh0, dWx, dWh, db = rnn.rnn_backward(dh, cache)
    for mine, reference in [(per_step["dWx"].sum(0), dWx), (per_step["dWh"].sum(0), dWh),
                            (per_step["db"].sum(0), db), (per_step["dx"], dx), (per_step["dh0"], dh0)]:
        np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-13)
    assert per_step["dWh"].shape == (T, *Wh.shape)


def test_per_copy_gradients_sum_to_numerical_gradient_of_shared_weight():
    x, h0, (Wx, Wh, b) = make_rnn(2)
    h, cache = rnn.rnn_forward(x, h0, Wx, Wh, b)
    dh = np.random.default_rng(3).normal(size=h.shape)
    per_step = unrolling.per_step_gradients(dh, cache)
    numeric = {"Wx": numerical_gradient(lambda W: rnn.rnn_forward(x, h0, W, Wh, b)[0], Wx.copy(), dh),
               "Wh": numerical_gradient(lambda W: rnn.rnn_forward(x, h0, Wx, W, b)[0], Wh.copy(), dh),
               "b": numerical_gradient(lambda v: rnn.rnn_forward(x, h0, Wx, Wh, v)[0], b.copy(), dh)}
    for name, grad in numeric.items():
        assert rel_error(per_step["d" + name].sum(axis=0), grad) <= 1e-7
    # The mean of the copies (the "average the copies" recipe) is off by the factor T.
    assert rel_error(per_step["dWh"].mean(axis=0), numeric["Wh"]) > 0.5


def test_each_copy_contribution_is_the_derivative_wrt_that_copy_alone():
    x, h0, (Wx, Wh, b) = make_rnn(4, T=4)
    h, cache = rnn.rnn_forward(x, h0, Wx, Wh, b)
    dh = np.ones_like(h)
    per_step = unrolling.per_step_gradients(dh, cache)
    for t in range(4):
        def run_with_copy_t(Wh_t, t=t):
            layers = [unrolling.TiedLayer(s, Wx, Wh_t if s == t else Wh, b) for s in range(4)]
            return unrolling.run_unrolled(layers, x, h0)
        assert rel_error(per_step["dWh"][t], numerical_gradient(run_with_copy_t, Wh.copy(), dh)) <= 1e-7


def test_total_error_at_last_step_is_the_injected_error():
    x, h0, (Wx, Wh, b) = make_rnn(5)
    h, cache = rnn.rnn_forward(x, h0, Wx, Wh, b)
    dh = np.zeros_like(h)
    dh[:, -1] = 1.0
    total = unrolling.per_step_gradients(dh, cache)["dh_total"]
    np.testing.assert_array_equal(total[:, -1], dh[:, -1])
    assert np.all(np.linalg.norm(total[:, :-1], axis=(0, 2)) > 0)  # error flows back to every step


def test_backward_reads_previous_state_and_matches_step_cache():
    x, h0, (Wx, Wh, b) = make_rnn(6)
    _, cache = rnn.rnn_forward(x, h0, Wx, Wh, b)
    assert unrolling.backward_reads(cache, 0)["h_prev"] == ("h0", None)
    assert unrolling.backward_reads(cache, 3)["h_prev"] == ("h", 2)
    assert unrolling.backward_reads(cache, 3)["x"] == ("x", 3)
    for t in (0, 3):   # the listing of reads and the step-cache rule of rnn.py agree entry by entry
        step = rnn.step_cache(cache, t)
        for entry, (name, index) in unrolling.backward_reads(cache, t).items():
            expected = cache[name] if index is None else cache[name][:, index]
            assert step[entry] is expected or np.array_equal(step[entry], expected)
    assert rnn.step_cache(cache, 3)["Wh"] is cache["Wh"]


@pytest.mark.parametrize("cell, per_step", [("rnn", lambda N, D, H: 8 * N * (D + H)),
                                            ("lstm", lambda N, D, H: 8 * N * (D + 7 * H))])
def test_activation_memory_grows_exactly_linearly(cell, per_step):
    lengths = np.array([10, 20, 50, 100, 1000])
    measured = unrolling.measure_activation_memory(lengths, cell, batch_size=2, input_size=3, hidden_size=5,
                                                   rng=0)
    slopes = np.diff(measured) / np.diff(lengths)
    assert np.all(slopes == per_step(2, 3, 5))
    np.testing.assert_array_equal(measured, measured[0] + per_step(2, 3, 5) * (lengths - lengths[0]))


def test_activation_bytes_counts_cache_without_weights_and_halves_in_float32():
    x, h0, (Wx, Wh, b) = make_rnn(7)
    _, cache = rnn.rnn_forward(x, h0, Wx, Wh, b)
    assert unrolling.activation_bytes(cache) == x.nbytes + h0.nbytes + cache["h"].nbytes
    _, _, lstm_cache = lstm.lstm_forward(np.zeros((2, 4, 3)), None, None, np.zeros((3, 8)), np.zeros((2, 8)),
                                         np.zeros(8))
    assert unrolling.activation_bytes(lstm_cache) == 8 * (2 * 4 * 3 + 2 * 2 * 2 + 7 * 2 * 4 * 2)
    pair = [unrolling.measure_activation_memory([30], "rnn", dtype=dtype, rng=0)[0]
            for dtype in (np.float64, np.float32)]
    assert pair[0] == 2 * pair[1]


def test_bad_inputs_raise_value_error():
    x, h0, (Wx, Wh, b) = make_rnn(8)
    _, cache = rnn.rnn_forward(x, h0, Wx, Wh, b)
    with pytest.raises(ValueError, match="T must be"):
        unrolling.unroll(0, Wx, Wh, b)
    with pytest.raises(ValueError, match="Wh must have shape"):
        unrolling.unroll(3, Wx, Wh[:, :2], b)
    with pytest.raises(ValueError, match="len\\(layers\\)"):
        unrolling.run_unrolled(unrolling.unroll(2, Wx, Wh, b), x, h0)
    with pytest.raises(ValueError, match="layers is empty"):
        unrolling.run_unrolled([], x, h0)
    with pytest.raises(ValueError, match="h0 must have shape"):
        unrolling.run_unrolled(unrolling.unroll(5, Wx, Wh, b), x, h0[:, :2])
    with pytest.raises(ValueError, match="t must be <= "):
        unrolling.backward_reads(cache, 5)
    with pytest.raises(ValueError, match="cache is not a cache of rnn_forward"):
        unrolling.per_step_gradients(np.zeros((3, 5, 4)), {"x": x})
    with pytest.raises(ValueError, match="dh must have shape"):
        unrolling.per_step_gradients(np.zeros((3, 4, 4)), cache)
    with pytest.raises(ValueError, match="cache must be the dict returned by"):
        unrolling.activation_bytes([1, 2])
    with pytest.raises(ValueError, match="cell must be"):
        unrolling.measure_activation_memory([10], "gru")
    with pytest.raises(ValueError, match="lengths"):
        unrolling.measure_activation_memory([10, 0])


def test_figures_draw_and_reject_bad_sizes():
    axes = plots.draw_unrolled(3)
    assert len(axes) == 2
    texts = {text.get_text() for text in axes[1].texts}
    assert {"$x(1)$", "$h(2)$", "$y(3)$"} <= texts
    assert "$u(1)$" in {text.get_text() for text in plots.draw_unrolled(2, state_symbol="u")[1].texts}
    with pytest.raises(ValueError, match="T must be <= 12"):
        plots.draw_unrolled(13)
    memory = plots.activation_memory([10, 100], {"RNN": [2**20, 3 * 2**20]})
    np.testing.assert_allclose(memory.get_lines()[0].get_ydata(), [1.0, 3.0])      # drawn in MiB
    bars = plots.per_step_contributions(np.ones((4, 2, 2)), total=2 * np.ones((2, 2)))
    assert [patch.get_height() for patch in bars.patches] == [2.0] * 4            # ||ones(2, 2)|| = 2
    assert bars.get_lines()[0].get_ydata()[0] == 4.0                                # ||2 ones(2, 2)|| = 4
    plt.close("all")


def test_error_per_step_many_to_one_injects_only_at_last_step():
    params = recurrent.init_params("rnn", 1, 6, 1, rng=0)
    data = tasks.noisy_sine(4, 12, rng=1)
    last_only = np.zeros(12)
    last_only[-1] = 1.0
    flow = unrolling.error_per_step(params, data.x, data.y, last_only)
    assert np.all(flow["injected"][:-1] == 0) and flow["injected"][-1] > 0
    assert flow["total"][-1] == pytest.approx(flow["injected"][-1])
    assert np.all(flow["total"][:-1] > 0)
    yhat = recurrent.forward(params, data.x, "rnn")[0]
    assert flow["loss"] == pytest.approx(recurrent.squared_error(yhat, data.y, last_only)[0])


def test_error_per_step_rejects_step_weights_of_the_wrong_length():
    params = recurrent.init_params("rnn", 1, 4, 1, rng=0)
    with pytest.raises(ValueError, match="step_weights"):
        unrolling.error_per_step(params, np.zeros((2, 5, 1)), np.zeros((2, 5, 1)), np.ones(4))
