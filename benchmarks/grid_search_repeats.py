"""Cost of 30 repeats versus 1 in the vectorised grid search of Chapter 7.

``grid_search_timesteps`` trains all repeats of a configuration as one
ensemble (``lstm_course.models.ensemble``): R models stacked on a leading axis share
every Python-level step. This script times the chapter's grid-search
configuration with R = 1 and R = 30 in the same process and prints the ratio
(goal: at most 5, against 30 for a loop of separate runs) as its last line.

Run: ``python benchmarks/grid_search_repeats.py``
"""
import time

from lstm_course.data import tasks
from lstm_course.lab import grid_search

# The chapter's grid (task, lengths, network and batch size) with a third of its epochs:
# the ratio is a per-update cost ratio, so the number of epochs does not change it.
SETTINGS = dict(lengths=[3, 6, 8, 10, 12, 24], hidden_size=8, n_epochs=10, batch_size=8, learning_rate=0.01)


def make_task(rng):
    return tasks.delay_task(48, 24, 4, rng)


def best_time(repeats, trials=3):
    """Fastest of several runs, to suppress noise from other processes."""
    times = []
    for _ in range(trials):
        start = time.perf_counter()
        grid_search.grid_search_timesteps(make_task, repeats=repeats, **SETTINGS)
        times.append(time.perf_counter() - start)
    return min(times)


if __name__ == "__main__":
    single, ensemble = best_time(1), best_time(30)
    print(f"R=1: {single:.3f} s   R=30 ensemble: {ensemble:.3f} s   (a loop of 30 runs: ~{30 * single:.2f} s)")
    print(f"ratio {ensemble / single:.2f}")
