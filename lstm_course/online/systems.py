"""Recurrent systems as the online gradient algorithms of Chapter 9 see them.

RTRL, UORO, ARTBP and truncated BPTT all work on the same abstract object, a
state-space system with a flat parameter vector ``theta (P,)``::

    s_t = F(s_{t-1}, x_t; theta),        l_t = 1/2 sum_n ||s_t Wy + by - y_t||^2,

with the state ``s (N, n)`` batch-major and a **fixed** linear readout
``Wy (n, O)``, ``by (O,)`` (so every algorithm estimates the gradient of the
recurrent parameters; the readout gradient needs no history). The loss is
summed over the batch, as in :mod:`lstm_course.models.recurrent`. A system provides

- ``step(theta, s_prev, x_t) -> (s, cache)``;
- ``jvp_state(theta, cache, v)``: the forward tangent (dF/ds_prev) v for
  ``v (N, n, K)`` (K tangent directions), returning ``(N, n, K)``;
- ``jac_params(theta, cache)``: the direct Jacobian dF/dtheta, ``(N, n, P)``;
- ``vjp(theta, cache, u)``: for a row ``u (N, n)``, the pair
  ``(u dF/ds_prev (N, n), u dF/dtheta (N, P))``, the second **per sequence**
  (UORO needs one rank-one estimate per sequence);
- ``loss(s, y) -> (l_t, dl_t/ds (N, n))``.

Two systems are defined here: :class:`ElmanSystem` (the tanh RNN of
:mod:`lstm_course.nn.rnn`) and :class:`InfluenceBalancing` (the linear task on
which truncation's bias reverses the sign of the gradient). The algorithms
live in :mod:`lstm_course.online.rtrl` (:class:`~lstm_course.online.rtrl.OnlineRTRL`),
:mod:`lstm_course.online.uoro` and :mod:`lstm_course.online.artbp`; :func:`run_online`
drives any of them along a stream.
"""
from typing import NamedTuple

import numpy as np

from lstm_course._validation import (
    as_float_array,
    check_flag,
    check_object,
    check_positive_int,
    check_scalar,
    check_shape,
)
from lstm_course.models import recurrent
from lstm_course.nn import rnn
from lstm_course.online import rtrl


class _LinearReadout:
    """The per-step loss l_t = 1/2 sum_n ||s_t Wy + by - y_t||^2 with a fixed readout."""

    def loss(self, s, y):
        """Return ``(l_t, dl_t/ds)``: a float and an ``(N, n)`` array."""
        residual = s @ self.Wy + self.by - y
        return 0.5 * float(np.sum(residual ** 2)), residual @ self.Wy.T


class _FlatLayerParameters(_LinearReadout):
    """``theta`` as the concatenation ``Wx.ravel(), Wh.ravel(), b`` of a layer with ``gate_blocks`` blocks.

    Subclasses set ``cell`` (``"rnn"`` or ``"lstm"``), ``gate_blocks`` (1 or 4), ``D`` and ``H``.
    """

    def theta(self, params):
        """Flatten ``Wx, Wh, b`` of a parameter dict into ``theta (P,)``."""
        D, H, _ = recurrent.check_params(params, self.cell)
        if (D, H) != (self.D, self.H):
            raise ValueError(f"params must have D = {self.D} inputs and H = {self.H} units like the system, "
                             f"got Wx of shape {np.shape(params['Wx'])}")
        return np.concatenate([np.ravel(params[name]) for name in ("Wx", "Wh", "b")])

    def unflatten(self, theta):
        """Split ``theta (P,)`` into a dict ``Wx (D, G), Wh (H, G), b (G,)``, G = gate_blocks H."""
        D, H, G = self.D, self.H, self.gate_blocks * self.H
        theta = as_float_array("theta", theta, ndim=1)
        blocks = "" if self.gate_blocks == 1 else str(self.gate_blocks)
        check_shape("theta", theta, (self.n_params,), f"(P,) = ({blocks}H (D + H + 1),)")
        Wx, Wh, b = np.split(theta, [D * G, D * G + H * G])
        return {"Wx": Wx.reshape(D, G), "Wh": Wh.reshape(H, G), "b": b}


