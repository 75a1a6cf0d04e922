"""The 1997 rule carried forward in time equals the truncated backward walk, in memory flat in T."""
import tracemalloc

import numpy as np
import pytest

from lstm_course.nn.gradcheck import rel_error
from lstm_course.nn.lstm1997 import init_lstm1997_params, lstm1997_backward, lstm1997_forward
from lstm_course.online import lstm1997_rtrl


@pytest.mark.parametrize("N, T, D, C, S", [(2, 7, 3, 2, 3), (1, 1, 1, 1, 1), (3, 12, 2, 3, 1)])
@pytest.mark.parametrize("with_ds", [False, True])
def test_equals_the_truncated_backward_rule(N, T, D, C, S, with_ds):
    rng = np.random.default_rng(N * 100 + T)
    x, y0, s0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, C * S)), rng.normal(size=(N, C * S))
    Wx, Wh, b = init_lstm1997_params(D, C, S, rng, scale=0.5)
    y, s, cache = lstm1997_forward(x, y0, s0, Wx, Wh, b, block_size=S)
    dy = rng.normal(size=y.shape)
    ds = rng.normal(size=s.shape) if with_ds else None
    expected = lstm1997_backward(dy, cache, ds, truncated=True)[3:]
    result = lstm1997_rtrl.lstm1997_forward_gradient(x, y0, s0, Wx, Wh, b, dy, ds, block_size=S)
    for got, want in zip(result[:3], expected):
        assert rel_error(got, want) < 1e-12
    assert np.array_equal(result.y, y[:, -1]) and np.array_equal(result.s, s[:, -1])


def test_memory_does_not_grow_with_the_sequence_length():
    Wx, Wh, b = init_lstm1997_params(4, 8, 1, rng=1)
    peaks = []
    for T in (100, 400, 1600):
        rng = np.random.default_rng(T)
        x, dy, zeros = rng.normal(size=(16, T, 4)), rng.normal(size=(16, T, 8)), np.zeros((16, 8))
        tracemalloc.start()
        lstm1997_rtrl._forward_gradient(x, zeros, zeros, Wx, Wh, b, dy, None, 1)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert max(peaks) < 1.1 * min(peaks)


def test_rejects_a_dy_of_the_wrong_shape():
    Wx, Wh, b = init_lstm1997_params(2, 2, 1, rng=0)
    with pytest.raises(ValueError, match="dy"):
        lstm1997_rtrl.lstm1997_forward_gradient(np.zeros((1, 3, 2)), None, None, Wx, Wh, b, np.zeros((1, 2, 2)))
