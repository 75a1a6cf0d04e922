import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_course.nn.activations import sigmoid
from lstm_course.nn.gradcheck import check_gradients
from lstm_course.nn.lstm import from_torch, lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward, to_torch

TOL = 1e-7
sizes = st.integers(1, 6)


def make_lstm(rng, N, T, D, H, scale=0.5):
    return {"x": rng.normal(size=(N, T, D)), "h0": rng.normal(size=(N, H)), "c0": rng.normal(size=(N, H)),
            "Wx": scale * rng.normal(size=(D, 4 * H)), "Wh": scale * rng.normal(size=(H, 4 * H)),
            "b": scale * rng.normal(size=4 * H)}


def test_step_forward_follows_the_gate_equations_in_order_ifgo(rng):
    p = make_lstm(rng, 2, 1, 3, 4)
    x, h_prev, c_prev = p["x"][:, 0], p["h0"], p["c0"]
    h, c, _ = lstm_step_forward(x, h_prev, c_prev, p["Wx"], p["Wh"], p["b"])
    z = x @ p["Wx"] + h_prev @ p["Wh"] + p["b"]
    i, f, g, o = sigmoid(z[:, :4]), sigmoid(z[:, 4:8]), np.tanh(z[:, 8:12]), sigmoid(z[:, 12:])
    np.testing.assert_allclose(c, f * c_prev + i * g, rtol=1e-14)
    np.testing.assert_allclose(h, o * np.tanh(c), rtol=1e-14)


def test_step_gradients(rng):
    p = make_lstm(rng, 3, 1, 4, 5)
    inputs = {"x": p["x"][:, 0], "h_prev": p["h0"], "c_prev": p["c0"], "Wx": p["Wx"], "Wh": p["Wh"], "b": p["b"]}
    h, c, cache = lstm_step_forward(**inputs)
    dh, dc = rng.normal(size=h.shape), rng.normal(size=c.shape)
    analytic = dict(zip(["x", "h_prev", "c_prev", "Wx", "Wh", "b"], lstm_step_backward(dh, dc, cache)))

    def h_and_c(**kw):
        h, c, _ = lstm_step_forward(**kw)
        return np.concatenate([h, c], axis=1)

    errors = check_gradients(h_and_c, inputs, analytic, np.concatenate([dh, dc], axis=1), verbose=False)
    assert max(errors.values()) <= TOL, errors


@given(N=sizes, T=sizes, D=sizes, H=sizes, with_dc=st.booleans(), seed=st.integers(0, 2**16))
def test_sequence_gradients_for_random_shapes(N, T, D, H, with_dc, seed):
    rng = np.random.default_rng(seed)
    inputs = make_lstm(rng, N, T, D, H)
    h, c, cache = lstm_forward(**inputs)
    dh = rng.normal(size=h.shape)
    dc = rng.normal(size=c.shape) if with_dc else np.zeros_like(c)
    analytic = dict(zip(["x", "h0", "c0", "Wx", "Wh", "b"], lstm_backward(dh, cache, dc if with_dc else None)))

    def h_and_c(**kw):
        h, c, _ = lstm_forward(**kw)
        return np.concatenate([h, c], axis=2)

    errors = check_gradients(h_and_c, inputs, analytic, np.concatenate([dh, dc], axis=2), verbose=False)
    assert max(errors.values()) <= TOL, errors


@given(N=sizes, T=sizes, D=sizes, H=sizes, seed=st.integers(0, 2**16))
def test_sequence_forward_is_the_step_applied_T_times(N, T, D, H, seed):
    p = make_lstm(np.random.default_rng(seed), N, T, D, H)
    h, c, _ = lstm_forward(**p)
    h_prev, c_prev = p["h0"], p["c0"]
    for t in range(T):
        h_prev, c_prev, _ = lstm_step_forward(p["x"][:, t], h_prev, c_prev, p["Wx"], p["Wh"], p["b"])
        np.testing.assert_allclose(h[:, t], h_prev, rtol=0, atol=1e-12)
        np.testing.assert_allclose(c[:, t], c_prev, rtol=0, atol=1e-12)


