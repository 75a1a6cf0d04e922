"""RTRL is the independent reference for truncated BPTT, so it is checked on its own."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_course.models import recurrent
from lstm_course.nn.gradcheck import check_gradients
from lstm_course.online import rtrl


@given(cell=st.sampled_from(recurrent.CELLS), N=st.integers(1, 3), T=st.integers(1, 5), D=st.integers(1, 3),
       H=st.integers(1, 3), O=st.integers(1, 2), seed=st.integers(0, 10_000))
def test_per_step_gradients_match_numerical_gradients(cell, N, T, D, H, O, seed):
    rng = np.random.default_rng(seed)
    params = recurrent.init_params(cell, D, H, O, rng, forget_bias=1.0 if cell == "lstm" else 0.0)
    x, y = rng.normal(size=(N, T, D)), rng.normal(size=(N, T, O))
    h0 = rng.normal(size=(N, H))
    c0 = rng.normal(size=(N, H)) if cell == "lstm" else None
    per_step = rtrl.rtrl_gradients(params, x, y, cell, h0, c0)
    assert len(per_step) == T
    t = int(rng.integers(1, T + 1))
    only_step_t = np.arange(1, T + 1) == t

    def loss_at_t(**p):
        yhat, _ = recurrent.forward(p, x, cell, h0, c0)
        return np.array(recurrent.squared_error(yhat, y, only_step_t.astype(float))[0])

    errors = check_gradients(loss_at_t, params, per_step[t - 1], np.array(1.0), verbose=False)
    assert max(errors.values()) <= 1e-7, errors


@pytest.mark.parametrize("cell", recurrent.CELLS)
def test_sum_over_steps_equals_full_bptt(cell, rng):
    params = recurrent.init_params(cell, 2, 3, 2, rng)
    x, y = rng.normal(size=(2, 6, 2)), rng.normal(size=(2, 6, 2))
    _, full = recurrent.loss_and_grads(params, x, y, cell)
    per_step = rtrl.rtrl_gradients(params, x, y, cell)
    for name in recurrent.PARAM_NAMES:
        np.testing.assert_allclose(sum(step[name] for step in per_step), full[name], atol=1e-12)


def test_bad_inputs(rng):
    params = recurrent.init_params("lstm", 2, 3, 1, rng)
    x, y = rng.normal(size=(2, 4, 2)), rng.normal(size=(2, 4, 1))
    with pytest.raises(ValueError, match=r"y must have shape \(N, T, O\)"):
        rtrl.rtrl_gradients(params, x, y[:, :3])
    with pytest.raises(ValueError, match=r"x must have shape \(N, T, D\)"):
        rtrl.rtrl_gradients(params, x[:, :, :1], y)
    with pytest.raises(ValueError, match=r"h0 must have shape \(N, H\)"):
        rtrl.rtrl_gradients(params, x, y, h0=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="cell must be one of"):
        rtrl.rtrl_gradients(params, x, y, cell="gru")
    with pytest.raises(ValueError, match="c0 is only used"):
        rtrl.rtrl_gradients(recurrent.init_params("rnn", 2, 3, 1, rng), x, y, "rnn", c0=np.zeros((2, 3)))
