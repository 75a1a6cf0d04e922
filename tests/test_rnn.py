import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_course.nn.gradcheck import check_gradients
from lstm_course.nn.rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

TOL = 1e-7
sizes = st.integers(1, 6)


def make_rnn(rng, N, T, D, H, scale=0.5):
    return {"x": rng.normal(size=(N, T, D)), "h0": rng.normal(size=(N, H)),
            "Wx": scale * rng.normal(size=(D, H)), "Wh": scale * rng.normal(size=(H, H)),
            "b": scale * rng.normal(size=H)}


def test_step_gradients(rng):
    p = make_rnn(rng, 3, 1, 4, 5)
    inputs = {"x": p["x"][:, 0], "h_prev": p["h0"], "Wx": p["Wx"], "Wh": p["Wh"], "b": p["b"]}
    h, cache = rnn_step_forward(**inputs)
    dh = rng.normal(size=h.shape)
    analytic = dict(zip(["x", "h_prev", "Wx", "Wh", "b"], rnn_step_backward(dh, cache)))
    errors = check_gradients(lambda **kw: rnn_step_forward(**kw)[0], inputs, analytic, dh, verbose=False)
    assert max(errors.values()) <= TOL, errors


@given(N=sizes, T=sizes, D=sizes, H=sizes, seed=st.integers(0, 2**16))
def test_sequence_gradients_for_random_shapes(N, T, D, H, seed):
    rng = np.random.default_rng(seed)
    inputs = make_rnn(rng, N, T, D, H)
    h, cache = rnn_forward(**inputs)
    dh = rng.normal(size=h.shape)
    analytic = dict(zip(["x", "h0", "Wx", "Wh", "b"], rnn_backward(dh, cache)))
    errors = check_gradients(lambda **kw: rnn_forward(**kw)[0], inputs, analytic, dh, verbose=False)
    assert max(errors.values()) <= TOL, errors


@given(N=sizes, T=sizes, D=sizes, H=sizes, seed=st.integers(0, 2**16))
def test_sequence_forward_is_the_step_applied_T_times(N, T, D, H, seed):
    p = make_rnn(np.random.default_rng(seed), N, T, D, H)
    h, _ = rnn_forward(**p)
    h_prev = p["h0"]
    for t in range(T):
        h_prev, _ = rnn_step_forward(p["x"][:, t], h_prev, p["Wx"], p["Wh"], p["b"])
        np.testing.assert_allclose(h[:, t], h_prev, rtol=0, atol=1e-12)


def test_missing_h0_means_zeros(rng):
    p = make_rnn(rng, 2, 3, 2, 4)
    h_default, _ = rnn_forward(p["x"], None, p["Wx"], p["Wh"], p["b"])
    h_zeros, _ = rnn_forward(p["x"], np.zeros((2, 4)), p["Wx"], p["Wh"], p["b"])
    np.testing.assert_array_equal(h_default, h_zeros)


def test_float32_stays_float32(rng):
    p = {k: v.astype(np.float32) for k, v in make_rnn(rng, 2, 3, 2, 4).items()}
    h, cache = rnn_forward(**p)
    assert h.dtype == np.float32
    assert all(g.dtype == np.float32 for g in rnn_backward(np.ones_like(h), cache))


@pytest.mark.parametrize("change, message", [
    (lambda p: p.update(x=p["x"][0]), r"x must be a 3-D array"),
    (lambda p: p.update(x=p["x"][:, :0]), r"x is empty"),
    (lambda p: p.update(h0=np.zeros((3, 4))), r"h0 must have shape \(N, H\) = \(2, 4\)"),
    (lambda p: p.update(Wx=np.zeros((3, 4))), r"Wx must have shape \(D, H\) = \(3, 4\)|x must have shape"),
    (lambda p: p.update(Wh=np.zeros((4, 5))), r"Wh must have shape \(H, H\)"),
    (lambda p: p.update(b=np.zeros(3)), r"b must have shape \(H,\) = \(4,\)"),
    (lambda p: p["x"].__setitem__((0, 0, 0), np.nan), r"x contains NaN"),
    (lambda p: p.update(x=np.full((2, 3, 2), "a")), r"x must hold real numbers"),
])
def test_bad_input_raises_a_helpful_value_error(rng, change, message):
    p = make_rnn(rng, 2, 3, 2, 4)
    change(p)
    with pytest.raises(ValueError, match=message):
        rnn_forward(**p)


def test_backward_rejects_a_gradient_of_the_wrong_shape(rng):
    h, cache = rnn_forward(**make_rnn(rng, 2, 3, 2, 4))
    with pytest.raises(ValueError, match=r"dh must have shape \(N, T, H\) = \(2, 3, 4\)"):
        rnn_backward(np.ones((2, 4)), cache)
    with pytest.raises(ValueError, match=r"dh must have shape \(N, T, H\)"):
        rnn_backward(np.ones((2, 2, 4)), cache)
