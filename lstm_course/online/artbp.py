"""Anticipated Reweighted Truncated Backpropagation, ARTBP (Tallec & Ollivier 2017).

Truncated BPTT cuts the backward pass at fixed points and is biased: what a
loss owes to steps before the cut is simply dropped. ARTBP cuts at **random**
points and reweights what it keeps, so that the expectation is exact.

After each step t the stream is cut with probability c_t (which may depend on
the past, e.g. on the steps since the last cut). At a cut, the segment a..t
since the previous cut is backpropagated, and the error carried from step
tau + 1 back to step tau, for every tau in the segment where no cut happened,
is multiplied by the **compensation factor** 1 / (1 - c_tau)::

    delta~_tau = dl_tau/ds_tau + (1 / (1 - c_tau)) delta~_{tau+1} dF_{tau+1}/ds_tau,   (no cut after tau)
    delta~_tau = dl_tau/ds_tau,                                                      (cut after tau)

and the segment's gradient is sum_tau delta~_tau dF_tau/dtheta, of shape ``(P,)``.
Unbiasedness, by induction from the end of the stream: the cut after tau is
decided independently of what happens later, so
E[delta~_tau] = dl_tau/ds_tau + (1 - c_tau) (1 / (1 - c_tau)) E[delta~_{tau+1}] dF/ds
= delta_tau, the exact BPTT error. Summed over the segments of a stream, the
gradients are an unbiased estimate of full BPTT (fixed weights); with c = 0
there is a single segment and the estimate **is** full BPTT. Memory is the
current segment (mean length 1 / c for a constant c); time is one backward
step per step, as for TBPTT(k, k), which :class:`TruncatedBPTT` computes with
the same code (cuts every k steps, factors 1).
"""

import numpy as np

from lstm_course._validation import as_float_array, as_rng, check_positive_int, check_scalar, check_shape
from lstm_course.online._checks import check_start, check_step, check_system


class _SegmentBPTT:
    """Shared machinery: buffer the segment since the last cut, backpropagate it at a cut."""

    def __init__(self, system, theta):
        self.system = check_system("system", system)
        self.theta = as_float_array("theta", theta, ndim=1)
        check_shape("theta", self.theta, (system.n_params,), "(P,)")
        self.s = None

    def start(self, s0):
        """Begin a stream in state ``s0 (N, n)`` with an empty segment."""
        self.s, self.t, self.segment = check_start(self.system, s0), 0, []

    def step(self, x_t, y_t):
        """One step on ``x_t (N, D)``, ``y_t (N, O)``: returns ``(l_t, g)``, g the segment's gradient ``(P,)`` if
        the stream is cut after t, else None."""
        x_t, y_t = check_step(self.system, self.s, x_t, y_t)
        self.s, cache = self.system.step(self.theta, self.s, x_t)
        self.t += 1
        loss, dl_ds = self.system.loss(self.s, y_t)
        cut, c = self._decide(len(self.segment) + 1)
        self.segment.append((cache, dl_ds, c))
        return loss, (self._backward() if cut else None)

    def finish(self):
        """The end of the stream closes the last segment: returns its gradient, or None if empty."""
        return self._backward() if self.segment else None

    def _backward(self):
        system, theta = self.system, self.theta
        grad = np.zeros(system.n_params, theta.dtype)
        carry = 0.0                                    # compensated error arriving from step tau + 1
        for cache, dl_ds, c in reversed(self.segment):
            carry = carry / (1.0 - c) if np.ndim(carry) else carry   # no cut after tau: reweight
            delta = dl_ds + carry                                   # delta~_tau
            carry, per_sequence = system.vjp(theta, cache, delta)   # delta~ dF/ds_prev, delta~ dF/dtheta
            grad += per_sequence.sum(axis=0)
        self.segment = []                              # the carry into the step before the cut is dropped
        return grad


