"""Tests for lstm_course.nn.lstm1997: the 1997 LSTM (memory cell blocks, squashing functions, truncated rule)."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_course.nn.activations import sigmoid
from lstm_course.nn.gradcheck import check_gradients
from lstm_course.nn.lstm1997 import (
    init_lstm1997_params,
    lstm1997_backward,
    lstm1997_forward,
    lstm1997_step_backward,
    lstm1997_step_forward,
    squash_input,
    squash_input_grad_from_output,
    squash_output,
    squash_output_grad_from_output,
    step_forward,
)

TOL = 1e-7
sizes = st.integers(1, 4)


def make_1997(rng, N, T, D, C, S, scale=0.5):
    CS, width = C * S, C * (2 + S)
    return {"x": rng.normal(size=(N, T, D)), "y0": rng.normal(size=(N, CS)), "s0": rng.normal(size=(N, CS)),
            "Wx": scale * rng.normal(size=(D, width)), "Wh": scale * rng.normal(size=(CS, width)),
            "b": scale * rng.normal(size=width)}


def test_squashing_functions_have_the_papers_ranges_and_derivatives():
    z = np.linspace(-30, 30, 2001)
    g, h = squash_input(z), squash_output(z)
    assert -2 < g.min() < -1.99 and 1.99 < g.max() < 2
    assert -1 < h.min() < -0.99 and 0.99 < h.max() < 1
    np.testing.assert_allclose(g, 2 * np.tanh(z / 2), atol=1e-14)
    np.testing.assert_allclose(h, np.tanh(z / 2), atol=1e-14)
    eps = 1e-6
    np.testing.assert_allclose(squash_input_grad_from_output(g),
                               (squash_input(z + eps) - squash_input(z - eps)) / (2 * eps), atol=1e-8)
    np.testing.assert_allclose(squash_output_grad_from_output(h),
                               (squash_output(z + eps) - squash_output(z - eps)) / (2 * eps), atol=1e-8)


def test_step_forward_shares_each_blocks_gates_among_its_cells(rng):
    C, S = 2, 3
    p = make_1997(rng, 4, 1, 3, C, S)
    x, y_prev, s_prev = p["x"][:, 0], p["y0"], p["s0"]
    y, s, _ = lstm1997_step_forward(x, y_prev, s_prev, p["Wx"], p["Wh"], p["b"], block_size=S)
    z = x @ p["Wx"] + y_prev @ p["Wh"] + p["b"]
    for j in range(C):
        y_in, y_out = sigmoid(z[:, j]), sigmoid(z[:, C + j])
        for v in range(S):
            column = j * S + v
            expected_s = s_prev[:, column] + y_in * (4 * sigmoid(z[:, 2 * C + column]) - 2)
            np.testing.assert_allclose(s[:, column], expected_s, rtol=1e-13)
            np.testing.assert_allclose(y[:, column], y_out * (2 * sigmoid(expected_s) - 1), rtol=1e-13)


@pytest.mark.parametrize("S", [1, 3])
def test_step_gradients(rng, S):
    p = make_1997(rng, 3, 1, 4, 2, S)
    inputs = {"x": p["x"][:, 0], "y_prev": p["y0"], "s_prev": p["s0"], "Wx": p["Wx"], "Wh": p["Wh"], "b": p["b"]}
    y, s, cache = lstm1997_step_forward(**inputs, block_size=S)
    dy, ds = rng.normal(size=y.shape), rng.normal(size=s.shape)
    analytic = dict(zip(["x", "y_prev", "s_prev", "Wx", "Wh", "b"], lstm1997_step_backward(dy, ds, cache)))

    def y_and_s(**kw):
        y, s, _ = lstm1997_step_forward(**kw, block_size=S)
        return np.concatenate([y, s], axis=1)

    errors = check_gradients(y_and_s, inputs, analytic, np.concatenate([dy, ds], axis=1), verbose=False)
    assert max(errors.values()) <= TOL, errors


@given(N=sizes, T=sizes, D=sizes, C=sizes, S=sizes, with_ds=st.booleans(), seed=st.integers(0, 2**16))
def test_sequence_gradients_for_random_shapes_and_block_sizes(N, T, D, C, S, with_ds, seed):
    rng = np.random.default_rng(seed)
    inputs = make_1997(rng, N, T, D, C, S)
    y, s, cache = lstm1997_forward(**inputs, block_size=S)
    dy = rng.normal(size=y.shape)
    ds = rng.normal(size=s.shape) if with_ds else np.zeros_like(s)
    analytic = dict(zip(["x", "y0", "s0", "Wx", "Wh", "b"],
                        lstm1997_backward(dy, cache, ds if with_ds else None)))

    def y_and_s(**kw):
        y, s, _ = lstm1997_forward(**kw, block_size=S)
        return np.concatenate([y, s], axis=2)

    errors = check_gradients(y_and_s, inputs, analytic, np.concatenate([dy, ds], axis=2), verbose=False)
    assert max(errors.values()) <= TOL, errors


def test_the_carousel_passes_state_error_back_unchanged(rng):
    p = make_1997(rng, 2, 50, 3, 2, 2)
    _, s, cache = lstm1997_forward(**p, block_size=2)
    ds = np.zeros_like(s)
    ds[:, -1] = rng.normal(size=s.shape[::2])
    _, _, ds0, *_ = lstm1997_backward(np.zeros_like(s), cache, ds, truncated=True)
    np.testing.assert_array_equal(ds0, ds[:, -1])


def truncated_reference(inputs, S, dy):
    """Gradient of sum(dy * y) when the recurrent inputs y_{t-1} are frozen at their forward values.

    Freezing y_{t-1} is exactly what the truncated rule does: the weights see
    the real recurrent inputs, but no error flows back through them. The
    internal state chain stays live, so error still crosses time in the CEC.
    """
    _, _, cache = lstm1997_forward(**inputs, block_size=S)
    frozen = np.concatenate([inputs["y0"][:, None], cache["y"][:, :-1]], axis=1)

    def outputs_with_frozen_recurrence(Wx, Wh, b):
        s_prev, outputs = inputs["s0"], []
        for t in range(frozen.shape[1]):
            y, s_prev, _ = step_forward(inputs["x"][:, t], frozen[:, t], s_prev, Wx, Wh, b, S)
            outputs.append(y)
        return np.stack(outputs, axis=1)

    weights = {name: inputs[name] for name in ("Wx", "Wh", "b")}
    return outputs_with_frozen_recurrence, weights


@pytest.mark.parametrize("S", [1, 2])
def test_truncated_rule_is_the_gradient_with_frozen_recurrent_inputs(rng, S):
    inputs = make_1997(rng, 2, 6, 3, 2, S)
    y, _, cache = lstm1997_forward(**inputs, block_size=S)
    dy = rng.normal(size=y.shape)
    _, dy0, _, dWx, dWh, db = lstm1997_backward(dy, cache, truncated=True)
    f, weights = truncated_reference(inputs, S, dy)
    errors = check_gradients(f, weights, {"Wx": dWx, "Wh": dWh, "b": db}, dy, verbose=False)
    assert max(errors.values()) <= TOL, errors
    np.testing.assert_array_equal(dy0, 0.0)


def test_truncated_rule_differs_from_full_bptt_only_through_recurrent_weights(rng):
    inputs = make_1997(rng, 2, 8, 3, 2, 2)
    y, _, cache = lstm1997_forward(**inputs, block_size=2)
    dy = rng.normal(size=y.shape)
    full = lstm1997_backward(dy, cache)
    truncated = lstm1997_backward(dy, cache, truncated=True)
    assert np.linalg.norm(full[4] - truncated[4]) > 1e-3 * np.linalg.norm(full[4])
    inputs["Wh"] = np.zeros_like(inputs["Wh"])
    y, _, cache = lstm1997_forward(**inputs, block_size=2)
    for exact, cut in zip(lstm1997_backward(dy, cache)[2:], lstm1997_backward(dy, cache, truncated=True)[2:]):
        np.testing.assert_allclose(cut, exact, rtol=1e-13, atol=1e-15)


def test_float32_input_keeps_float32(rng):
    Wx, Wh, b = init_lstm1997_params(3, 2, 2, rng, dtype=np.float32)
    y, s, _ = lstm1997_forward(rng.normal(size=(2, 4, 3)).astype(np.float32), None, None, Wx, Wh, b, block_size=2)
    assert y.dtype == s.dtype == np.float32


def test_init_sets_gate_biases_and_shapes(rng):
    Wx, Wh, b = init_lstm1997_params(5, 3, 2, rng, input_gate_bias=-1.0, output_gate_bias=-2.0)
    assert Wx.shape == (5, 12) and Wh.shape == (6, 12) and b.shape == (12,)
    np.testing.assert_array_equal(b[:3], -1.0)
    np.testing.assert_array_equal(b[3:6], -2.0)
    np.testing.assert_array_equal(b[6:], 0.0)
    assert np.abs(Wx).max() <= 0.1


@pytest.mark.parametrize("change, match", [
    (dict(block_size=0), "block_size must be >= 1"),
    (dict(block_size=3), "Wh must have C\\*S rows"),
    (dict(Wh=np.zeros((4, 9))), "Wh must have shape"),
    (dict(Wx=np.zeros((3, 7))), "Wx must have shape"),
    (dict(b=np.zeros(5)), "b must have shape"),
    (dict(x=np.zeros((2, 4, 5))), "x must have shape"),
    (dict(y0=np.zeros((2, 3))), "y0 must have shape"),
    (dict(s0=np.full((2, 4), np.nan)), "s0 contains NaN"),
])
def test_bad_inputs_raise_value_errors(rng, change, match):
    S = 2
    inputs = make_1997(rng, 2, 4, 3, 2, S)
    arguments = {**inputs, "block_size": S, **change}
    with pytest.raises(ValueError, match=match):
        lstm1997_forward(**arguments)


def test_bad_upstream_gradients_and_flag_raise(rng):
    inputs = make_1997(rng, 2, 4, 3, 2, 2)
    y, _, cache = lstm1997_forward(**inputs, block_size=2)
    with pytest.raises(ValueError, match="dy must have shape"):
        lstm1997_backward(np.zeros((2, 3, 4)), cache)
    with pytest.raises(ValueError, match="ds must have shape"):
        lstm1997_backward(np.zeros_like(y), cache, ds=np.zeros((2, 4, 3)))
    with pytest.raises(ValueError, match="truncated must be True or False"):
        lstm1997_backward(np.zeros_like(y), cache, truncated="yes")
    _, _, step_cache = lstm1997_step_forward(inputs["x"][:, 0], inputs["y0"], inputs["s0"], inputs["Wx"],
                                             inputs["Wh"], inputs["b"], block_size=2)
    with pytest.raises(ValueError, match="ds must have shape"):
        lstm1997_step_backward(np.zeros((2, 4)), np.zeros((2, 5)), step_cache)