def test_float32_stays_float32(rng):
    p = {k: v.astype(np.float32) for k, v in make_lstm(rng, 2, 3, 2, 4).items()}
    h, c, cache = lstm_forward(**p)
    assert h.dtype == c.dtype == np.float32
    assert all(g.dtype == np.float32 for g in lstm_backward(np.ones_like(h), cache))


def test_torch_layout_round_trip(rng):
    H, D = 3, 2
    weight_ih, weight_hh = rng.normal(size=(4 * H, D)), rng.normal(size=(4 * H, H))
    bias_ih, bias_hh = rng.normal(size=4 * H), rng.normal(size=4 * H)
    Wx, Wh, b = from_torch(weight_ih, weight_hh, bias_ih, bias_hh)
    assert Wx.shape == (D, 4 * H) and Wh.shape == (H, 4 * H)
    # Exact identity on this course's layout ...
    for original, recovered in zip((Wx, Wh, b), from_torch(*to_torch(Wx, Wh, b))):
        np.testing.assert_array_equal(original, recovered)
    # ... and on PyTorch's: weights exactly, biases up to their (unidentifiable) split.
    w_ih2, w_hh2, b_ih2, b_hh2 = to_torch(*from_torch(weight_ih, weight_hh, bias_ih, bias_hh))
    np.testing.assert_array_equal(w_ih2, weight_ih)
    np.testing.assert_array_equal(w_hh2, weight_hh)
    np.testing.assert_allclose(b_ih2 + b_hh2, bias_ih + bias_hh, rtol=1e-15)


def test_torch_conversion_computes_torchs_equations(rng):
    """PyTorch's documented cell: z = W_ih x + b_ih + W_hh h + b_hh, gates i, f, g, o."""
    H, D, N = 3, 2, 4
    weight_ih, weight_hh = rng.normal(size=(4 * H, D)), rng.normal(size=(4 * H, H))
    bias_ih, bias_hh = rng.normal(size=4 * H), rng.normal(size=4 * H)
    x, h_prev, c_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    z = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh
    i, f, g, o = np.split(z, 4, axis=1)
    c_torch = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    h, c, _ = lstm_step_forward(x, h_prev, c_prev, *from_torch(weight_ih, weight_hh, bias_ih, bias_hh))
    np.testing.assert_allclose(c, c_torch, rtol=1e-13)
    np.testing.assert_allclose(h, sigmoid(o) * np.tanh(c_torch), rtol=1e-13)


@pytest.mark.parametrize("change, message", [
    (lambda p: p.update(x=p["x"][:, 0]), r"x must be a 3-D array"),
    (lambda p: p.update(x=np.zeros((2, 0, 2))), r"x is empty"),
    (lambda p: p.update(c0=np.zeros((2, 5))), r"c0 must have shape \(N, H\) = \(2, 4\)"),
    (lambda p: p.update(Wx=np.zeros((2, 12))), r"Wx must have shape \(D, 4H\) = \(2, 16\)"),
    (lambda p: p.update(Wh=np.zeros((4, 15))), r"Wh must have shape \(H, 4H\)"),
    (lambda p: p.update(b=np.zeros(4)), r"b must have shape \(4H,\) = \(16,\)"),
    (lambda p: p["h0"].__setitem__((0, 0), np.inf), r"h0 contains NaN or infinite"),
])
def test_bad_input_raises_a_helpful_value_error(rng, change, message):
    p = make_lstm(rng, 2, 3, 2, 4)
    change(p)
    with pytest.raises(ValueError, match=message):
        lstm_forward(**p)


def test_step_and_backward_shape_errors(rng):
    p = make_lstm(rng, 2, 3, 2, 4)
    with pytest.raises(ValueError, match=r"c_prev must have shape \(N, H\)"):
        lstm_step_forward(p["x"][:, 0], p["h0"], p["c0"][:1], p["Wx"], p["Wh"], p["b"])
    h, c, cache = lstm_forward(**p)
    with pytest.raises(ValueError, match=r"dc must have shape \(N, T, H\)"):
        lstm_backward(np.ones_like(h), cache, dc=np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"bias_hh must have shape \(4H,\)"):
        from_torch(np.zeros((16, 2)), np.zeros((16, 4)), np.zeros(16), np.zeros(15))
