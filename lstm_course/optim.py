"""Optimisers and gradient clipping.

Optimisers update a dict of parameter arrays **in place**, so a model's
``params`` dict always holds the current weights:

- :class:`SGD`: w <- w - lr * g (with optional momentum v <- mu v + g, w <- w - lr v);
- :class:`Adam`: Kingma & Ba (2015), with bias-corrected moment estimates;
- :func:`clip_grad_norm`: rescale all gradients together when their global norm
  exceeds a threshold (Pascanu, Mikolov & Bengio 2013, Algorithm 1).
"""
import numbers

import numpy as np

from ._validation import as_float_array


def _check_learning_rate(learning_rate):
    if (isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real)
            or not np.isfinite(learning_rate) or learning_rate < 0):
        raise ValueError(f"learning_rate must be a finite number >= 0, got {learning_rate!r}")
    return float(learning_rate)


def _check_grads(params, grads):
    unknown = sorted(set(grads) - set(params))
    if unknown:
        raise ValueError(f"grads has keys {unknown} that are not in params ({sorted(params)})")
    for name, grad in grads.items():
        if np.shape(grad) != np.shape(params[name]):
            raise ValueError(f"grads[{name!r}] must have the shape of params[{name!r}], "
                             f"{np.shape(params[name])}, got {np.shape(grad)}")


class SGD:
    """Stochastic gradient descent, optionally with heavy-ball momentum.

    Parameters
    ----------
    learning_rate : float
    momentum : float in [0, 1)
    """

    def __init__(self, learning_rate, momentum=0.0):
        self.learning_rate = _check_learning_rate(learning_rate)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)
        self.velocity = {}

    def step(self, params, grads):
        """Apply one update to ``params`` in place: w <- w - lr * v, v = mu v + g."""
        _check_grads(params, grads)
        for name, grad in grads.items():
            if self.momentum:
                velocity = self.velocity.setdefault(name, np.zeros_like(params[name]))
                velocity *= self.momentum
                velocity += grad
                grad = velocity
            params[name] -= self.learning_rate * grad


class Adam:
    """Adam: m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2;
    w <- w - lr * m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t).

    Parameters
    ----------
    learning_rate : float
    beta1, beta2 : float in [0, 1)
    eps : float
    """

    def __init__(self, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.learning_rate = _check_learning_rate(learning_rate)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
        if not isinstance(eps, numbers.Real) or not eps > 0:
            raise ValueError(f"eps must be a number > 0 (it keeps the update finite when v = 0), got {eps!r}")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.first_moment, self.second_moment = {}, {}
        self.steps = 0

    def step(self, params, grads):
        """Apply one Adam update to ``params`` in place."""
        _check_grads(params, grads)
        self.steps += 1
        correction1 = 1.0 - self.beta1 ** self.steps
        correction2 = 1.0 - self.beta2 ** self.steps
        for name, grad in grads.items():
            m = self.first_moment.setdefault(name, np.zeros_like(params[name]))
            v = self.second_moment.setdefault(name, np.zeros_like(params[name]))
            m *= self.beta1
            m += (1.0 - self.beta1) * grad
            v *= self.beta2
            v += (1.0 - self.beta2) * grad * grad
            params[name] -= self.learning_rate * (m / correction1) / (np.sqrt(v / correction2) + self.eps)


def global_norm(grads):
    """Euclidean norm of all gradients taken together, sqrt(sum_k ||g_k||^2)."""
    return float(np.sqrt(sum(np.sum(np.square(grad)) for grad in grads.values())))


def clip_grad_norm(grads, max_norm):
    """Rescale every gradient in place if their global norm exceeds ``max_norm``.

    If ||g|| > max_norm then g <- g * max_norm / ||g||, where ||g|| is the norm
    of all gradients concatenated. The direction of the update is preserved;
    only its length is capped.

    Parameters
    ----------
    grads : dict[str, ndarray]
        Modified in place.
    max_norm : float > 0

    Returns
    -------
    float
        The global norm *before* clipping (as ``torch.nn.utils.clip_grad_norm_``).
    """
    if not np.isfinite(max_norm) or max_norm <= 0:
        raise ValueError(f"max_norm must be a finite number > 0, got {max_norm!r}")
    for name, grad in grads.items():
        as_float_array(f"grads[{name!r}]", grad, allow_empty=True)
    norm = global_norm(grads)
    if norm > max_norm:
        for grad in grads.values():
            grad *= max_norm / norm
    return norm