class ARTBP(_SegmentBPTT):
    """ARTBP on a system of :mod:`lstm_course.online.systems`.

    Parameters
    ----------
    system : object
        A system as described in :mod:`lstm_course.online.systems`.
    theta : ndarray (P,)
        Parameters; :func:`lstm_course.online.systems.run_online` updates them in place.
    truncation_probability : float in [0, 1) or callable
        c_t. A callable receives the length k >= 1 of the current segment
        (steps since the last cut, including t) and returns c in [0, 1).
    rng : numpy.random.Generator or int, optional
        Source of the random cuts.
    cuts : 1-D bool array (T,), optional
        Cut after step t where ``cuts[t - 1]`` is True, instead of drawing; the
        compensation factors still use c_t. Enumerating all patterns, weighted
        by their probabilities, gives the exact mean of the estimator.
    """

    def __init__(self, system, theta, truncation_probability=0.1, rng=None, cuts=None):
        super().__init__(system, theta)
        c = truncation_probability
        if not callable(c):
            c = check_scalar("truncation_probability", c, low=0.0, high=1.0, high_open=True)
        if cuts is not None:
            cuts = np.asarray(cuts)
            if cuts.ndim != 1 or cuts.dtype != bool:
                raise ValueError(f"cuts must be a 1-D boolean array (T,), got dtype {cuts.dtype}, "
                                 f"shape {cuts.shape}")
        self.c, self.cuts, self.rng = c, cuts, as_rng("rng", rng)

    def probability(self, k):
        """c for a segment that has reached length k, checked to lie in [0, 1)."""
        k = check_positive_int("k", k)
        c = float(self.c(k)) if callable(self.c) else self.c
        if not 0 <= c < 1:
            raise ValueError(f"truncation_probability returned {c} for segment length {k}; expected [0, 1)")
        return c

    def _decide(self, k):
        c = self.probability(k)
        if self.cuts is None:
            return bool(self.rng.random() < c), c
        if self.t > self.cuts.size:
            raise ValueError(f"cuts has {self.cuts.size} steps but the stream is longer")
        return bool(self.cuts[self.t - 1]), c


class TruncatedBPTT(_SegmentBPTT):
    """TBPTT(k, k) on a system: cut every k steps, no reweighting (biased).

    The semantics are those of the engine :mod:`lstm_course.train.tbptt.engine` with
    k1 = k2 = k (a test checks the two agree): the loss at position j of a segment is
    backpropagated through j steps, and a last partial segment of r < k steps injects
    its r losses but backpropagates them through the last k steps, reaching back into
    the previous segment (whose last k - r steps are therefore kept).

    Parameters
    ----------
    system, theta : as for :class:`ARTBP`
    k : int >= 1
        Segment length.
    """

    def __init__(self, system, theta, k):
        super().__init__(system, theta)
        self.k = check_positive_int("k", k)

    def start(self, s0):
        super().start(s0)
        self.previous = []             # the last segment backpropagated, for a partial last one to reach into

    def _decide(self, k):
        return k == self.k, 0.0

    def _backward(self):
        self.previous = self.segment
        return super()._backward()

    def finish(self):
        """The end of the stream: the last partial segment's losses, backpropagated through the last k steps."""
        reach = self.k - len(self.segment)
        if self.segment and reach and self.previous:
            earlier = [(cache, np.zeros_like(dl_ds), c) for cache, dl_ds, c in self.previous[-reach:]]
            self.segment = earlier + self.segment
        return super().finish()


def cut_pattern_probability(cuts, c):
    """Probability that ARTBP with constant c cuts exactly where ``cuts`` says, over its first T - 1 steps.

    The decision after the last step does not change the estimate (the stream
    ends there anyway), so it is not counted: prod over t < T of c or 1 - c.
    """
    cuts = np.asarray(cuts)
    if cuts.ndim != 1 or cuts.dtype != bool or cuts.size == 0:
        raise ValueError(f"cuts must be a non-empty 1-D boolean array (T,), got dtype {cuts.dtype}, "
                         f"shape {cuts.shape}")
    c = check_scalar("c", c, low=0.0, high=1.0, high_open=True)
    cuts = cuts[:-1]
    return float(np.prod(np.where(cuts, c, 1.0 - c)))