class ElmanSystem(_FlatLayerParameters):
    """The tanh RNN h_t = tanh(x_t Wx + h_{t-1} Wh + b) as a system with s = h.

    ``theta`` is the concatenation of ``Wx.ravel(), Wh.ravel(), b`` (the order of
    :func:`lstm_course.online.rtrl.rtrl_gradients`), so P = H (D + H + 1).

    Parameters
    ----------
    params : dict
        ``Wx (D, H), Wh (H, H), b (H,), Wy (H, O), by (O,)`` as for
        ``recurrent.init_params("rnn", ...)``; the readout is copied and fixed.
    """

    cell, gate_blocks = "rnn", 1

    def __init__(self, params):
        self.D, self.H, self.O = recurrent.check_params(params, "rnn")
        self.n_state, self.n_params = self.H, self.H * (self.D + self.H + 1)
        self.Wy, self.by = np.array(params["Wy"]), np.array(params["by"])

    def step(self, theta, s_prev, x_t):
        p = self.unflatten(theta)
        return rnn.step_forward(x_t, s_prev, p["Wx"], p["Wh"], p["b"])

    def jvp_state(self, theta, cache, v):
        # z = x Wx + h_prev Wh + b, one column of v per tangent direction
        return rnn.step_tangent(cache["Wh"].T @ v, cache)

    def jac_params(self, theta, cache):
        return rnn.step_tangent(rtrl._direct_dz(cache["x"], cache["h_prev"], 1, self.H), cache)

    def vjp(self, theta, cache, u):
        dz, dh_prev = rnn.step_dz(u, cache)
        return dh_prev, _per_sequence_gradient(dz, cache)


def _per_sequence_gradient(dz, cache):
    """u dF/dtheta per sequence, ``(N, P)``: x^T dz, h_prev^T dz and dz of each row, flattened like theta."""
    N = dz.shape[0]
    return np.concatenate([np.einsum("na,nk->nak", cache["x"], dz).reshape(N, -1),
                           np.einsum("na,nk->nak", cache["h_prev"], dz).reshape(N, -1), dz], axis=1)


class InfluenceBalancing(_LinearReadout):
    """A linear system where one scalar parameter helps short-term and hurts long-term.

    A chain of n units, each fed by the scalar parameter theta with sign +1 (the
    first ``n_positive`` units) or -1 (the rest), each passing half of its value
    one unit down the chain towards unit 1::

        s_t[i] = 1/2 s_{t-1}[i] + 1/2 s_{t-1}[i+1] + theta u[i],   u = (+1, ..., +1, -1, ..., -1),

    (the last unit has no successor). The loss is l_t = 1/2 (s_t[1] - target)^2.
    A change of theta reaches unit 1 through a +1 unit after one step, through
    the -1 units only after ``n_positive`` or more steps, so a gradient
    truncated to fewer steps has the wrong sign. At the fixed point
    s[1] = 2 theta (2 n_positive - n), so the best theta is
    ``target / (2 (2 n_positive - n))``. In the spirit of the influence-balancing
    experiment of Tallec & Ollivier (2017).

    Parameters
    ----------
    n_units : int >= 2
    n_positive : int, 1 <= n_positive < n_units
    target : float
    """

    def __init__(self, n_units=13, n_positive=5, target=1.0):
        self.n_state = check_positive_int("n_units", n_units)
        if self.n_state < 2:
            raise ValueError(f"n_units must be >= 2, got {n_units}")
        n_positive = check_positive_int("n_positive", n_positive)
        if n_positive >= self.n_state:
            raise ValueError(f"n_positive must be < n_units = {self.n_state}, got {n_positive}")
        self.n_params, self.n_positive = 1, n_positive
        self.target = check_scalar("target", target)
        self.u = np.where(np.arange(self.n_state) < n_positive, 1.0, -1.0)
        # Row convention s_t = s_{t-1} A + theta u: column i of A holds 1/2 at rows i and i+1.
        self.A = 0.5 * (np.eye(self.n_state) + np.eye(self.n_state, k=-1))
        self.Wy, self.by = np.eye(self.n_state, 1), np.array([0.0])

    @property
    def optimum(self):
        """The theta whose fixed point puts unit 1 on the target, target / (2 (2 n_positive - n))."""
        return self.target / (2.0 * (2 * self.n_positive - self.n_state))

    def truncated_sensitivity(self, k):
        """d s[1] / d theta at the fixed point when only the last k steps are differentiated.

        sum_{j < k} (u A^j)[1]; it tends to 2 (2 n_positive - n) as k grows.
        """
        k = check_positive_int("k", k)
        row, total = self.u.copy(), 0.0
        for _ in range(k):
            total += row[0]
            row = row @ self.A
        return total

    def stream(self, T, N=1):
        """Inputs (unused, zeros) ``(N, T, 1)`` and targets ``(N, T, 1)`` for T steps."""
        T, N = check_positive_int("T", T), check_positive_int("N", N)
        return np.zeros((N, T, 1)), np.full((N, T, 1), self.target)

    def step(self, theta, s_prev, x_t):
        return s_prev @ self.A + theta[0] * self.u, {}

    def jvp_state(self, theta, cache, v):
        return self.A.T @ v

    def jac_params(self, theta, cache):
        return np.broadcast_to(self.u[None, :, None], (1, self.n_state, 1))

    def vjp(self, theta, cache, u):
        return u @ self.A.T, (u @ self.u)[:, None]


