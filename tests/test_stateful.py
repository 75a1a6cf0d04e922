import numpy as np

from lstm_course.data import chunking, tasks
from lstm_course.models import recurrent
from lstm_course.train import stateful
from lstm_course.train.optim import Adam
from lstm_course.train.tbptt.engine import TBPTTTrainer


def test_stateful_forward_matches_full_sequences_only_in_stateful_order():
    rng = np.random.default_rng(0)
    params = recurrent.init_params("lstm", 1, 3, 1, rng=1)
    X = rng.normal(size=(4, 12, 1))
    full = recurrent.forward(params, X, "lstm")[1]["h"]
    good = stateful.stateful_forward(params, chunking.stateful_sample_order(X, 3, 4), 4, reset_every=4)
    index = chunking.stateful_sample_index(4, 4, 4)
    np.testing.assert_allclose(good, full.reshape(4, 4, 3, 3)[index], atol=1e-14)
    naive = stateful.stateful_forward(params, chunking.split_subsequences(X, 3), 4, reset_every=4)
    assert np.abs(naive - full.reshape(16, 3, 3)).max() > 1e-3
    one_by_one = stateful.stateful_forward(params, chunking.split_subsequences(X, 3), 1, reset_every=4)
    np.testing.assert_allclose(one_by_one, full.reshape(16, 3, 3), atol=1e-14)


def test_fit_stateful_whole_sequences_equals_full_bptt_updates():
    data = tasks.delay_task(4, 6, 2, rng=0)
    params = recurrent.init_params("lstm", 1, 3, 1, rng=2)
    reference = {k: v.copy() for k, v in params.items()}
    stateful.fit_stateful(params, data.x, data.y, data.step_weights, 6, 4, Adam(0.01), 3)
    optimizer = Adam(0.01)
    for _ in range(3):
        optimizer.step(reference, recurrent.loss_and_grads(reference, data.x, data.y, "lstm", data.step_weights)[1])
    for name in params:
        np.testing.assert_allclose(params[name], reference[name], atol=1e-12)


def test_fit_stateful_equals_the_tbptt_engine_with_k1_equal_k2():
    data = tasks.delay_task(4, 12, 2, rng=1)
    carried = recurrent.init_params("lstm", 1, 3, 1, rng=3, forget_bias=1.0)
    engine = {k: v.copy() for k, v in carried.items()}
    stateful.fit_stateful(carried, data.x, data.y, data.step_weights, 3, 4, Adam(0.02), 1)
    TBPTTTrainer(engine, Adam(0.02), 3, 3).fit_stream([data])
    for name in engine:
        np.testing.assert_allclose(carried[name], engine[name], atol=1e-12)
