"""Tests for lstm_course.lab.complexity: parameters and FLOPs per step, counted by hand."""
import pytest

from lstm_course.lab import complexity
from lstm_course.models import recurrent
from lstm_course.nn.lstm1997 import init_lstm1997_params


# Counted by hand as Wx + Wh + b + Wy + by, e.g. the LSTM with D, H, O = 3, 8, 2:
# 3*32 + 8*32 + 32 + 8*2 + 2 = 96 + 256 + 32 + 16 + 2 = 402.
@pytest.mark.parametrize("cell, D, H, O, count", [
    ("rnn", 1, 1, 1, 1 + 1 + 1 + 1 + 1), ("lstm", 1, 1, 1, 4 + 4 + 4 + 1 + 1),
    ("rnn", 3, 8, 2, 24 + 64 + 8 + 16 + 2), ("lstm", 3, 8, 2, 96 + 256 + 32 + 16 + 2),
    ("rnn", 10, 32, 5, 320 + 1024 + 32 + 160 + 5), ("lstm", 10, 32, 5, 1280 + 4096 + 128 + 160 + 5)])
def test_parameter_count_matches_a_hand_count_and_the_initialised_arrays(cell, D, H, O, count):
    params = recurrent.init_params(cell, D, H, O, rng=0)
    assert complexity.parameter_count(cell, D, H, O) == count
    assert complexity.count_parameters(params) == sum(value.size for value in params.values()) == count


def test_flops_per_step_are_proportional_to_the_weights():
    ratios = [complexity.flops_per_step("lstm", D, H, 1)["total"] / complexity.parameter_count("lstm", D, H, 1)
              for D, H in [(2, 8), (8, 64), (32, 512)]]
    assert all(5.0 <= ratio <= 8.0 for ratio in ratios), ratios


def test_flops_per_step_match_a_hand_count():
    counts = complexity.flops_per_step("rnn", 2, 3, 1)
    # z = x Wx + h Wh + b: 2*(2+3)*3 + 3; tanh: 3; readout 2*3*1 + 1.
    assert counts["forward"] == 2 * 5 * 3 + 3 + 3 + 2 * 3 + 1


def test_1997_weight_count_and_step_count():
    # One output, one block of two cells, no hidden units, two inputs (the cells' own outputs feed back).
    K, C, S, H, I = 1, 1, 2, 0, 4
    # Weights: the output unit reads the 2 cell outputs (2); each of the 2 cells reads the 4 inputs (8);
    # the block's input and output gates read the 4 inputs (8). 2 + 8 + 8 = 18.
    assert complexity.lstm1997_weight_count(K, C, S, H, I) == 18
    # Hochreiter & Schmidhuber's per-step update count K + 2KH + KC + 2KSC + HI + CI + 4CSI,
    # term by term for these sizes: 1 + 0 + 1 + 4 + 0 + 4 + 32 = 42.
    assert complexity.lstm1997_backward_steps(K, C, S, H, I) == 42
    Wx, Wh, b = init_lstm1997_params(2, C, S)
    # Our layer has biases (one per gate and cell: I counts a bias unit) and no hidden units.
    assert complexity.lstm1997_weight_count(0, C, S, 0, 2 + C * S + 1) == Wx.size + Wh.size + b.size


def test_complexity_rejects_bad_sizes():
    with pytest.raises(ValueError, match="C must be >= 1"):
        complexity.lstm1997_weight_count(1, 0, 1, 0, 1)
    with pytest.raises(ValueError, match="cell must be one of"):
        complexity.flops_per_step("gru", 1, 1, 1)