class OnlineRun(NamedTuple):
    """What :func:`run_online` records."""

    losses: np.ndarray          # (T,) l_t, summed over the batch (float64 whatever theta's dtype, a history)
    update_times: np.ndarray    # (U,) 1-based steps at which a gradient was produced
    gradient_sum: np.ndarray    # (P,) sum of all gradients produced (the full-stream estimate)
    theta: np.ndarray           # (P,) parameters at the end
    theta_trace: np.ndarray     # (T, P) parameters after each step, or (0, P) if not recorded


def run_online(estimator, x, y, learning_rate=0.0, s0=None, record_theta=False):
    """Drive an online gradient estimator along a stream, optionally training.

    At each step t the estimator runs the system forward, returns the loss and
    possibly a gradient g; with ``learning_rate > 0`` the parameters are updated
    in place, theta <- theta - learning_rate g, before step t + 1. At the end
    the estimator may return one last gradient (the last partial segment of a
    truncated method). With ``learning_rate = 0`` the sum of the gradients is the
    method's estimate of the full-stream gradient d/dtheta sum_t l_t.

    Parameters
    ----------
    estimator : OnlineRTRL, UORO, ARTBP or TruncatedBPTT
        Holds ``system`` and ``theta``; ``theta`` is modified in place.
    x : ndarray (N, T, D)
    y : ndarray (N, T, O)
    learning_rate : float >= 0
    s0 : ndarray (N, n), optional
        Initial state (zeros if omitted).
    record_theta : bool
        Keep a copy of theta after every step.

    Returns
    -------
    OnlineRun
    """
    check_object("estimator", estimator, ("system", "theta", "start", "step", "finish"),
                 "an online estimator such as OnlineRTRL, UORO, ARTBP or TruncatedBPTT")
    system = estimator.system
    x = as_float_array("x", x, ndim=3)
    N, T, D = x.shape
    if hasattr(system, "D"):
        check_shape("x", x, (N, T, system.D), "(N, T, D) with D the system's inputs")
    y = as_float_array("y", y, ndim=3)
    check_shape("y", y, (N, T, system.Wy.shape[1]), "(N, T, O) with N, T from x, O the readout's outputs")
    learning_rate = check_scalar("learning_rate", learning_rate, low=0.0)
    n = estimator.system.n_state
    s0 = np.zeros((N, n), estimator.theta.dtype) if s0 is None else as_float_array("s0", s0, ndim=2)
    check_shape("s0", s0, (N, n), "(N, n)")
    theta = estimator.theta
    losses, times, total = np.empty(T), [], np.zeros_like(theta)
    trace = np.empty((T if check_flag("record_theta", record_theta) else 0, theta.size), theta.dtype)

    def apply(t, grad):
        nonlocal total
        times.append(t)
        total = total + grad
        if learning_rate:
            theta[...] -= learning_rate * grad

    estimator.start(s0)
    for t in range(T):
        losses[t], grad = estimator.step(x[:, t], y[:, t])
        if grad is not None:
            apply(t + 1, grad)
        if record_theta:
            trace[t] = theta
    grad = estimator.finish()
    if grad is not None:
        apply(T, grad)
    return OnlineRun(losses, np.array(times, dtype=int), total, theta.copy(), trace)


def multiply_adds_per_step(method, input_size, hidden_size, k2=None):
    """Counted multiply-adds per step of each online method, tanh RNN, one sequence.

    With D inputs and H units: a forward step costs F = H (D + H) (the two
    products); a backward step costs B = H (D + 2H) (dh_prev = dz Wh^T plus the
    weight gradients x^T dz, h_prev^T dz); P = H (D + H + 1). Then

    - ``"tbptt"`` (TBPTT(1, k2): every step, back k2 steps): F + k2 B;
    - ``"artbp"``: every step is walked back once, F + B;
    - ``"uoro"``: F + H^2 (tangent through Wh) + P (u dF/dtheta) + 2 P (the
      rescaled rank-one update and the gradient);
    - ``"rtrl"``: F + H^2 P (the sensitivities through Wh) + P (the gradient).

    Elementwise work (a few operations per unit) is left out.
    """
    D, H = check_positive_int("input_size", input_size), check_positive_int("hidden_size", hidden_size)
    F, B, P = H * (D + H), H * (D + 2 * H), H * (D + H + 1)
    if method == "tbptt":
        return F + check_positive_int("k2", k2) * B
    costs = {"artbp": F + B, "uoro": F + H * H + 3 * P, "rtrl": F + H * H * P + P}
    if method not in costs:
        raise ValueError(f"method must be one of ('tbptt', 'artbp', 'uoro', 'rtrl'), got {method!r}")
    return costs[method]
