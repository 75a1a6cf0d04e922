"""The one-unit recurrent model of Pascanu, Mikolov & Bengio (2013, Fig. 6) (Chapter 4).

x_k = w sigma(x_{k-1}) + b with x_0 = 0.5 and the loss E = (sigma(x_50) - 0.7)**2.
Its error surface over (w, b) has a "wall": a narrow ridge where the gradient
explodes, the picture behind gradient clipping. This module evaluates the
states, the loss and its gradient (by BPTT through the one unit), the surface
on a grid, and gradient descent on it with or without clipping.
"""
from typing import NamedTuple

import numpy as np

from lstm_course._validation import as_float_array, check_positive_int, check_scalar
from lstm_course.nn.activations import sigmoid, sigmoid_grad_from_output
from lstm_course.train.optim import SGD, clip_grad_norm


class DescentPath(NamedTuple):
    """Gradient descent on the one-unit model: where it went and what it saw.

    ``params`` (n_updates + 1, 2) holds (w, b) before each update and after
    the last; ``losses`` (n_updates + 1,) the loss there; ``grad_norms``
    (n_updates,) the gradient norm before any clipping.
    """

    params: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray


def _check_one_unit(steps, x0):
    steps = check_positive_int("steps", steps)
    check_scalar("x0", x0)
    return steps


def _parameter(name, value):
    """w or b: a number or an array of them (not a bool)."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}")
    return as_float_array(name, value)


def one_unit_states(w, b, steps=50, x0=0.5):
    """The states x_0..x_steps of x_k = w sigma(x_{k-1}) + b.

    Parameters
    ----------
    w, b : float or ndarray
        Recurrent weight and bias; arrays broadcast against each other, so a
        whole grid of models runs at once.
    steps : int
    x0 : float

    Returns
    -------
    ndarray (*broadcast shape, steps + 1)
    """
    steps = _check_one_unit(steps, x0)
    w, b = _parameter("w", w), _parameter("b", b)
    states = np.empty(np.broadcast(w, b).shape + (steps + 1,), np.result_type(w, b))
    states[..., 0] = x0
    for k in range(1, steps + 1):
        states[..., k] = w * sigmoid(states[..., k - 1]) + b
    return states


def one_unit_loss_and_grads(w, b, steps=50, x0=0.5, target=0.7):
    """E = (sigma(x_steps) - target)**2 and its gradient by backpropagation through time.

    With delta_k = dE/dx_k, delta_steps = 2 (sigma(x_steps) - target) sigma'(x_steps) and
    delta_{k-1} = delta_k w sigma'(x_{k-1}); dE/dw = sum_k delta_k sigma(x_{k-1}) and
    dE/db = sum_k delta_k.

    Parameters
    ----------
    w, b : float or ndarray
        Broadcast against each other.
    steps : int
    x0 : float
    target : float in (0, 1)

    Returns
    -------
    loss, dw, db : ndarray, each of the broadcast shape of ``w`` and ``b``
    """
    target = check_scalar("target", target, 0.0, 1.0, low_open=True, high_open=True)  # the sigmoid's range
    states = one_unit_states(w, b, steps, x0)
    w = np.broadcast_to(_parameter("w", w), states.shape[:-1])
    outputs = sigmoid(states)
    loss = (outputs[..., -1] - target) ** 2
    delta = 2.0 * (outputs[..., -1] - target) * sigmoid_grad_from_output(outputs[..., -1])
    dw = np.zeros_like(loss)
    db = np.zeros_like(loss)
    for k in range(steps, 0, -1):
        dw += delta * outputs[..., k - 1]
        db += delta
        delta = delta * w * sigmoid_grad_from_output(outputs[..., k - 1])
    return loss, dw, db


def one_unit_loss_surface(w_values, b_values, steps=50, x0=0.5, target=0.7):
    """The loss E on the grid of every (w, b) pair.

    Parameters
    ----------
    w_values : ndarray (P,)
    b_values : ndarray (Q,)

    Returns
    -------
    ndarray (Q, P)
        Row q, column p: E at (w_values[p], b_values[q]), the layout
        ``matplotlib``'s ``contourf(w_values, b_values, E)`` expects.
    """
    w_values = as_float_array("w_values", w_values, ndim=1)
    b_values = as_float_array("b_values", b_values, ndim=1)
    _check_one_unit(steps, x0)
    check_scalar("target", target, 0.0, 1.0, low_open=True, high_open=True)
    loss, _, _ = one_unit_loss_and_grads(w_values[None, :], b_values[:, None], steps, x0, target)
    return loss


def one_unit_descent(w, b, learning_rate, n_updates, max_grad_norm=None, steps=50, x0=0.5, target=0.7):
    """Plain gradient descent on the one-unit model, optionally with clipping.

    Each update computes the gradient, rescales it with
    :func:`lstm_course.train.optim.clip_grad_norm` when ``max_grad_norm`` is given,
    and applies :class:`lstm_course.train.optim.SGD`.

    Parameters
    ----------
    w, b : float
        Starting point.
    learning_rate : float
    n_updates : int
    max_grad_norm : float, optional

    Returns
    -------
    DescentPath
    """
    n_updates = check_positive_int("n_updates", n_updates)
    params = {"w": np.array([check_scalar("w", w)]), "b": np.array([check_scalar("b", b)])}
    max_grad_norm = check_scalar("max_grad_norm", max_grad_norm, low=0, low_open=True, allow_none=True)
    _check_one_unit(steps, x0)
    check_scalar("target", target, 0.0, 1.0, low_open=True, high_open=True)
    optimizer = SGD(learning_rate)
    path = np.empty((n_updates + 1, 2))
    losses = np.empty(n_updates + 1)
    grad_norms = np.empty(n_updates)
    for update in range(n_updates + 1):
        loss, dw, db = one_unit_loss_and_grads(params["w"], params["b"], steps, x0, target)
        path[update] = params["w"][0], params["b"][0]
        losses[update] = loss[0]
        if update == n_updates:
            break
        grads = {"w": dw, "b": db}
        grad_norms[update] = np.hypot(dw[0], db[0])
        if max_grad_norm is not None:
            clip_grad_norm(grads, max_grad_norm)
        optimizer.step(params, grads)
    return DescentPath(path, losses, grad_norms)
