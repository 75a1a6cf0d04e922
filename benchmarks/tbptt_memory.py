"""Peak memory of streaming TBPTT training does not grow with the stream length.

Trains a small LSTM with :class:`lstm_course.train.tbptt.engine.TBPTTTrainer` through a
1,000-step and a 100,000-step stream of noisy sine waves produced chunk by
chunk by a generator, so the long stream never exists in memory whole. Peak
memory is measured with ``tracemalloc`` (Python-level allocations, including
every numpy array, traced from the start of each run), not the process RSS.
The last line printed is ``ratio R`` with R = peak(100k) / peak(1k); the
trainer's ring buffer keeps it near 1 (target R <= 1.2).

Run: ``python benchmarks/tbptt_memory.py`` (about a minute).
"""
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
    tracemalloc.start()
    start = time.perf_counter()
    history = trainer.fit_stream(noisy_sine_stream(n_steps, rng))
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{n_steps:>7} steps: {len(history.update_times):>5} updates, "
          f"final mean loss {history.mean_losses[-1]:.4f}, peak {peak / 1024:.1f} KiB, {seconds:.1f} s")
    return peak


if __name__ == "__main__":
    print(f"TBPTT({K1}, {K2}) LSTM, N={N}, H={H}, chunks of {CHUNK} steps; "
          "peak memory measured with tracemalloc")
    short, long = peak_memory(1_000), peak_memory(100_000)
    print(f"ratio {long / short:.3f}")
