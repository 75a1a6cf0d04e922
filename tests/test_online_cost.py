"""Tests for lstm_course.lab.online_cost: the timing of RTRL against TBPTT(1, k2) (Chapter 9)."""
import numpy as np
import pytest
from threadpoolctl import threadpool_info

from lstm_course.lab import online_cost
from lstm_course.online import systems


def test_times_every_method_at_every_size():
    times = online_cost.time_online_steps([4, 8], steps=3, k2s=(2, 5), repeats=2, rng=0)
    assert times.hidden_sizes == (4, 8)
    assert list(times.seconds) == ["RTRL", "TBPTT(1, 2)", "TBPTT(1, 5)"]
    for seconds in times.seconds.values():
        assert seconds.shape == (2,) and np.all(np.isfinite(seconds)) and np.all(seconds > 0)


def test_rtrl_outgrows_tbptt_as_the_count_says():
    # From H = 8 to 64 the count grows more than 3000-fold for RTRL and about 60-fold for
    # TBPTT(1, 4). Per-call overhead flattens both at these sizes (measured: RTRL 36 to 43-fold,
    # TBPTT 1 to 1.4-fold), so the test asks only for a factor 10 between the two growths.
    times = online_cost.time_online_steps([8, 64], steps=5, k2s=(4,), repeats=3, rng=1).seconds
    counted = [systems.multiply_adds_per_step("rtrl", 1, H) for H in (8, 64)]
    assert counted[1] / counted[0] > 3000
    rtrl_growth = times["RTRL"][1] / times["RTRL"][0]
    tbptt_growth = times["TBPTT(1, 4)"][1] / times["TBPTT(1, 4)"][0]
    assert rtrl_growth > 10 * tbptt_growth


def test_the_blas_thread_limit_ends_with_the_call():
    before = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    online_cost.time_online_steps([4], steps=2, k2s=(2,), repeats=1, threads=1, rng=0)
    assert [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"] == before


@pytest.mark.parametrize("arguments, name", [
    (dict(hidden_sizes=[]), "hidden_sizes"),
    (dict(hidden_sizes=[4, 0]), r"hidden_sizes\[1\]"),
    (dict(hidden_sizes=[4], steps=0), "steps"),
    (dict(hidden_sizes=[4], k2s=[2.5]), r"k2s\[0\]"),
    (dict(hidden_sizes=[4], repeats=-1), "repeats"),
    (dict(hidden_sizes=[4], threads="two"), "threads"),
])
def test_bad_arguments_are_named(arguments, name):
    with pytest.raises(ValueError, match=name):
        online_cost.time_online_steps(**arguments)
