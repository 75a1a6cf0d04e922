"""Real-time recurrent learning (Williams & Zipser 1989): gradients carried forward.

BPTT walks backward from a loss; RTRL instead carries the sensitivities of the
state with respect to every recurrent parameter forward in time. With theta the
flattened (Wx, Wh, b) and z_t = x_t Wx + h_{t-1} Wh + b:

    dz_t/dtheta = (partial z_t / partial theta) + Wh^T-mix of dh_{t-1}/dtheta,

then, for the RNN, dh_t/dtheta = (1 - h_t^2) * dz_t/dtheta; for the LSTM, with
gates (i, f, g, o) = (sigmoid, sigmoid, tanh, sigmoid)(z_t) and c_t = f c_{t-1} + i g,

    dc_t = f dc_{t-1} + c_{t-1} df + g di + i dg,
    dh_t = tanh(c_t) do + o (1 - tanh(c_t)^2) dc_t,

starting from zero sensitivities (the initial state does not depend on theta).
The gradient of the per-step loss l_t = 1/2 sum_n ||h_t Wy + by - y_t||^2
(summed over the batch) is then (dl_t/dh_t) . dh_t/dtheta, available at time t
without any backward pass: the exact gradient of l_t for fixed weights, through
the whole history. The sensitivities cost O(N H P) memory with P ~ 4H(D + H)
parameters and O(N H^2 P) time per step, so RTRL is practical only for small
H. This module is the independent reference against which truncated BPTT with
k1 = 1 and no truncation is checked.
"""
import numpy as np

from lstm_course._validation import as_float_array, check_scalar, check_sequence_inputs, check_shape
from lstm_course.models import recurrent
from lstm_course.nn import cells, lstm, readout, rnn
from lstm_course.online._checks import check_start, check_step, check_system


def _direct_dz(x_t, h_prev, G, H):
    """partial z_t / partial theta for theta = (Wx, Wh, b) flattened: (N, G H, P)."""
    N = x_t.shape[0]
    eye = np.eye(G * H, dtype=x_t.dtype)
    d_Wx = np.einsum("na,kb->nkab", x_t, eye).reshape(N, G * H, -1)     # z_k depends on Wx[a, k] via x_a
    d_Wh = np.einsum("na,kb->nkab", h_prev, eye).reshape(N, G * H, -1)  # ... and on Wh[a, k] via h_prev_a
    d_b = np.broadcast_to(eye, (N, G * H, G * H))
    return np.concatenate([d_Wx, d_Wh, d_b], axis=2)


# One step of each cell in forward mode, through the kernels of lstm_course.nn:
# (dz/dtheta, d state_{t-1}/dtheta, the step's cache) -> d state_t/dtheta.
_SENSITIVITY_STEP = {"rnn": lambda dz, sensitivity, step: (rnn.step_tangent(dz, step),),
                     "lstm": lambda dz, sensitivity, step: lstm.step_tangent(dz, sensitivity[1], step)}


def rtrl_gradients(params, x, y, cell="lstm", h0=None, c0=None):
    """Per-step loss gradients by forward sensitivity propagation.

    Parameters
    ----------
    params : dict
        ``Wx, Wh, b, Wy, by`` as in :mod:`lstm_course.models.recurrent`.
    x : ndarray (N, T, D)
    y : ndarray (N, T, O)
    cell : {"lstm", "rnn"}
    h0, c0 : ndarray (N, H), optional
        Initial state, zeros if omitted (``c0`` only for the LSTM).

    Returns
    -------
    list of dict
        Element t - 1 holds the gradient of l_t (t = 1..T) with respect to
        ``Wx, Wh, b, Wy, by``, for the weights held fixed.
    """
    spec = cells.get(recurrent.check_cell(cell))
    D, H, O = recurrent.check_params(params, cell)
    G = spec.gate_blocks
    x = as_float_array("x", x, ndim=3)
    N, T, _ = x.shape
    check_shape("x", x, (N, T, D), "(N, T, D) with D from Wx")
    y = as_float_array("y", y, ndim=3)
    check_shape("y", y, (N, T, O), "(N, T, O)", "N, T from x, O from Wy")
    names = tuple(f"{name}0" for name in spec.state_names)
    x, state = check_sequence_inputs(x, dict(zip(names, spec.initial_state(h0=h0, c0=c0), strict=True)), D, H)
    dtype = np.result_type(x, y, *state, *params.values())   # float32 end to end when everything is float32
    state = tuple(value.astype(dtype, copy=False) for value in state)
    Wx, Wh, b, Wy, by = (params[name].astype(dtype, copy=False) for name in recurrent.PARAM_NAMES)
    sizes = np.cumsum([Wx.size, Wh.size])
    P = Wx.size + Wh.size + b.size
    sensitivity = tuple(np.zeros((N, H, P), dtype=dtype) for _ in state)   # d state_{t-1} / dtheta
    per_step = []
    for t in range(T):
        # z = x Wx + h_prev Wh + b: its direct dependence on theta plus the Wh-mix of d h_prev / dtheta
        dz = _direct_dz(x[:, t], state[0], G, H) + np.einsum("jk,njp->nkp", Wh, sensitivity[0])
        state, step = spec.step_forward(x[:, t], state, Wx, Wh, b)
        sensitivity = _SENSITIVITY_STEP[cell](dz, sensitivity, step)
        h = state[0]
        grads, dh = readout.readout_backward_kernel(h @ Wy + by - y[:, t], h, Wy)
        dWx, dWh, db = np.split(np.einsum("nh,nhp->p", dh, sensitivity[0]), sizes)
        grads.update(Wx=dWx.reshape(Wx.shape), Wh=dWh.reshape(Wh.shape), b=db)
        per_step.append(grads)
    return per_step


