"""Peak memory of streaming TBPTT training does not grow with the stream length.

Trains a small LSTM with :class:`lstm_course.train.tbptt.engine.TBPTTTrainer` through a
1,000-step, a 100,000-step and a 1,000,000-step stream of noisy sine waves produced chunk
by chunk by a generator, so a long stream never exists in memory whole. The trainer keeps
no per-update log (``record=False``); a callback keeps the count of updates and the mean
loss of the last 100, which is all that is printed. Peak memory is measured with
``tracemalloc`` (Python-level allocations, including every numpy array, traced from the
start of each run), not the process RSS. The last line printed is ``ratios R1 R2`` with
R1 = peak(100k) / peak(1k) and R2 = peak(1M) / peak(1k); the trainer's ring buffer keeps
both near 1 (targets R1 <= 1.05, R2 <= 1.05).

Run: ``python benchmarks/tbptt_memory.py`` (tracemalloc slows every allocation down: about
18 minutes on a busy 2-core machine, 16 of them the 1M-step stream; ``--steps 1000 100000`` skips it).
"""
import argparse
import collections
import time
import tracemalloc

import numpy as np

from lstm_course.models import recurrent
from lstm_course.train import optim
from lstm_course.train.tbptt.engine import TBPTTTrainer

N, H, K1, K2, CHUNK = 8, 16, 25, 50, 500


def noisy_sine_stream(n_steps, rng, period=20.0, noise=0.1):
    """Yield (x, y) chunks of one continuous next-step-prediction stream per batch row."""
    phase = rng.uniform(0.0, 2 * np.pi, size=(N, 1))
    for start in range(0, n_steps, CHUNK):
        steps = np.arange(start, min(start + CHUNK, n_steps) + 1)
        series = np.sin(2 * np.pi * steps / period + phase) + noise * rng.normal(size=(N, len(steps)))
        yield series[:, :-1, None], series[:, 1:, None]


def peak_memory(n_steps):
    rng = np.random.default_rng(0)
    params = recurrent.init_params("lstm", 1, H, 1, rng, forget_bias=1.0)
    trainer = TBPTTTrainer(params, optim.Adam(1e-3), K1, K2, "lstm")
    recent, count = collections.deque(maxlen=100), [0]

    def watch(t, loss, grads):
        count[0] += 1
        recent.append(loss / (N * K1))     # every update of this stream injects N x K1 targets

    tracemalloc.start()
    start = time.perf_counter()
    trainer.fit_stream(noisy_sine_stream(n_steps, rng), on_update=watch, record=False)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{n_steps:>9} steps: {count[0]:>6} updates, mean loss of the last 100 {np.mean(recent):.4f}, "
          f"peak {peak / 1024:.1f} KiB, {seconds:.1f} s", flush=True)
    return peak


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[1_000, 100_000, 1_000_000],
                        help="stream lengths; the first is the reference of the ratios")
    args = parser.parse_args()
    print(f"TBPTT({K1}, {K2}) LSTM, N={N}, H={H}, chunks of {CHUNK} steps; peak memory measured with tracemalloc")
    peaks = [peak_memory(n_steps) for n_steps in args.steps]
    print("ratios " + " ".join(f"{peak / peaks[0]:.3f}" for peak in peaks[1:]))
