import numpy as np
import pytest

from lstm_course.data import masking
from lstm_course.models import recurrent
from lstm_course.nn.gradcheck import check_gradients
from lstm_course.train.optim import Adam


def test_pad_and_mask():
    X, mask = masking.pad_and_mask([[1.0, 2.0], [3.0], [4.0, 5.0, 6.0]], value=-1.0)
    np.testing.assert_array_equal(X[..., 0], [[1, 2, -1], [3, -1, -1], [4, 5, 6]])
    np.testing.assert_array_equal(mask, [[1, 1, 0], [1, 0, 0], [1, 1, 1]])
    assert masking.pad_and_mask([np.zeros((2, 3))], length=5)[0].shape == (1, 5, 3)
    with pytest.raises(ValueError, match="shorter than the longest"):
        masking.pad_and_mask([[1.0, 2.0]], length=1)
    with pytest.raises(ValueError, match="features"):
        masking.pad_and_mask([np.zeros((2, 3)), np.zeros((2, 2))])
    with pytest.raises(ValueError, match="empty"):
        masking.pad_and_mask([])


def _padded_problem(seed=0):
    rng = np.random.default_rng(seed)
    lengths = [5, 2, 4]
    xs = [rng.normal(size=(T, 2)) for T in lengths]
    ys = [rng.normal(size=(T, 1)) for T in lengths]
    X, mask = masking.pad_and_mask(xs)
    Y, _ = masking.pad_and_mask(ys)
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
        return masking.masked_lstm_forward(x, mask, h0, c0, Wx, Wh, b)[0]

    _, _, cache = masking.masked_lstm_forward(inputs["x"], mask, inputs["h0"], inputs["c0"],
                                                inputs["Wx"], inputs["Wh"], inputs["b"])
    grads = dict(zip(("x", "h0", "c0", "Wx", "Wh", "b"), masking.masked_lstm_backward(dh, cache)))
    errors = check_gradients(f, inputs, grads, dh, verbose=False)
    assert max(errors.values()) <= 1e-7, errors


def test_masked_steps_freeze_state():
    _, _, X, _, mask = _padded_problem()
    params = recurrent.init_params("lstm", 2, 3, 1, rng=0)
    h, c, _ = masking.masked_lstm_forward(X, mask, None, None, params["Wx"], params["Wh"], params["b"])
    np.testing.assert_array_equal(h[1, 1:], np.broadcast_to(h[1, 1], (4, 3)))
    np.testing.assert_array_equal(c[2, 3:], c[2, 3:4].repeat(2, axis=0))


def test_masked_loss_equals_unpadded_sequences():
    xs, ys, X, Y, mask = _padded_problem()
    params = recurrent.init_params("lstm", 2, 3, 1, rng=0, forget_bias=1.0)
    loss, grads = masking.masked_loss_and_grads(params, X, Y, mask)
    pieces = [recurrent.loss_and_grads(params, x[None], y[None], "lstm") for x, y in zip(xs, ys)]
    assert loss == pytest.approx(sum(p[0] for p in pieces), rel=1e-12)
    for name in grads:
        np.testing.assert_allclose(grads[name], sum(p[1][name] for p in pieces), atol=1e-12)


def test_masked_training_equals_training_on_unpadded_sequences():
    xs, ys, X, Y, mask = _padded_problem(3)
    padded = recurrent.init_params("lstm", 2, 4, 1, rng=5)
    unpadded = {k: v.copy() for k, v in padded.items()}
    opt_padded, opt_unpadded = Adam(0.05), Adam(0.05)
    for _ in range(5):
        opt_padded.step(padded, masking.masked_loss_and_grads(padded, X, Y, mask)[1])
        per_sequence = [recurrent.loss_and_grads(unpadded, x[None], y[None], "lstm")[1] for x, y in zip(xs, ys)]
        opt_unpadded.step(unpadded, {name: sum(g[name] for g in per_sequence) for name in unpadded})
    for name in padded:
        np.testing.assert_allclose(padded[name], unpadded[name], atol=1e-12)


def test_mask_must_be_binary_and_shaped():
    _, _, X, Y, mask = _padded_problem()
    params = recurrent.init_params("lstm", 2, 3, 1, rng=0)
    with pytest.raises(ValueError, match="only 0"):
        masking.masked_loss_and_grads(params, X, Y, mask * 0.5)
    with pytest.raises(ValueError, match="mask must have shape"):
        masking.masked_loss_and_grads(params, X, Y, mask[:, :2])