class OnlineRTRL:
    """RTRL as an online algorithm on a system of :mod:`lstm_course.online.systems`.

    Carries the sensitivity S_t = ds_t/dtheta, ``(N, n, P)``, forward:

        S_t = (dF/ds_{t-1}) S_{t-1} + dF/dtheta,      S_0 = 0,

    and returns at every step the gradient of l_t through the whole history,
    g_t = sum_n (dl_t/ds_t)_n S_t[n], of shape ``(P,)``. Memory is O(N n P),
    whatever the length of the stream; time per step is O(N n^2 P), i.e. O(n^4)
    for a fully connected n-unit network. With the weights held fixed, g_t equals
    the row of :func:`rtrl_gradients` for step t and sum_t g_t is full BPTT.

    Parameters
    ----------
    system : object
        A system as described in :mod:`lstm_course.online.systems`.
    theta : ndarray (P,)
        Parameters; :func:`lstm_course.online.systems.run_online` updates them in place.
    """

    def __init__(self, system, theta):
        self.system = check_system("system", system)
        self.theta = as_float_array("theta", theta, ndim=1)
        check_shape("theta", self.theta, (system.n_params,), "(P,)")
        self.s = None

    def start(self, s0):
        """Begin a stream in state ``s0 (N, n)`` with zero sensitivities (in the dtype of ``theta``)."""
        self.s = check_start(self.system, s0).astype(self.theta.dtype, copy=False)
        self.sensitivity = np.zeros(self.s.shape + (self.system.n_params,), self.theta.dtype)

    def step(self, x_t, y_t):
        """One step on ``x_t (N, D)``, ``y_t (N, O)``: returns ``(l_t, g_t)``."""
        x_t, y_t = check_step(self.system, self.s, x_t, y_t)
        system = self.system
        self.s, cache = system.step(self.theta, self.s, x_t)
        self.sensitivity = system.jvp_state(self.theta, cache, self.sensitivity) + system.jac_params(self.theta, cache)
        loss, dl_ds = system.loss(self.s, y_t)
        return loss, np.einsum("nk,nkp->p", dl_ds, self.sensitivity)

    def finish(self):
        """Nothing is pending at the end of a stream: RTRL is never late."""
        return None


def one_unit_sensitivity_step(x, h_prev, sensitivity_prev, wx, wh, b):
    """One RTRL step of a one-unit tanh RNN, h_t = tanh(wx x_t + wh h_{t-1} + b).

    With theta = (wx, wh, b) and S_t = dh_t/dtheta, the chain rule through the
    direct dependence and through h_{t-1} gives

        S_t = (1 - h_t^2) * ([x_t, h_{t-1}, 1] + wh S_{t-1}),      S_0 = 0.

    Parameters
    ----------
    x : ndarray (N,)
        Input at step t, one number per sequence.
    h_prev : ndarray (N,)
        h_{t-1}.
    sensitivity_prev : ndarray (N, 3)
        S_{t-1}, columns d/dwx, d/dwh, d/db.
    wx, wh, b : float
        The three parameters.

    Returns
    -------
    h : ndarray (N,)
    sensitivity : ndarray (N, 3)
        S_t, in the dtype of the inputs.
    """
    x = as_float_array("x", x, ndim=1)
    h_prev = as_float_array("h_prev", h_prev, ndim=1)
    check_shape("h_prev", h_prev, x.shape, "(N,)", "N from x")
    sensitivity_prev = as_float_array("sensitivity_prev", sensitivity_prev, ndim=2)
    check_shape("sensitivity_prev", sensitivity_prev, (x.size, 3), "(N, 3)", "N from x")
    for name, value in (("wx", wx), ("wh", wh), ("b", b)):
        check_scalar(name, value)
    dtype = np.result_type(x, h_prev, sensitivity_prev)
    wx, wh, b = (np.asarray(value, dtype=dtype) for value in (wx, wh, b))
    h = np.tanh(wx * x + wh * h_prev + b)
    direct = np.stack([x, h_prev, np.ones_like(x)], axis=1)          # dz/dtheta with h_{t-1} held fixed
    return h, ((1 - h ** 2)[:, None] * (direct + wh * sensitivity_prev)).astype(dtype)
