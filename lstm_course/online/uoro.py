"""Unbiased Online Recurrent Optimization, UORO (Tallec & Ollivier 2018).

RTRL carries the full sensitivity S_t = ds_t/dtheta, an ``(n, P)`` matrix per
sequence, at a cost of O(n^2 P) per step. UORO carries a random **rank-one**
stand-in S_t ~ s~_t theta~_t^T instead: a state tangent ``s~ (n,)`` and a
parameter tangent ``theta~ (P,)``. With F_s = dF/ds_{t-1}, F_theta = dF/dtheta
and fresh random signs nu (n independent +-1), one step is

    s~_t     = rho0 F_s s~_{t-1} + rho1 nu,
    theta~_t = theta~_{t-1} / rho0 + (nu^T F_theta) / rho1,

    rho0 = sqrt(||theta~_{t-1}|| / ||F_s s~_{t-1}||),   rho1 = sqrt(||nu^T F_theta|| / ||nu||),

(a small eps is added to numerators and denominators) and the gradient estimate
of l_t is g~_t = (dl_t/ds_t . s~_t) theta~_t. Unbiasedness: E[nu nu^T] = I, and
the cross terms are odd in nu (rho1 is even), so E[s~_t theta~_t^T | past] =
F_s s~_{t-1} theta~_{t-1}^T + F_theta, and by induction E[s~_t theta~_t^T] = S_t
when theta is fixed. The factors rho0, rho1 do not change the mean; they balance
the norms of the two factors of each product, which minimises the variance of
the estimate among all such rescalings.

Cost per step: one forward tangent F_s s~ (a Jacobian-vector product, O(n^2))
and one vector-Jacobian product nu^T F_theta (O(P), the price of one backward
step), so O(P) time and O(n + P) memory: the same order as the forward pass.
Everything works per sequence: a batch of N sequences carries ``s~ (N, n)`` and
``theta~ (N, P)``.
"""
import numpy as np

from lstm_course._validation import as_float_array, as_rng, check_scalar, check_shape
from lstm_course.online._checks import check_start, check_step, check_system


class UORO:
    """UORO on a system of :mod:`lstm_course.online.systems`.

    Parameters
    ----------
    system : object
        A system as described in :mod:`lstm_course.online.systems`.
    theta : ndarray (P,)
        Parameters; :func:`lstm_course.online.systems.run_online` updates them in place.
    rng : numpy.random.Generator or int, optional
        Source of the random signs nu.
    signs : ndarray (N, T, n) of +-1, optional
        Use these signs instead of drawing them (step t uses ``signs[:, t - 1]``);
        enumerating all sign patterns gives the exact mean of the estimator.
    eps : float > 0
        Added to the norms in rho0 and rho1 (the first step, with zero tangents,
        gets rho0 = 1).

    Attributes
    ----------
    state_tangent : ndarray (N, n)
        s~_t.
    param_tangent : ndarray (N, P)
        theta~_t; s~_t[n] theta~_t[n]^T estimates ds_t[n]/dtheta.
    """

    def __init__(self, system, theta, rng=None, signs=None, eps=1e-7):
        self.system = check_system("system", system)
        self.theta = as_float_array("theta", theta, ndim=1)
        check_shape("theta", self.theta, (system.n_params,), "(P,)")
        if signs is not None:
            signs = as_float_array("signs", signs, ndim=3)
            if signs.shape[2] != system.n_state or not np.all(np.abs(signs) == 1):
                raise ValueError(f"signs must be an (N, T, n) array of +1 and -1 with n = {system.n_state}, "
                                 f"got shape {signs.shape}")
        self.eps = check_scalar("eps", eps, low=0.0, low_open=True)
        self.rng, self.signs, self.s = as_rng("rng", rng), signs, None

    def start(self, s0):
        """Begin a stream in state ``s0 (N, n)`` with zero tangents (in the dtype of ``theta``)."""
        s0 = check_start(self.system, s0)
        if self.signs is not None and self.signs.shape[0] != s0.shape[0]:
            raise ValueError(f"signs must have N = {s0.shape[0]} rows like s0, got {self.signs.shape[0]}")
        dtype = self.theta.dtype
        self.s, self.t = s0.astype(dtype, copy=False), 0
        self.state_tangent = np.zeros(s0.shape, dtype)
        self.param_tangent = np.zeros((s0.shape[0], self.system.n_params), dtype)

    def _draw(self, N, n):
        if self.signs is None:
            return self.rng.choice(np.array([-1.0, 1.0], self.theta.dtype), size=(N, n))
        if self.t >= self.signs.shape[1]:
            raise ValueError(f"signs has {self.signs.shape[1]} steps but the stream is longer")
        return self.signs[:, self.t].astype(self.theta.dtype, copy=False)

    def step(self, x_t, y_t):
        """One step on ``x_t (N, D)``, ``y_t (N, O)``: returns ``(l_t, g~_t)``, g~_t ``(P,)`` estimating dl_t/dtheta."""
        x_t, y_t = check_step(self.system, self.s, x_t, y_t)
        system, theta, eps = self.system, self.theta, self.eps
        self.s, cache = system.step(theta, self.s, x_t)
        nu = self._draw(*self.s.shape)
        self.t += 1
        forward = system.jvp_state(theta, cache, self.state_tangent[:, :, None])[:, :, 0]   # F_s s~
        _, nu_F_theta = system.vjp(theta, cache, nu)                                        # nu^T F_theta
        norm = lambda a: np.linalg.norm(a, axis=1, keepdims=True)
        rho0 = np.sqrt((norm(self.param_tangent) + eps) / (norm(forward) + eps))
        rho1 = np.sqrt((norm(nu_F_theta) + eps) / (norm(nu) + eps))
        self.state_tangent = rho0 * forward + rho1 * nu
        self.param_tangent = self.param_tangent / rho0 + nu_F_theta / rho1
        loss, dl_ds = system.loss(self.s, y_t)
        return loss, np.sum(self.param_tangent * np.sum(dl_ds * self.state_tangent, axis=1, keepdims=True), axis=0)

    def finish(self):
        """Nothing is pending at the end of a stream."""
        return None


def exact_mean(system, theta, x, y, s0=None):
    """The exact mean of UORO's full-stream estimate, by enumerating every sign pattern.

    Averages the sum over steps of g~_t over all 2^(N T n) sign sequences,
    which by unbiasedness equals the full-BPTT gradient d/dtheta sum_t l_t.
    Only for tiny problems (N T n <= 16).

    Parameters
    ----------
    system, theta : as for :class:`UORO`
    x : ndarray (N, T, D)
    y : ndarray (N, T, O)
    s0 : ndarray (N, n), optional

    Returns
    -------
    ndarray (P,)
    """
    from lstm_course.online.systems import run_online
    check_system("system", system)
    theta = as_float_array("theta", theta, ndim=1)
    check_shape("theta", theta, (system.n_params,), "(P,)")

    x = as_float_array("x", x, ndim=3)
    N, T, _ = x.shape
    n = system.n_state
    if N * T * n > 16:
        raise ValueError(f"exact_mean enumerates 2^(N T n) sign patterns; N T n = {N * T * n} > 16")
    total = np.zeros(system.n_params, theta.dtype)
    for code in range(2 ** (N * T * n)):
        bits = (code >> np.arange(N * T * n)) & 1
        signs = (2.0 * bits - 1.0).reshape(N, T, n)
        total += run_online(UORO(system, theta.copy(), signs=signs), x, y, s0=s0).gradient_sum
    return total / 2 ** (N * T * n)
