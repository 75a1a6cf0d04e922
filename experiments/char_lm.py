"""Chapter 8's experiment: TBPTT configurations of a character LSTM on *Moby-Dick* at equal compute, then a long run.

Corpus: :func:`lstm_course.data.corpus.load_moby_dick` (chapters 1-111 train, 112-128 validation, 129-135 test).
Every run is :func:`lstm_course.lab.char_lm.run_configuration`: a float32 LSTM with forget bias 1, stateful batches,
Adam with a learning rate falling linearly to 5 %, the per-character loss's gradient clipped at 1, the checkpoint with
the best validation bits per character kept and only that checkpoint scored on test.

1. **Comparison** (``--hidden 128``): TBPTT(25, 25), TBPTT(50, 50), TBPTT(10, 50) (overlapping windows, the stored
   activations reused) and TBPTT(25, 25) with the state reset every window, each for seeds 1, 2, 3 and the same
   number of cell-steps forward + backward (``--budget``), counted as in Chapter 6. Two runs at a time, one core each.
2. **Longer runs** (``--final-hidden 256``): the configuration with the lowest mean validation bits per character
   and every configuration the seeds do not separate from it (some seed of each at least as low as the worst
   seed of the best), seed 1, ``--final-budget`` cell-steps, once for each dropout rate on the readout's input
   (``--final-dropout``; without dropout this model overfits the million training characters), two at a time on
   one core each. The run with the lowest validation bits per character is the experiment's model: samples at
   three temperatures from its kept checkpoint.

Writes ``experiments/results/char_lm_runs.csv`` (one row per run), ``char_lm_curves.csv`` (one row per validation
measurement) and ``char_lm_samples.json``. Regenerate them from the repository root (about 30 minutes on 2 quiet
cores, after ``npm ci --prefix _vendor``)::

    python experiments/char_lm.py

``--reuse-comparison`` keeps the rows and curves already in the CSVs (the comparison, and longer runs at other
dropout rates) and runs only the longer runs at the rates given. The CSVs in the repository also hold a longer run
of TBPTT(25, 25) with the state reset and no dropout (made by an earlier version of this script: 72,000,000
cell-steps on two BLAS threads), and two at dropout 0.2 and 0.4 (``--reuse-comparison --final-dropout 0.2 0.4``
with that configuration the only finalist), kept by the ``--reuse-comparison`` run that wrote the finalists.
"""
import argparse
import csv
import json
import multiprocessing
import pathlib
import time

import numpy as np

from lstm_course.data import corpus
from lstm_course.lab import char_lm
from lstm_course.models import charlm

CONFIGS = [(25, 25, True), (50, 50, True), (10, 50, True), (25, 25, False)]
SEEDS = (1, 2, 3)
TEMPERATURES = (0.5, 0.8, 1.0)
PRIME = "Call me Ishmael. "
RESULTS = pathlib.Path(__file__).resolve().parent / "results"

def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=128, help="hidden units of the comparison runs")
    parser.add_argument("--budget", type=int, default=6_000_000, help="cell-steps per comparison run")
    parser.add_argument("--final-hidden", type=int, default=256, help="hidden units of the longer run")
    parser.add_argument("--final-budget", type=int, default=44_000_000, help="cell-steps of each longer run")
    parser.add_argument("--final-dropout", type=float, nargs="+", default=[0.5],
                        help="dropout rates of the longer runs")
    parser.add_argument("--reuse-comparison", action="store_true",
                        help="read the comparison from the CSVs instead of running it")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--workers", type=int, default=2, help="comparison runs at a time (one core each)")
    return parser.parse_args()


def run(task):
    """One run (a worker process); returns its CSV row, its curve and, for the longer run, its kept weights."""
    phase, (k1, k2, stateful), seed, hidden, budget, dropout, args = task
    split = corpus.load_moby_dick()
    start = time.perf_counter()
    result = char_lm.run_configuration(split.train.codes, split.validation.codes, split.test.codes,
                                       len(split.alphabet), k1, k2, stateful, seed, hidden, budget,
                                       batch_size=args.batch_size, learning_rate=args.learning_rate,
                                       threads=1, dropout=dropout)
    history = result.history
    row = {"phase": phase, "k1": k1, "k2": k2, "stateful": stateful, "seed": seed, "hidden_size": hidden,
           "batch_size": args.batch_size, "budget": budget, "dropout": dropout, "updates": int(history.updates[-1]),
           "characters_read": int(history.updates[-1]) * k1 * args.batch_size,
           "best_valid_bpc": round(result.best_valid_bpc, 4), "test_bpc": round(result.test_bpc, 4),
           "seconds": round(time.perf_counter() - start, 1), "clipped_fraction": round(history.clipped_fraction, 4)}
    curve = [{"phase": phase, "k1": k1, "k2": k2, "stateful": stateful, "seed": seed, "dropout": dropout,
              "updates": int(u),
              "cell_steps": int(s), "valid_bpc": round(float(b), 4)}
             for u, s, b in zip(history.updates, history.cell_steps, history.valid_bpc)]
    print(f"{phase} TBPTT({k1}, {k2}){'' if stateful else ' reset'} seed {seed} dropout {dropout}: best validation "
          f"{result.best_valid_bpc:.3f}, test {result.test_bpc:.3f} bpc, {row['seconds']:.0f} s", flush=True)
    return row, curve, result.params if phase == "final" else None


def write_csv(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def main():
    args = parse_args()
    started = time.perf_counter()
    if args.reuse_comparison:
        def kept(row):
            row.setdefault("dropout", 0.0)
            return row["phase"] == "comparison" or row["dropout"] not in args.final_dropout
        def reread(name):  # the rows as this script wrote them (read_results adds each row's label)
            return [{k: v for k, v in r.items() if k != "label"} for r in char_lm.read_results(RESULTS / name)
                    if kept(r)]
        rows, curves = reread("char_lm_runs.csv"), reread("char_lm_curves.csv")
    else:
        tasks = [("comparison", config, seed, args.hidden, args.budget, 0.0, args) for config in CONFIGS
                 for seed in SEEDS]
        with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
            outputs = pool.map(run, tasks, chunksize=1)
        rows = [row for row, _, _ in outputs]
        curves = [point for _, curve, _ in outputs for point in curve]
    tasks = [("final", config, 1, args.final_hidden, args.final_budget, rate, args)
             for config in char_lm.finalists(rows) for rate in args.final_dropout]
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        finals = pool.map(run, tasks, chunksize=1)
    rows += [row for row, _, _ in finals]
    curves += [point for _, curve, _ in finals for point in curve]
    row, _, params = min(finals, key=lambda output: output[0]["best_valid_bpc"])
    best = (row["k1"], row["k2"], row["stateful"])
    RESULTS.mkdir(exist_ok=True)
    write_csv(RESULTS / "char_lm_runs.csv", rows)
    write_csv(RESULTS / "char_lm_curves.csv", curves)
    vocab = charlm.Vocabulary(corpus.load_moby_dick().alphabet)
    samples = {str(t): charlm.sample(params, vocab, PRIME, 400, t, np.random.default_rng(0)) for t in TEMPERATURES}
    (RESULTS / "char_lm_samples.json").write_text(json.dumps(
        {"configuration": list(best), "dropout": row["dropout"], "test_bpc": row["test_bpc"], "prime": PRIME,
         "samples": samples}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} runs and {len(curves)} measurements to {RESULTS} in "
          f"{(time.perf_counter() - started) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
