"""The fast sequence paths equal stepping the readable step functions the book prints.

``lstm_forward``/``lstm_backward`` and ``rnn_forward``/``rnn_backward`` use a
time-major layout, one product for the input projection and single products for
the weight gradients; the oracle here is a plain loop over
``lstm_step_forward``/``lstm_step_backward`` (and the RNN's), to 1e-12 in float64.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_course.nn.lstm import lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward
from lstm_course.nn.rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

ATOL = 1e-12


def assert_close(got, want, name=""):
    """Equal to 1e-12, relative to the array's largest entry when that exceeds 1 (sums over many steps)."""
    scale = max(1.0, float(np.abs(want).max()))
    assert np.abs(got - want).max() <= ATOL * scale, (name, np.abs(got - want).max(), scale)
sizes = st.integers(1, 5)


def stepped_lstm(x, h0, c0, Wx, Wh, b, dh, dc):
    T = x.shape[1]
    h, c, caches, hs, cs = h0, c0, [], [], []
    for t in range(T):
        h, c, cache = lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
        caches.append(cache)
        hs.append(h)
        cs.append(c)
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh_next, dc_next = np.zeros_like(h0), np.zeros_like(c0)
    for t in reversed(range(T)):
        dx[:, t], dh_next, dc_next, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t] + dh_next, dc[:, t] + dc_next, caches[t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return np.stack(hs, 1), np.stack(cs, 1), (dx, dh_next, dc_next, dWx, dWh, db)


def stepped_rnn(x, h0, Wx, Wh, b, dh):
    T = x.shape[1]
    h, caches, hs = h0, [], []
    for t in range(T):
        h, cache = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        caches.append(cache)
        hs.append(h)
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        dx[:, t], dh_next, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dh_next, caches[t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return np.stack(hs, 1), (dx, dh_next, dWx, dWh, db)


def random_problem(seed, N, T, D, H, gates):
    rng = np.random.default_rng(seed)
    return rng, {"x": rng.normal(size=(N, T, D)), "h0": rng.normal(size=(N, H)),
                 "Wx": rng.normal(size=(D, gates * H)), "Wh": rng.normal(scale=0.7 / np.sqrt(H), size=(H, gates * H)),
                 "b": rng.normal(size=gates * H)}


@settings(max_examples=60, deadline=None)
@given(N=sizes, T=st.integers(1, 40), D=sizes, H=sizes, with_dc=st.booleans(), seed=st.integers(0, 2**16))
def test_lstm_fast_path_equals_stepping(N, T, D, H, with_dc, seed):
    rng, p = random_problem(seed, N, T, D, H, 4)
    p["c0"] = rng.normal(size=(N, H))
    dh, dc = rng.normal(size=(N, T, H)), rng.normal(size=(N, T, H))
    h, c, cache = lstm_forward(p["x"], p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"])
    grads = lstm_backward(dh, cache, dc if with_dc else None)
    h_ref, c_ref, grads_ref = stepped_lstm(p["x"], p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"], dh,
                                           dc if with_dc else np.zeros_like(dc))
    np.testing.assert_allclose(h, h_ref, rtol=0, atol=ATOL)
    np.testing.assert_allclose(c, c_ref, rtol=0, atol=ATOL)
    for name, got, want in zip(("dx", "dh0", "dc0", "dWx", "dWh", "db"), grads, grads_ref):
        assert_close(got, want, name)


@settings(max_examples=60, deadline=None)
@given(N=sizes, T=st.integers(1, 40), D=sizes, H=sizes, seed=st.integers(0, 2**16))
def test_rnn_fast_path_equals_stepping(N, T, D, H, seed):
    rng, p = random_problem(seed, N, T, D, H, 1)
    dh = rng.normal(size=(N, T, H))
    h, cache = rnn_forward(**p)
    h_ref, grads_ref = stepped_rnn(**p, dh=dh)
    np.testing.assert_allclose(h, h_ref, rtol=0, atol=ATOL)
    for name, got, want in zip(("dx", "dh0", "dWx", "dWh", "db"), rnn_backward(dh, cache), grads_ref):
        assert_close(got, want, name)


def test_cache_views_match_the_step_caches():
    """Other modules read cache["i"][:, t] etc.; the views must hold the step values."""
    rng, p = random_problem(3, 2, 6, 3, 4, 4)
    _, _, cache = lstm_forward(p["x"], p["h0"], None, p["Wx"], p["Wh"], p["b"])
    h, c = p["h0"], np.zeros_like(p["h0"])
    for t in range(6):
        h, c, step = lstm_step_forward(p["x"][:, t], h, c, p["Wx"], p["Wh"], p["b"])
        for key in ("i", "f", "g", "o", "c", "tanh_c"):
            np.testing.assert_allclose(cache[key][:, t], step[key], rtol=0, atol=ATOL, err_msg=key)
        np.testing.assert_allclose(cache["h"][:, t], h, rtol=0, atol=ATOL)


def test_long_sequence_crosses_the_backward_blocks():
    """T larger than the backward's cache block (16384 // (N H) steps) still matches stepping."""
    rng, p = random_problem(1, 1, 300, 2, 64, 4)
    p["c0"] = np.zeros((1, 64))
    dh = rng.normal(size=(1, 300, 64))
    _, _, cache = lstm_forward(p["x"], p["h0"], p["c0"], p["Wx"], 0.3 * p["Wh"], p["b"])
    _, _, grads_ref = stepped_lstm(p["x"], p["h0"], p["c0"], p["Wx"], 0.3 * p["Wh"], p["b"], dh, np.zeros_like(dh))
    for got, want in zip(lstm_backward(dh, cache), grads_ref):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-11)


def test_float32_stays_float32_end_to_end():
    rng, p = random_problem(0, 3, 7, 2, 5, 4)
    p = {k: v.astype(np.float32) for k, v in p.items()}
    h, c, cache = lstm_forward(p["x"], p["h0"], None, p["Wx"], p["Wh"], p["b"])
    assert h.dtype == c.dtype == np.float32
    assert all(cache[k].dtype == np.float32 for k in ("i", "f", "g", "o", "tanh_c"))
    assert all(g.dtype == np.float32 for g in lstm_backward(np.ones_like(h), cache, np.ones_like(c)))
    _, p = random_problem(0, 3, 7, 2, 5, 1)
    p = {k: v.astype(np.float32) for k, v in p.items()}
    h, cache = rnn_forward(**p)
    assert h.dtype == np.float32
    assert all(g.dtype == np.float32 for g in rnn_backward(np.ones_like(h), cache))


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_step_cache_and_final_state_equal_stepping_by_hand(cell):
    from lstm_course.nn import cells

    rng = np.random.default_rng(7)
    spec = cells.get(cell)
    N, T, D, H = 2, 5, 3, 4
    x = rng.normal(size=(N, T, D))
    Wx, Wh, b = (rng.normal(size=s) * 0.5 for s in ((D, spec.gate_blocks * H), (H, spec.gate_blocks * H),
                                                     (spec.gate_blocks * H,)))
    state0 = tuple(rng.normal(size=(N, H)) for _ in spec.state_names)
    _, cache = spec.forward(x, state0, Wx, Wh, b)
    state = state0
    for t in range(T):
        state, by_hand = spec.step_forward(x[:, t], state, Wx, Wh, b)
        read = spec.step_cache(cache, t)
        assert set(read) == set(by_hand)
        for key in by_hand:
            np.testing.assert_allclose(read[key], by_hand[key], rtol=0, atol=1e-13)
    for got, want in zip(spec.final_state(cache), state):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-13)
    with pytest.raises(ValueError, match="t must be an integer step"):
        spec.step_cache(cache, T)


@settings(max_examples=30, deadline=None)
@given(N=sizes, H=sizes, K=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_the_tangent_and_the_backward_kernel_are_transposes(N, H, K, seed):
    """<u, J v> is the same through the forward-mode kernel (RTRL, UORO) and the backward kernel (BPTT)."""
    from lstm_course.nn import lstm

    rng, p = random_problem(seed, N, 1, 3, H, 4)
    _, _, cache = lstm.lstm_step_forward(p["x"][:, 0], p["h0"], rng.normal(size=(N, H)), p["Wx"], p["Wh"], p["b"])
    dz_v, dc_prev_v = rng.normal(size=(N, 4 * H, K)), rng.normal(size=(N, H, K))
    dh_v, dc_v = lstm.step_tangent(dz_v, dc_prev_v, cache)
    for k in range(K):
        dh_u, dc_u = rng.normal(size=(N, H)), rng.normal(size=(N, H))
        dz_u, _, dc_prev_u = lstm.step_dz(dh_u, dc_u, cache)
        forward = np.sum(dh_u * dh_v[..., k]) + np.sum(dc_u * dc_v[..., k])
        backward = np.sum(dz_u * dz_v[..., k]) + np.sum(dc_prev_u * dc_prev_v[..., k])
        assert abs(forward - backward) <= 1e-12 * max(1.0, abs(forward)), (forward, backward)


def test_masked_steps_and_members_run_the_same_kernels():
    """The masked layer and an ensemble member equal a loop over the step kernel with the state frozen by hand."""
    from lstm_course.data.masking import masked_lstm_forward
    from lstm_course.models import ensemble
    from lstm_course.nn import lstm

    rng, p = random_problem(5, 3, 6, 2, 4, 4)
    mask = (rng.random((3, 6)) < 0.7).astype(float)
    h, c, _ = masked_lstm_forward(p["x"], mask, p["h0"], None, p["Wx"], p["Wh"], p["b"])
    h_t, c_t = p["h0"], np.zeros((3, 4))
    for t in range(6):
        h_new, c_new, _ = lstm.lstm_step_forward(p["x"][:, t], h_t, c_t, p["Wx"], p["Wh"], p["b"])
        keep = mask[:, t, None] == 1
        h_t, c_t = np.where(keep, h_new, h_t), np.where(keep, c_new, c_t)
        np.testing.assert_allclose(h[:, t], h_t, rtol=0, atol=ATOL)
        np.testing.assert_allclose(c[:, t], c_t, rtol=0, atol=ATOL)
    params = ensemble.init_ensemble([1, 2], 2, 4, 1)
    yhat, cache = ensemble.ensemble_forward(params, p["x"], mask)
    for r in range(2):
        member = ensemble.member(params, r)
        h_r, _, _ = masked_lstm_forward(p["x"], mask, None, None, member["Wx"], member["Wh"], member["b"])
        np.testing.assert_allclose(cache["layer"]["h"][r], h_r, rtol=0, atol=ATOL)
