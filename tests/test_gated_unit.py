"""Tests for lstm_course.lab.gated_unit: one gated unit's carousel, traced step by step."""
import numpy as np
import pytest

from lstm_course.lab.gated_unit import gated_unit_trace, input_sequence
from lstm_course.nn.activations import sigmoid


def test_gated_unit_trace_follows_the_carousel_equation():
    inputs = input_sequence("two pulses", 30, start=4)
    trace = gated_unit_trace(inputs, input_gate=1.0, forget_gate=2.0, output_gate=-1.0)
    i, f, o = sigmoid(1.0), sigmoid(2.0), sigmoid(-1.0)
    c = np.zeros(31)
    for t in range(30):
        c[t + 1] = f * c[t] + i * np.tanh(3.0 * inputs[t])
    np.testing.assert_allclose(trace["c"], c[1:], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(trace["h"], o * np.tanh(c[1:]), rtol=1e-13, atol=1e-15)


def test_gated_unit_trace_accepts_per_step_gates_and_rejects_bad_patterns():
    forget = np.full(10, 10.0)
    forget[6] = -10.0
    trace = gated_unit_trace(input_sequence("pulse", 10, start=2), 10.0, forget, 10.0)
    assert trace["c"][5] > 0.99 and abs(trace["c"][6]) < 1e-3
    with pytest.raises(ValueError, match="pattern must be one of"):
        input_sequence("square", 10)
