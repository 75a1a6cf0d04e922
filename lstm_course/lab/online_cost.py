"""The cost per step of the online gradient methods, measured (Chapter 9).

:func:`lstm_course.online.systems.multiply_adds_per_step` counts the arithmetic of
RTRL, UORO, ARTBP and TBPTT(1, k2); :func:`time_online_steps` times RTRL and
TBPTT(1, k2) on the same tanh RNN, so that a chapter can set the measured growth
in H beside the counted one.
"""
import time
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from lstm_course._progress import progress_bar
from lstm_course._validation import as_rng, check_positive_int, check_sequence
from lstm_course.models import recurrent
from lstm_course.online import rtrl, systems
from lstm_course.train.tbptt import engine


class StepTimes(NamedTuple):
    """Fastest seconds per step, one array ``(len(hidden_sizes),)`` per method.

    ``seconds`` maps ``"RTRL"`` and ``"TBPTT(1, k2)"`` for each k2 to its times.
    """

    hidden_sizes: tuple
    seconds: dict


def time_online_steps(hidden_sizes, steps=10, k2s=(4, 16), repeats=7, threads=1, rng=None, progress=False):
    """Wall-clock seconds per step of RTRL and of TBPTT(1, k2), tanh RNN, one sequence.

    For each H, one input and one output (D = O = 1), RTRL runs ``steps`` steps online
    (:class:`lstm_course.online.rtrl.OnlineRTRL`) and TBPTT(1, k2) produces a gradient
    at every one of the same steps (:func:`lstm_course.train.tbptt.engine.tbptt_gradients`).
    Each run is repeated ``repeats`` times and the fastest is kept. The repeats are
    interleaved (every size and method once, then again), so a slow spell of a shared
    machine lands on every size instead of bending one end of the curve. numpy's BLAS
    is limited to ``threads`` threads (threadpoolctl) while timing: on a busy machine
    OpenBLAS's threads wait for each other, and a product can become ten times slower.

    Parameters
    ----------
    hidden_sizes : sequence of int
        The sizes H to time.
    steps : int
        Steps T of each timed stream.
    k2s : sequence of int
        The truncation lengths of the TBPTT(1, k2) runs.
    repeats : int
        Timed runs of each method at each size (after one untimed warm-up run).
    threads : int or None
        BLAS threads while timing (None: leave numpy's setting).
    rng : int or numpy.random.Generator, optional
        Seeds the weights and the random stream.
    progress : bool
        Show a tqdm progress bar over the repeats.

    Returns
    -------
    StepTimes
    """
    hidden_sizes = tuple(check_sequence("hidden_sizes", hidden_sizes, check_positive_int))
    T = check_positive_int("steps", steps)
    k2s = check_sequence("k2s", k2s, check_positive_int)
    repeats = check_positive_int("repeats", repeats)
    threads = check_positive_int("threads", threads, allow_none=True)
    rng = as_rng("rng", rng)
    runs = {}
    for H in hidden_sizes:
        params = recurrent.init_params("rnn", 1, H, 1, rng)
        x, y = rng.normal(size=(1, T, 1)), rng.normal(size=(1, T, 1))
        system = systems.ElmanSystem(params)
        theta = system.theta(params)
        runs["RTRL", H] = lambda s=system, th=theta, x=x, y=y: systems.run_online(rtrl.OnlineRTRL(s, th), x, y)
        for k2 in k2s:
            runs[f"TBPTT(1, {k2})", H] = lambda p=params, x=x, y=y, k2=k2: engine.tbptt_gradients(p, x, y, 1, k2,
                                                                                                 "rnn")
    fastest = dict.fromkeys(runs, np.inf)
    with threadpool_limits(limits=threads, user_api="blas"):
        for run in runs.values():
            run()  # warm-up: first-call allocations are not the method's cost
        for _ in progress_bar(range(repeats), progress, desc="timing online steps"):
            for key, run in runs.items():
                start = time.perf_counter()
                run()
                fastest[key] = min(fastest[key], time.perf_counter() - start)
    names = dict.fromkeys(name for name, _ in runs)
    return StepTimes(hidden_sizes, {name: np.array([fastest[name, H] / T for H in hidden_sizes]) for name in names})
