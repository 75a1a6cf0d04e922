"""Training throughput of Chapter 8's character LSTM against two anchors, in one run.

Characters per second of training (forward + backward + update, evaluations excluded) with stateful
TBPTT(25, 25), float32, H = 128 hidden units, V = 78 symbols (Moby-Dick's alphabet), Adam and global-norm
clipping at 1 on every side:

- **ours**: :func:`lstm_course.train.charlm_training.train`, 32 slots (the experiment's comparison size), two
  BLAS threads (as torch gets);
- **min-char-rnn style**: the loop of Karpathy's ``min-char-rnn.py`` turned into an LSTM: batch 1, column
  vectors, one time step per Python iteration, forward and backward written out per step (as that script does);
- **torch**: ``torch.nn.LSTM`` + ``nn.Linear`` on 32 slots, the state detached every 25 steps, ``torch.optim.Adam``,
  ``clip_grad_norm_``, CPU with ``torch.set_num_threads(2)``.

The text is random codes: throughput does not depend on what the characters are. Targets (issue 20): ours at
least 20x the min-char-rnn style, and at most 2x torch's time per character. torch is the optional
``benchmark`` extra (``pip install -e .[benchmark]``); without it that column is skipped.

Run: ``python benchmarks/char_lm_throughput.py`` (about a minute). The last line is
``speedup S torch_ratio R``: S = our characters per second over the min-char-rnn style's, R = our time per
character over torch's.
"""
import os
import time

import numpy as np

from lstm_course.models import recurrent
from lstm_course.train import charlm_training, optim

V, H, N, K = 78, 128, 32, 25
UPDATES = 60
THREADS = 2


def ours(codes):
    params = recurrent.init_params("lstm", V, H, V, np.random.default_rng(0), 1.0, dtype=np.float32)
    budget = UPDATES * N * 2 * K            # TBPTT(25, 25): 25 steps forward and 25 back per slot and update
    run = charlm_training.train(params, codes, codes[:1000], K, K, optim.Adam(0.002), budget, batch_size=N,
                                evaluations=1, threads=THREADS)
    return run.updates[-1] * N * K / run.seconds


def min_char_style(codes, updates=20):
    """An LSTM in min-char-rnn's style: column vectors, a dict per quantity, one step per Python iteration."""
    rng = np.random.default_rng(0)
    Wx = (rng.normal(size=(4 * H, V)) * 0.01).astype(np.float32)
    Wh = (rng.normal(size=(4 * H, H)) * 0.01).astype(np.float32)
    b, Wy, by = np.zeros((4 * H, 1), np.float32), (rng.normal(size=(V, H)) * 0.01).astype(np.float32), \
        np.zeros((V, 1), np.float32)
    weights = [Wx, Wh, b, Wy, by]
    moments = [[np.zeros_like(w), np.zeros_like(w)] for w in weights]
    h, c = np.zeros((H, 1), np.float32), np.zeros((H, 1), np.float32)
    sigmoid = lambda z: 1 / (1 + np.exp(-z))   # noqa: E731 (as the anchor writes it)
    start, pointer = time.perf_counter(), 0
    for step in range(1, updates + 1):
        inputs, targets = codes[pointer:pointer + K], codes[pointer + 1:pointer + K + 1]
        xs, hs, cs, gates, ps = {}, {-1: h}, {-1: c}, {}, {}
        for t in range(K):                                    # forward, one step at a time
            xs[t] = np.zeros((V, 1), np.float32)
            xs[t][inputs[t]] = 1
            z = Wx @ xs[t] + Wh @ hs[t - 1] + b
            i, f, g, o = sigmoid(z[:H]), sigmoid(z[H:2 * H]), np.tanh(z[2 * H:3 * H]), sigmoid(z[3 * H:])
            cs[t] = f * cs[t - 1] + i * g
            hs[t] = o * np.tanh(cs[t])
            gates[t] = (i, f, g, o)
            y = Wy @ hs[t] + by
            ps[t] = np.exp(y - y.max()) / np.sum(np.exp(y - y.max()))
        grads = [np.zeros_like(w) for w in weights]
        dh_next, dc_next = np.zeros_like(h), np.zeros_like(c)
        for t in reversed(range(K)):                          # backward, one step at a time
            dy = ps[t].copy()
            dy[targets[t]] -= 1
            dy /= K
            grads[3] += dy @ hs[t].T
            grads[4] += dy
            dh = Wy.T @ dy + dh_next
            i, f, g, o = gates[t]
            tanh_c = np.tanh(cs[t])
            dc = dc_next + dh * o * (1 - tanh_c ** 2)
            dz = np.concatenate([dc * g * i * (1 - i), dc * cs[t - 1] * f * (1 - f), dc * i * (1 - g ** 2),
                                 dh * tanh_c * o * (1 - o)])
            grads[0] += dz @ xs[t].T
            grads[1] += dz @ hs[t - 1].T
            grads[2] += dz
            dh_next, dc_next = Wh.T @ dz, dc * f
        norm = np.sqrt(sum(np.sum(g * g) for g in grads))
        for w, g, (m, v) in zip(weights, grads, moments):     # clipping at 1, then Adam
            g *= min(1.0, 1.0 / (norm + 1e-12))
            m[:] = 0.9 * m + 0.1 * g
            v[:] = 0.999 * v + 0.001 * g * g
            w -= 0.002 * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
        h, c, pointer = hs[K - 1], cs[K - 1], pointer + K
    return updates * K / (time.perf_counter() - start)


def torch_side(torch, codes):
    torch.manual_seed(0)
    layer, head = torch.nn.LSTM(V, H, batch_first=True), torch.nn.Linear(H, V)
    parameters = list(layer.parameters()) + list(head.parameters())
    optimizer, loss_fn = torch.optim.Adam(parameters, lr=0.002), torch.nn.CrossEntropyLoss()
    length = (codes.size - 1) // N // K * K
    streams = torch.from_numpy(np.stack([codes[j * length:(j + 1) * length + 1] for j in range(N)]))
    eye = torch.eye(V)
    state, start = None, time.perf_counter()
    for update in range(UPDATES):
        chunk = streams[:, update * K:update * K + K + 1]
        out, state = layer(eye[chunk[:, :-1]], state)
        loss = loss_fn(head(out).reshape(-1, V), chunk[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()
        state = tuple(s.detach() for s in state)
    return UPDATES * N * K / (time.perf_counter() - start)


def main():
    codes = np.random.default_rng(0).integers(0, V, size=N * K * (UPDATES + 2) + 1)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; TBPTT({K}, {K}), H={H}, V={V}, float32")
    rates = {"ours": ours(codes), "min-char-rnn style": min_char_style(codes)}
    try:
        import torch
        torch.set_num_threads(2)
        rates["torch"] = torch_side(torch, codes)
    except ImportError:
        print("torch is not installed (pip install -e .[benchmark]): its column is skipped")
    for name, rate in rates.items():
        print(f"{name:<20} {rate:10.0f} characters/s")
    torch_ratio = rates["torch"] / rates["ours"] if "torch" in rates else float("nan")
    print(f"speedup {rates['ours'] / rates['min-char-rnn style']:.1f} torch_ratio {torch_ratio:.2f}")


if __name__ == "__main__":
    main()
