"""Full-size LSTM vs tanh-RNN comparison on the adding problem (Chapter 5).

A scaled reproduction of Hochreiter & Schmidhuber (1997), Experiment 4. For
every minimum length T, cell and seed, one model (32 hidden units, linear
readout) is trained with full BPTT, Adam (learning rate 0.003), batches of 32
sequences and global gradient-norm clipping at 1, for the same number of
updates (5000, i.e. 160,000 training sequences); then the fraction of 1000
held-out sequences with absolute error below 0.04 (the paper's criterion) is
recorded. The LSTM starts with forget bias 5. All the work is done by :func:`lstm_course.lab.adding.run_grid`.

Regenerate the table the chapter shows (about 35 minutes on one core; every run
is seeded on its own, so splitting ``--lengths`` over several processes and
concatenating the rows gives the same file)::

    python experiments/adding_problem.py --lengths 10 30 60 100 --seeds 0 1 2 3 4 \\
        --updates 5000 --learning-rate 0.003 --out experiments/results/adding_problem.csv
"""
import argparse
import csv
import pathlib
import sys
import time

from lstm_course.lab.adding import run_grid

COLUMNS = ("cell", "length", "seed", "n_updates", "batch_size", "hidden_size", "train_sequences",
           "final_train_loss", "test_mae", "success_rate")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Regenerate the chapter's table with: python experiments/adding_problem.py "
               "--lengths 10 30 60 100 --seeds 0 1 2 3 4 --updates 5000 "
               "--learning-rate 0.003 --out experiments/results/adding_problem.csv")
    parser.add_argument("--lengths", type=int, nargs="+", default=[10, 30, 60, 100],
                        help="minimum sequence lengths T (default: 10 30 60 100)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4],
                        help="random seeds, one run per seed (default: 0 1 2 3 4)")
    parser.add_argument("--cells", nargs="+", default=["rnn", "lstm"], choices=["rnn", "lstm"])
    parser.add_argument("--updates", type=int, default=5000, help="Adam updates per run (default: 5000)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--hidden-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=3e-3,
                        help="Adam learning rate (default: 0.003; 0.01 left 3 of 5 LSTM runs stuck at T=100)")
    parser.add_argument("--out", type=pathlib.Path,
                        default=pathlib.Path(__file__).parent / "results" / "adding_problem.csv")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    start = time.perf_counter()
    rows = run_grid(args.cells, args.lengths, args.seeds, args.updates, progress=True,
                    batch_size=args.batch_size, hidden_size=args.hidden_size,
                    learning_rate=args.learning_rate)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({key: (f"{value:.6g}" if isinstance(value, float) else value)
                             for key, value in row.items()})
    print(f"wrote {len(rows)} runs to {args.out} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
