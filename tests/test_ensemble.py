import numpy as np
import pytest

from lstm_course.data import masking
from lstm_course.models import ensemble, recurrent
from lstm_course.nn.gradcheck import check_gradients
from lstm_course.train.optim import Adam

SEEDS = [11, 12, 13]


def _batch(seed=0, R=3, N=4, T=6, D=2, O=1):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(R, N, T, D)), rng.normal(size=(R, N, T, O))
    weights = rng.uniform(size=(R, N, T))
    mask = np.ones((R, N, T))
    mask[:, 1, 4:] = 0.0
    mask[0, -1, 2:] = 0.0
    return x, y, weights, mask


def test_init_stacks_single_model_inits():
    params = ensemble.init_ensemble(SEEDS, 2, 3, 1, forget_bias=1.0)
    for r, seed in enumerate(SEEDS):
        single = recurrent.init_params("lstm", 2, 3, 1, rng=seed, forget_bias=1.0)
        for name in single:
            np.testing.assert_array_equal(ensemble.member(params, r)[name], single[name])


def test_each_member_equals_the_single_model():
    params = ensemble.init_ensemble(SEEDS, 2, 3, 1)
    x, y, weights, _ = _batch()
    losses, grads = ensemble.ensemble_loss_and_grads(params, x, y, weights)
    for r in range(3):
        loss, single = recurrent.loss_and_grads(ensemble.member(params, r), x[r], y[r], "lstm", weights[r])
        assert losses[r] == pytest.approx(loss, rel=1e-12)
        for name in single:
            np.testing.assert_allclose(grads[name][r], single[name], atol=1e-12)


def test_float32_is_kept_end_to_end_and_matches_float64():
    params = ensemble.init_ensemble(SEEDS, 2, 3, 1)
    x, y, weights, mask = _batch(2)
    p32 = {name: value.astype(np.float32) for name, value in params.items()}
    x32, y32, w32, m32 = (a.astype(np.float32) for a in (x, y, weights, mask))
    yhat, _ = ensemble.ensemble_forward(p32, x32, m32)
    losses, grads = ensemble.ensemble_loss_and_grads(p32, x32, y32, w32, m32)
    assert yhat.dtype == losses.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    for r in range(3):  # the float64 single model of member r, on the same float32 inputs
        loss, single = masking.masked_loss_and_grads(ensemble.member(params, r), x32[r].astype(np.float64),
                                                     y32[r].astype(np.float64), mask[r], weights[r])
        assert losses[r] == pytest.approx(loss, rel=1e-5)
        for name in single:
            np.testing.assert_allclose(grads[name][r], single[name], rtol=1e-4, atol=1e-5)
    ensemble.fit_ensemble(p32, lambda update: (x32, y32, w32, m32), Adam(0.01), 2)
    assert all(value.dtype == np.float32 for value in p32.values())


def test_masked_members_equal_masked_single_model_and_shared_inputs_broadcast():
    params = ensemble.init_ensemble(SEEDS, 2, 3, 1, forget_bias=1.0)
    x, y, weights, mask = _batch(1)
    losses, grads = ensemble.ensemble_loss_and_grads(params, x[0], y[0], weights[0], mask[0])
    for r in range(3):
        loss, single = masking.masked_loss_and_grads(ensemble.member(params, r), x[0], y[0], mask[0], weights[0])
        assert losses[r] == pytest.approx(loss, rel=1e-12)
        for name in single:
            np.testing.assert_allclose(grads[name][r], single[name], atol=1e-12)


def test_ensemble_gradients_numerically():
    params = ensemble.init_ensemble([1, 2], 2, 2, 1)
    x, y, weights, mask = _batch(2, R=2, N=2, T=4)

    def loss(Wx, Wh, b, Wy, by):
        return np.array(ensemble.ensemble_loss_and_grads(dict(Wx=Wx, Wh=Wh, b=b, Wy=Wy, by=by),
                                                         x, y, weights, mask)[0].sum())

    grads = ensemble.ensemble_loss_and_grads(params, x, y, weights, mask)[1]
    errors = check_gradients(loss, params, grads, np.array(1.0), verbose=False)
    assert max(errors.values()) <= 1e-7, errors


def test_fit_ensemble_equals_separate_runs_with_the_same_seeds():
    x, y, weights, mask = _batch(3)
    params = ensemble.init_ensemble(SEEDS, 2, 3, 1, forget_bias=1.0)
    batches = [tuple(a[:, ::-1] if u % 2 else a for a in (x, y, weights, mask)) for u in range(6)]
    history = ensemble.fit_ensemble(params, lambda u: batches[u], Adam(0.05), 6)
    assert history.shape == (6, 3)
    for r, seed in enumerate(SEEDS):
        single = recurrent.init_params("lstm", 2, 3, 1, rng=seed, forget_bias=1.0)
        optimizer = Adam(0.05)
        for u in range(6):
            bx, by, bw, bm = (a[r] for a in batches[u])
            optimizer.step(single, masking.masked_loss_and_grads(single, bx, by, bm, bw)[1])
        for name in single:
            np.testing.assert_allclose(params[name][r], single[name], atol=1e-12)


def test_bad_inputs():
    params = ensemble.init_ensemble(SEEDS, 2, 3, 1)
    x, y, weights, mask = _batch()
    with pytest.raises(ValueError, match="x must have shape"):
        ensemble.ensemble_forward(params, x[..., :1])
    with pytest.raises(ValueError, match="mask must have shape"):
        ensemble.ensemble_forward(params, x, mask[:, :2])
    with pytest.raises(ValueError, match="seeds is empty"):
        ensemble.init_ensemble([], 2, 3, 1)
    with pytest.raises(ValueError, match="params must be a dict"):
        ensemble.ensemble_forward({"Wx": params["Wx"]}, x)
