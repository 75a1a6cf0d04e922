"""Optimisers and gradient clipping.

Optimisers update a dict of parameter arrays **in place**, so a model's
``params`` dict always holds the current weights:

- :class:`SGD`: w <- w - lr * g (with optional momentum v <- mu v + g, w <- w - lr v);
- :class:`Adam`: Kingma & Ba (2015), with bias-corrected moment estimates;
- :class:`LinearDecay`: any of them with its learning rate lowered linearly over a known number of updates;
- :func:`clip_grad_norm`: rescale all gradients together when their global norm
  exceeds a threshold (Pascanu, Mikolov & Bengio 2013, Algorithm 1).
"""
import numpy as np

from lstm_course._validation import check_array_dict, check_int, check_object, check_scalar


def _check_learning_rate(learning_rate):
    return check_scalar("learning_rate", learning_rate, low=0.0)


def _check_grads(params, grads):
    """Validate ``params`` (float arrays, updated in place) and ``grads`` (finite, same shapes).

    A NaN or infinite gradient raises instead of being written into the parameters.
    """
    params = check_array_dict("params", params, in_place=True, allow_empty=True)
    if not isinstance(grads, dict):
        raise ValueError(f"grads must be a dict of arrays keyed like params, got {type(grads).__name__}")
    unknown = sorted(set(grads) - set(params))
    if unknown:
        raise ValueError(f"grads has keys {unknown} that are not in params ({sorted(params)})")
    grads = check_array_dict("grads", grads, allow_empty=True)
    for name, grad in grads.items():
        if grad.shape != params[name].shape:
            raise ValueError(f"grads[{name!r}] must have the shape of params[{name!r}], "
                             f"{params[name].shape}, got {grad.shape}")
    return grads


class SGD:
    """Stochastic gradient descent, optionally with heavy-ball momentum.

    Parameters
    ----------
    learning_rate : float
    momentum : float in [0, 1)
    """

    def __init__(self, learning_rate, momentum=0.0):
        self.learning_rate = _check_learning_rate(learning_rate)
        self.momentum = check_scalar("momentum", momentum, low=0.0, high=1.0, high_open=True)
        self.velocity = {}

    def step(self, params, grads):
        """Apply one update to ``params`` in place: w <- w - lr * v, v = mu v + g."""
        grads = _check_grads(params, grads)
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
        self.beta1 = check_scalar("beta1", beta1, low=0.0, high=1.0, high_open=True)
        self.beta2 = check_scalar("beta2", beta2, low=0.0, high=1.0, high_open=True)
        # eps > 0 keeps the update finite when v = 0
        self.eps = check_scalar("eps", eps, low=0.0, low_open=True)
        self.first_moment, self.second_moment = {}, {}
        self.steps = 0

    def step(self, params, grads):
        """Apply one Adam update to ``params`` in place."""
        grads = _check_grads(params, grads)
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


class LinearDecay:
    """An optimiser whose learning rate falls linearly from its own value to ``final_fraction`` of it.

    Update n (counted from 1) uses lr_n = lr_0 * max(final_fraction, 1 - (n - 1) / total_updates):
    lr_0 at the first update, ``final_fraction * lr_0`` from update ``total_updates`` on.
    Large early steps and small late ones: the late steps average out the gradient noise that a
    constant rate keeps injecting (a common schedule for language models).

    Parameters
    ----------
    optimizer : SGD or Adam (any object with ``learning_rate`` and ``step(params, grads)``)
        Its ``learning_rate`` is lr_0; it is changed before every step.
    total_updates : int >= 1
    final_fraction : float in [0, 1]
    """

    def __init__(self, optimizer, total_updates, final_fraction=0.05):
        check_object("optimizer", optimizer, ("step", "learning_rate"),
                     "an optimiser with learning_rate and step(params, grads), e.g. Adam")
        self.optimizer = optimizer
        self.initial_rate = _check_learning_rate(optimizer.learning_rate)
        self.total_updates = check_int("total_updates", total_updates, minimum=1)
        self.final_fraction = check_scalar("final_fraction", final_fraction, low=0.0, high=1.0)
        self.updates = 0

    @property
    def learning_rate(self):
        """The rate the next update will use."""
        return self.initial_rate * max(self.final_fraction, 1.0 - self.updates / self.total_updates)

    def step(self, params, grads):
        """Set the wrapped optimiser's rate for this update and apply it."""
        self.optimizer.learning_rate = self.learning_rate
        self.optimizer.step(params, grads)
        self.updates += 1


def global_norm(grads):
    """Euclidean norm of all gradients taken together, sqrt(sum_k ||g_k||^2)."""
    grads = check_array_dict("grads", grads, allow_empty=True)
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
    max_norm = check_scalar("max_norm", max_norm, low=0.0, low_open=True)
    check_array_dict("grads", grads, in_place=True, allow_empty=True)
    norm = global_norm(grads)
    if norm > max_norm:
        for grad in grads.values():
            grad *= max_norm / norm
    return norm
