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
from lstm_course.online import rtrl
from lstm_course.online.systems import _FlatLayerParameters, _per_sequence_gradient


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
        h, c, cache = lstm.step_forward(x_t, s_prev[:, :H], s_prev[:, H:], p["Wx"], p["Wh"], p["b"])
        return np.concatenate([h, c], axis=1), cache

    def jvp_state(self, theta, cache, v):
        """Forward tangent of one step: (d[h, c]/d[h_prev, c_prev]) v for ``v (N, 2H, K)``."""
        H = self.H
        dz = np.einsum("nak,ag->ngk", v[:, :H], cache["Wh"])   # z = x Wx + h_prev Wh + b
        return np.concatenate(lstm.step_tangent(dz, v[:, H:], cache), axis=1)

    def jac_params(self, theta, cache):
        """The direct Jacobian d[h, c]/dtheta ``(N, 2H, P)``: the tangent of z's direct dependence on theta."""
        N, H = cache["h"].shape
        dz = rtrl._direct_dz(cache["x"], cache["h_prev"], 4, H)
        return np.concatenate(lstm.step_tangent(dz, np.zeros((N, H, self.n_params), dz.dtype), cache), axis=1)

    def vjp(self, theta, cache, u):
        """``(u dF/ds_prev (N, 2H), u dF/dtheta (N, P))`` for ``u = [u_h, u_c] (N, 2H)``.

        One :func:`lstm_course.nn.lstm.step_dz` for the whole batch; the weight gradients are
        then formed per sequence (UORO needs them per sequence, not summed).
        """
        H = self.H
        u = np.asarray(u)
        dz, dh_prev, dc_prev = lstm.step_dz(u[:, :H], u[:, H:], cache)
        return np.concatenate([dh_prev, dc_prev], axis=1), _per_sequence_gradient(dz, cache)
