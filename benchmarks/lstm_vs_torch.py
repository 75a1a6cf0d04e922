"""The numpy LSTM's forward + backward against ``torch.nn.LSTM``, in one run.

For each case, one training step's worth of work is timed on both sides:
:func:`lstm_course.nn.lstm.lstm_forward` + :func:`lstm_course.nn.lstm.lstm_backward`
with a gradient on every hidden output, and ``torch.nn.LSTM`` (CPU,
``batch_first=True``, ``torch.set_num_threads(2)``) forward + ``backward``
with gradients for the inputs and all weights. Both get the same weights
(:func:`lstm_course.nn.lstm.to_torch`) and the same upstream gradient. Each side
is timed 7 times in its own block (after a warm-up and a pause; interleaved
runs make the two libraries' thread pools compete) and the medians are compared; the ratio is
numpy's time over torch's (below 1 means numpy is faster).

The GFLOP/s column counts the flops of the six matrix products of a forward
and backward pass (``lstm_flops``: 24 N T H (D + H)) and compares them with a numpy matrix-product peak (a square
float product) measured in the same run, so a busy machine shows up as a low
peak rather than as a wrong ratio.

Targets (issue 13): ratio <= 0.75 (float64, N=32, T=100, D=H=128), <= 2.0 (the
same in float32) and <= 6 (float32, N=1, T=1000, D=1, H=32, where per-step
Python overhead dominates).

torch is a benchmark-only extra (``pip install -e .[benchmark]``), never a
course requirement; without it the script says so and exits with status 0.

Run: ``python benchmarks/lstm_vs_torch.py`` (about 20 s). On a shared machine whose load moves
the wall-clock times by factors, ``python benchmarks/lstm_vs_torch.py --cpu`` times each side by the
CPU time of the process with one thread on both sides (run it as ``OPENBLAS_NUM_THREADS=1 python
...``): slower in absolute terms, but a before/after comparison of the numpy side stays steady.
"""
import os
import platform
import sys
import time

import numpy as np

from lstm_course.nn import lstm

CASES = [("float64", 32, 100, 128, 128, 0.75), ("float32", 32, 100, 128, 128, 2.0),
         ("float32", 1, 1000, 1, 32, 6.0)]
REPEATS = 7


def lstm_flops(N, T, D, H):
    """Flops of the matrix products in one forward + backward pass.

    Forward: x Wx and h Wh, 2 N T 4H (D + H); backward: dz Wx^T, dz Wh^T, x^T dz
    and h^T dz, twice that. Elementwise work is not counted.
    """
    forward = 2 * N * T * 4 * H * (D + H)
    return 3 * forward


def gemm_peak(dtype, size=1024, repeats=5):
    """GFLOP/s of numpy's square matrix product, best of ``repeats``."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(size, size)).astype(dtype), rng.normal(size=(size, size)).astype(dtype)
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * size ** 3 / best / 1e9


CLOCK = time.process_time if "--cpu" in sys.argv[1:] else time.perf_counter


def _timed(fn):
    start = CLOCK()
    fn()
    return CLOCK() - start


def run_case(torch, dtype_name, N, T, D, H):
    """Return (numpy seconds, torch seconds, max abs difference of dWh, ratio of the best times).

    Seconds are medians of REPEATS; the best-of ratio is printed too because on a
    shared machine a burst of other work can move a median but rarely the minimum.
    """
    rng = np.random.default_rng(0)
    dtype = np.dtype(dtype_name)
    x = rng.normal(size=(N, T, D)).astype(dtype)
    Wx = (rng.normal(size=(D, 4 * H)) / np.sqrt(D)).astype(dtype)
    Wh = (rng.normal(size=(H, 4 * H)) / np.sqrt(H)).astype(dtype)
    b = np.zeros(4 * H, dtype=dtype)
    dh = rng.normal(size=(N, T, H)).astype(dtype)

    torch_dtype = getattr(torch, dtype_name)
    layer = torch.nn.LSTM(D, H, batch_first=True).to(torch_dtype)
    with torch.no_grad():
        for name, value in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
                               lstm.to_torch(Wx, Wh, b)):
            getattr(layer, name).copy_(torch.from_numpy(value))
    x_t, dh_t = torch.from_numpy(x).requires_grad_(True), torch.from_numpy(dh)

    def numpy_step():
        h, _, cache = lstm.lstm_forward(x, None, None, Wx, Wh, b)
        return lstm.lstm_backward(dh, cache)

    def torch_step():
        layer.zero_grad(set_to_none=True)
        x_t.grad = None
        out, _ = layer(x_t)
        out.backward(dh_t)

    # Each side in its own block, after a pause: interleaved, torch's OpenMP
    # threads and OpenBLAS's threads keep spinning and slow each other down.
    times = {}
    for name, step in (("numpy", numpy_step), ("torch", torch_step)):
        time.sleep(0.5)
        step()  # warm-up
        times[name] = [_timed(step) for _ in range(REPEATS)]
    numpy_times, torch_times = times["numpy"], times["torch"]
    dWh = numpy_step()[4]
    difference = np.abs(dWh.T - layer.weight_hh_l0.grad.numpy()).max()
    return (float(np.median(numpy_times)), float(np.median(torch_times)), float(difference),
            min(numpy_times) / min(torch_times))


def main():
    try:
        import torch
    except ImportError:
        print("torch is not installed: this benchmark compares with torch.nn.LSTM and needs it.")
        print("Install the optional extra with `pip install -e .[benchmark]` (torch is never a course requirement).")
        return 0
    torch.set_num_threads(1 if CLOCK is time.process_time else 2)
    print(f"numpy {np.__version__}, torch {torch.__version__}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
          + ("CPU time, one thread each" if CLOCK is time.process_time else "wall-clock time"))
    peaks = {name: gemm_peak(np.dtype(name)) for name in ("float64", "float32")}
    print("numpy GEMM peak (1024^2 product): " + ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in peaks.items()))
    print(f"{'case':<34} {'numpy ms':>9} {'torch ms':>9} {'ratio':>6} {'target':>6} {'GFLOP/s':>8} {'% peak':>6}")
    ratios, best_ratios = [], []
    for dtype_name, N, T, D, H, target in CASES:
        numpy_s, torch_s, difference, best_ratio = run_case(torch, dtype_name, N, T, D, H)
        best_ratios.append(best_ratio)
        assert difference < (1e-8 if dtype_name == "float64" else 1e-2), difference
        ratio = numpy_s / torch_s
        ratios.append(ratio)
        gflops = lstm_flops(N, T, D, H) / numpy_s / 1e9
        label = f"{dtype_name} N={N} T={T} D={D} H={H}"
        print(f"{label:<34} {1e3 * numpy_s:9.2f} {1e3 * torch_s:9.2f} {ratio:6.2f} {target:6.2f} "
              f"{gflops:8.1f} {100 * gflops / peaks[dtype_name]:6.1f}")
    print("best-of-7 ratios " + " ".join(f"{r:.2f}" for r in best_ratios))
    print("ratios " + " ".join(f"{r:.2f}" for r in ratios))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
