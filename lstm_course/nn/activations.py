"""Activation functions and their derivatives.

Derivatives are written in terms of the activation's *output*, because that is
what the backward passes keep in their caches:
sigma'(z) = s (1 - s) with s = sigma(z), and tanh'(z) = 1 - t**2 with t = tanh(z).
"""
import numpy as np

from lstm_course._validation import check_real_array


def sigmoid(z):
    """Logistic function sigma(z) = 1 / (1 + exp(-z)), without overflow.

    For z < 0 it evaluates exp(z) / (1 + exp(z)), so ``exp`` only ever sees
    non-positive arguments and no RuntimeWarning is raised even at z = -1000.

    Parameters
    ----------
    z : ndarray, any shape

    Returns
    -------
    ndarray, same shape and dtype as ``z``
    """
    z = check_real_array("z", z)
    exp_neg_abs = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + exp_neg_abs), exp_neg_abs / (1.0 + exp_neg_abs)).astype(z.dtype, copy=False)


def sigmoid_grad_from_output(s, out=None):
    """Derivative of the sigmoid given its output: sigma'(z) = s (1 - s), into ``out`` if given."""
    s = check_real_array("s", s)
    return np.multiply(s, 1.0 - s, out=out)


def sigmoid_grad(z):
    """Derivative of the sigmoid at z: sigma'(z) = sigma(z) (1 - sigma(z))."""
    return sigmoid_grad_from_output(sigmoid(z))


def tanh(z):
    """Hyperbolic tangent, tanh(z) = (e^z - e^-z) / (e^z + e^-z)."""
    return np.tanh(check_real_array("z", z))


def tanh_grad_from_output(t, out=None):
    """Derivative of tanh given its output: tanh'(z) = 1 - t**2, into ``out`` if given."""
    t = check_real_array("t", t)
    return np.subtract(1.0, t * t, out=out)


def tanh_grad(z):
    """Derivative of tanh at z: tanh'(z) = 1 - tanh(z)**2."""
    return tanh_grad_from_output(np.tanh(check_real_array("z", z)))


# The 1997 LSTM's squashing functions (Hochreiter & Schmidhuber), used by lstm_course.nn.lstm1997.


def squash_input(x):
    """The paper's cell-input squashing g(x) = 4 sigmoid(x) - 2, with range (-2, 2)."""
    return 4.0 * sigmoid(check_real_array("x", x)) - 2.0


def squash_input_grad_from_output(g):
    """g'(x) written with g = g(x): 4 s (1 - s) with s = (g + 2) / 4, i.e. (4 - g**2) / 4."""
    g = check_real_array("g", g)
    return (4.0 - g * g) / 4.0


def squash_output(s):
    """The paper's cell-output squashing h(s) = 2 sigmoid(s) - 1, with range (-1, 1)."""
    return 2.0 * sigmoid(check_real_array("s", s)) - 1.0


def squash_output_grad_from_output(h):
    """h'(s) written with h = h(s): 2 u (1 - u) with u = (h + 1) / 2, i.e. (1 - h**2) / 2."""
    h = check_real_array("h", h)
    return (1.0 - h * h) / 2.0
