import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_course.data.tasks import adding_problem, delay_task, noisy_sine


def test_noisy_sine_target_is_the_next_input():
    data = noisy_sine(4, 30, rng=0)
    assert data.x.shape == data.y.shape == (4, 30, 1) and data.step_weights.shape == (4, 30)
    np.testing.assert_array_equal(data.y[:, :-1], data.x[:, 1:])      # y_t = x_{t+1}
    np.testing.assert_array_equal(data.step_weights, 1.0)


def test_noisy_sine_without_noise_is_a_sine_with_period_in_range():
    data = noisy_sine(3, 200, rng=1, noise=0.0, period_range=(10.0, 10.0))
    series = data.x[:, :, 0]
    assert np.abs(series).max() <= 1.0
    np.testing.assert_allclose(series[:, 10:], series[:, :-10], atol=1e-12)   # period exactly 10


@given(st.integers(1, 5), st.integers(2, 25), st.data())
def test_delay_task_echoes_the_input_lag_steps_later(n_sequences, length, data):
    lag = data.draw(st.integers(1, length - 1))
    task = delay_task(n_sequences, length, lag, rng=data.draw(st.integers(0, 2**31)))
    np.testing.assert_array_equal(task.y[:, lag:], task.x[:, :-lag])     # y_t = x_{t-lag}
    np.testing.assert_array_equal(task.step_weights[:, :lag], 0.0)
    np.testing.assert_array_equal(task.step_weights[:, lag:], 1.0)
    assert np.all(np.abs(task.x) <= 1.0)


def sequence_lengths(task):
    return task.step_weights.argmax(axis=1) + 1   # the one weighted step is each sequence's last


@given(st.integers(6, 120), st.integers(0, 2**31), st.booleans())
def test_adding_problem_follows_the_1997_definition(T, seed, variable_length):
    task = adding_problem(20, T, rng=seed, variable_length=variable_length)
    values, markers = task.x[..., 0], task.x[..., 1]
    lengths = sequence_lengths(task)
    np.testing.assert_array_equal(task.step_weights.sum(axis=1), 1.0)
    assert lengths.min() >= T and lengths.max() <= T + T // 10
    if not variable_length:
        assert np.all(lengths == T)
    for n, length in enumerate(lengths):
        marked = np.flatnonzero(markers[n] == 1.0)
        assert len(marked) == 2                                     # two distinct marked pairs
        first, second = marked                                      # sorted positions
        # One marker lies among the first 10 pairs, the other among the first T/2 - 1 pairs.
        first_ten, first_half = min(10, T), T // 2 - 1
        assert (first < first_ten and second < first_half) or (second < first_ten and first < first_half)
        unmarked_ends = [end for end in (0, length - 1) if end not in marked]
        np.testing.assert_array_equal(markers[n, unmarked_ends], -1.0)
        others = np.setdiff1d(np.arange(length), np.concatenate([marked, [0, length - 1]]))
        np.testing.assert_array_equal(markers[n, others], 0.0)
        if first == 0:
            assert values[n, 0] == 0.0                              # the paper's rule for a marked first pair
        assert np.all(np.abs(values[n, :length]) <= 1.0)
        np.testing.assert_array_equal(task.x[n, length:], 0.0)      # padding
        target = 0.5 + (values[n, first] + values[n, second]) / 4.0
        assert task.y[n, length - 1, 0] == pytest.approx(target, abs=1e-15)
        assert np.count_nonzero(task.y[n]) <= 1


def test_adding_problem_marks_the_first_pair_sometimes_and_then_zeroes_its_value():
    task = adding_problem(400, 20, rng=3)
    first_marked = task.x[:, 0, 1] == 1.0
    assert first_marked.any()
    np.testing.assert_array_equal(task.x[first_marked, 0, 0], 0.0)
    assert np.all(task.x[~first_marked, 0, 1] == -1.0)


def test_adding_problem_markers_reach_both_ends_of_their_ranges():
    markers = adding_problem(3000, 100, rng=6, variable_length=False).x[..., 1]
    positions = np.array([np.flatnonzero(row == 1.0) for row in markers])   # (N, 2), sorted
    assert positions[:, 0].max() == 9          # the smaller one is the "first ten" marker at most
    assert positions[:, 1].max() == 48         # the last of the first T/2 - 1 = 49 pairs
    assert positions.min() == 0


def test_adding_problem_lengths_cover_the_whole_range():
    lengths = sequence_lengths(adding_problem(500, 50, rng=4))
    assert set(lengths) == set(range(50, 56))


def test_adding_problem_targets_lie_between_0_and_1():
    task = adding_problem(300, 30, rng=5)
    targets = task.y[task.step_weights == 1.0]
    assert targets.min() >= 0.0 and targets.max() <= 1.0


@pytest.mark.parametrize("make", [lambda rng: noisy_sine(3, 15, rng), lambda rng: delay_task(3, 15, 4, rng),
                                  lambda rng: adding_problem(3, 15, rng)])
def test_generators_are_deterministic_given_a_seed_and_accept_a_generator(make):
    first, again, other = make(7), make(7), make(8)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.x, other.x)
    from_generator = make(np.random.default_rng(7))
    np.testing.assert_array_equal(from_generator.x, first.x)


def test_bad_inputs_raise_value_errors():
    with pytest.raises(ValueError, match="n_sequences must be a positive integer"):
        noisy_sine(2.5, 10)
    with pytest.raises(ValueError, match="length must be >= 1"):
        noisy_sine(2, 0)
    with pytest.raises(ValueError, match="period_range must be"):
        noisy_sine(2, 10, period_range=(5.0, 1.0))
    with pytest.raises(ValueError, match="lag must be smaller than length"):
        delay_task(2, 5, 5)
    with pytest.raises(ValueError, match="lag must be >= 1"):
        delay_task(2, 5, 0)
    with pytest.raises(ValueError, match="min_length must be >= 6"):
        adding_problem(2, 5)


def test_window_sum_task():
    from lstm_course.data.tasks import window_sum_task

    delay, window = delay_task(3, 9, 1, rng=4), window_sum_task(3, 9, 1, rng=4)
    for a, b in zip(delay, window):
        np.testing.assert_array_equal(a, b)
    data = window_sum_task(2, 10, 3, rng=0)
    for t in range(3, 10):
        np.testing.assert_allclose(data.y[:, t], data.x[:, t - 3:t].sum(axis=1), atol=1e-14)
    with pytest.raises(ValueError, match="window must be smaller"):
        window_sum_task(2, 4, 4)
