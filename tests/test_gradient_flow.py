"""Tests for lstm_course.lab.gradient_flow: how far a unit error travels back through a layer."""
import numpy as np
import pytest

from lstm_course.lab import gradient_flow
from lstm_course.models import recurrent
from lstm_course.nn.lstm import lstm_backward, lstm_forward


def test_gradient_flow_of_the_1997_cell_with_frozen_gates_is_constant(rng):
    x = rng.normal(size=(3, 40, 2))
    norms = gradient_flow.gradient_flow("lstm1997", x, rng=0, truncated=True)
    np.testing.assert_allclose(norms["dc"], norms["dc"][0], rtol=1e-12)


def test_gradient_flow_matches_the_layer_backward_at_the_start(rng):
    x = rng.normal(size=(3, 12, 2))
    params = recurrent.init_params("lstm", 2, 4, 1, rng=3, forget_bias=1.0)
    norms = gradient_flow.gradient_flow("lstm", x, params=params, rng=5)
    h, _, cache = lstm_forward(x, None, None, params["Wx"], params["Wh"], params["b"])
    dh = np.zeros_like(h)
    dh[:, -1] = gradient_flow.unit_upstream(h.shape[0], h.shape[2], rng=5)
    _, dh0, dc0, *_ = lstm_backward(dh, cache)
    np.testing.assert_allclose(norms["dh"][-1], np.linalg.norm(dh0), rtol=1e-12)
    np.testing.assert_allclose(norms["dc"][-1], np.linalg.norm(dc0), rtol=1e-12)
    assert norms["distance"][0] == 1 and norms["distance"][-1] == 12


def test_gradient_flow_rejects_unknown_cells(rng):
    with pytest.raises(ValueError, match="cell must be one of"):
        gradient_flow.gradient_flow("gru", rng.normal(size=(1, 3, 2)))
