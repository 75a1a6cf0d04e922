"""Longer sweeps for Chapter 9 (beyond truncation), written as CSV files.

1. UORO's relative variance E||g~ - g||^2 / ||g||^2 of the full-stream gradient
   of a tanh RNN (one input, a 30-step stream with y = sin(cumsum(x))) against
   the number of hidden units H, with more draws and larger H than the chapter.
2. Influence balancing (10 units, 4 positive) trained online for 10,000 steps with
   learning rate 1e-4 by RTRL, UORO, ARTBP (c = 0.05) and TBPTT(k, k) for several
   k, over more seeds: the final theta and the mean loss of the last 1000 steps.

Usage (a few minutes on one core)::

    python experiments/beyond_truncation.py --hidden 2 4 8 16 32 64 --draws 400 --seeds 0 1 2 3 4 5 6 7 8 9 \\
        --out-dir experiments/results
"""
import argparse
import csv
import pathlib
import sys

import numpy as np

from lstm_course.models import recurrent
from lstm_course.online import artbp, rtrl, systems, uoro


def uoro_variance(H, draws, T=30, seed=0):
    rng = np.random.default_rng(seed)
    params = recurrent.init_params("rnn", 1, H, 1, rng)
    x = rng.normal(size=(1, T, 1))
    y = np.sin(np.cumsum(x, axis=1))
    system = systems.ElmanSystem(params)
    theta = system.theta(params)
    g = system.theta(recurrent.loss_and_grads(params, x, y, "rnn")[1])
    estimates = np.array([systems.run_online(uoro.UORO(system, theta.copy(), rng=i), x, y).gradient_sum
                          for i in range(draws)])
    return float(np.mean(np.sum((estimates - g) ** 2, axis=1)) / np.sum(g ** 2))


def influence_run(method, seed, steps=10_000, learning_rate=1e-4):
    task = systems.InfluenceBalancing(10, 4)
    theta = np.random.default_rng(seed).uniform(-0.1, 0.1, 1)
    if method == "RTRL":
        estimator = rtrl.OnlineRTRL(task, theta)
    elif method == "UORO":
        estimator = uoro.UORO(task, theta, rng=seed)
    elif method == "ARTBP":
        estimator = artbp.ARTBP(task, theta, 0.05, rng=seed)
    else:
        estimator = artbp.TruncatedBPTT(task, theta, int(method.split("=")[1]))
    with np.errstate(over="ignore", invalid="ignore"):
        run = systems.run_online(estimator, *task.stream(steps), learning_rate)
    return float(run.theta[0]), float(run.losses[-1000:].mean()), task.optimum


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hidden", type=int, nargs="+", default=[2, 4, 8, 16, 32, 64])
    parser.add_argument("--draws", type=int, default=400)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--windows", type=int, nargs="+", default=[4, 8, 16, 32, 64])
    parser.add_argument("--out-dir", type=pathlib.Path, default=pathlib.Path("experiments/results"))
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with open(args.out_dir / "uoro_variance.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("hidden_size", "draws", "relative_variance"))
        for H in args.hidden:
            writer.writerow((H, args.draws, uoro_variance(H, args.draws)))
            print(f"H = {H} done", file=sys.stderr)
    methods = ["RTRL", "UORO", "ARTBP"] + [f"TBPTT k={k}" for k in args.windows]
    with open(args.out_dir / "influence_balancing.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("method", "seed", "final_theta", "final_loss", "optimum"))
        for method in methods:
            for seed in args.seeds:
                writer.writerow((method, seed, *influence_run(method, seed)))
            print(f"{method} done", file=sys.stderr)


if __name__ == "__main__":
    main()
