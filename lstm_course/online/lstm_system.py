"""The LSTM as a system for Chapter 9's online gradient algorithms.

The state of the LSTM of :mod:`lstm_course.nn.lstm` is the pair (h, c), so the
system's state is ``s = [h, c]`` of width n = 2H, and ``theta`` flattens
``Wx (D, 4H), Wh (H, 4H), b (4H,)``, so P = 4H (D + H + 1). The readout reads
h only: ``y_hat = h Wy + by``, written as ``s [Wy; 0] + by``. With this class,
:class:`~lstm_course.online.rtrl.OnlineRTRL`, :class:`~lstm_course.online.uoro.UORO`,
:class:`~lstm_course.online.artbp.ARTBP` and
:class:`~lstm_course.online.artbp.TruncatedBPTT` run on an LSTM unchanged; the
interface is described in :mod:`lstm_course.online.systems`.
"""
import numpy as np

from lstm_course.models import recurrent
from lstm_course.nn import lstm
from lstm_course.nn.activations import sigmoid_grad_from_output, tanh_grad_from_output
from lstm_course.online.systems import _FlatLayerParameters

_PER_SEQUENCE_KEYS = ("x", "h_prev", "c_prev", "i", "f", "g", "o", "c", "tanh_c", "h")


class LSTMSystem(_FlatLayerParameters):
    """The LSTM cell of :mod:`lstm_course.nn.lstm` as a system with state s = [h, c].

    Parameters
    ----------
    params : dict
        ``Wx (D, 4H), Wh (H, 4H), b (4H,), Wy (H, O), by (O,)`` as for
        ``recurrent.init_params("lstm", ...)``; the readout is copied and fixed.
    """

    cell, gate_blocks = "lstm", 4

    def __init__(self, params):
        self.D, self.H, self.O = recurrent.check_params(params, "lstm")
        self.n_state, self.n_params = 2 * self.H, 4 * self.H * (self.D + self.H + 1)
        # The readout sees h, not c: zero rows for the cell half of the state.
        self.Wy = np.vstack([np.array(params["Wy"]), np.zeros((self.H, self.O))])
        self.by = np.array(params["by"])

    def step(self, theta, s_prev, x_t):
        p = self.unflatten(theta)
        H = self.H
        h, c, cache = lstm.lstm_step_forward(x_t, s_prev[:, :H], s_prev[:, H:], p["Wx"], p["Wh"], p["b"])
        return np.concatenate([h, c], axis=1), cache

    def jvp_state(self, theta, cache, v):
        """Forward tangent of one step: (d[h, c]/d[h_prev, c_prev]) v for ``v (N, 2H, K)``."""
        H = self.H
        dh_prev, dc_prev = v[:, :H], v[:, H:]
        i, f, g, o, c_prev, tanh_c = (cache[key][:, :, None] for key in ("i", "f", "g", "o", "c_prev", "tanh_c"))
        dz = np.einsum("nak,ag->ngk", dh_prev, cache["Wh"])   # z = x Wx + h_prev Wh + b
        di = sigmoid_grad_from_output(i) * dz[:, 0 * H:1 * H]
        df = sigmoid_grad_from_output(f) * dz[:, 1 * H:2 * H]
        dg = tanh_grad_from_output(g) * dz[:, 2 * H:3 * H]
        do = sigmoid_grad_from_output(o) * dz[:, 3 * H:4 * H]
        dc = df * c_prev + f * dc_prev + di * g + i * dg          # c = f c_prev + i g
        dh = do * tanh_c + o * tanh_grad_from_output(tanh_c) * dc  # h = o tanh(c)
        return np.concatenate([dh, dc], axis=1)

    def jac_params(self, theta, cache):
        """The direct Jacobian d[h, c]/dtheta ``(N, 2H, P)``, row by row from :meth:`vjp`."""
        N = cache["h"].shape[0]
        rows = [self.vjp(theta, cache, np.broadcast_to(unit, (N, self.n_state)))[1]
                for unit in np.eye(self.n_state)]
        return np.stack(rows, axis=1)

    def vjp(self, theta, cache, u):
        """``(u dF/ds_prev (N, 2H), u dF/dtheta (N, P))`` for ``u = [u_h, u_c] (N, 2H)``.

        One :func:`lstm_course.nn.lstm.lstm_step_backward` per sequence, since its
        weight gradients are summed over the batch and UORO needs them per sequence.
        """
        H = self.H
        u = np.asarray(u, dtype=float)
        carries, per_sequence = [], []
        for n in range(u.shape[0]):
            row = {key: (cache[key][n:n + 1] if key in _PER_SEQUENCE_KEYS else cache[key]) for key in cache}
            _, dh_prev, dc_prev, dWx, dWh, db = lstm.lstm_step_backward(u[n:n + 1, :H], u[n:n + 1, H:], row)
            carries.append(np.concatenate([dh_prev, dc_prev], axis=1))
            per_sequence.append(np.concatenate([dWx.ravel(), dWh.ravel(), db]))
        return np.concatenate(carries, axis=0), np.stack(per_sequence)
