"""Numerical gradient checking.

A backward pass is trusted only after it agrees with centred finite differences.
For an array-valued function ``f`` and an upstream gradient ``df`` (the gradient
of some scalar loss L with respect to ``f(x)``), the chain rule gives::

    dL/dx[i] = sum_j df[j] * d f(x)[j] / d x[i]
             ~ sum_j df[j] * (f(x + h e_i)[j] - f(x - h e_i)[j]) / (2 h),

which is what :func:`numerical_gradient` evaluates, one coordinate at a time.
"""
from __future__ import annotations

import numpy as np

from lstm_course._validation import (
    as_float_array,
    check_array_dict,
    check_callable,
    check_flag,
    check_real_array,
    check_scalar,
)


def numerical_gradient(f, x, df, h=1e-5):
    """Centred-difference gradient of ``sum(f(x) * df)`` with respect to ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns an array (any shape matching ``df``).
    x : ndarray, any shape
        Point at which to differentiate. It is perturbed in place one entry at
        a time and restored before returning.
    df : ndarray, same shape as ``f(x)``
        Upstream gradient dL/df.
    h : float
        Step size. 1e-5 balances truncation error O(h**2) against rounding
        error O(eps / h) in float64.

    Returns
    -------
    ndarray, same shape as ``x``
    """
    check_callable("f", f)
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise ValueError("x must be a floating-point numpy array that can be perturbed in place")
    as_float_array("x", x, allow_empty=True)
    df = as_float_array("df", df, allow_empty=True)
    h = check_scalar("h", h, low=0.0, low_open=True)
    grad = np.zeros_like(x)
    flat_x = x.reshape(-1)  # a view: perturbing it perturbs x
    flat_grad = grad.reshape(-1)
    for index in range(flat_x.size):
        original = flat_x[index]
        flat_x[index] = original + h
        f_plus = np.array(f(x), dtype=np.float64, copy=True)
        flat_x[index] = original - h
        f_minus = np.array(f(x), dtype=np.float64, copy=True)
        flat_x[index] = original
        if f_plus.shape != df.shape:
            raise ValueError(f"df must have the shape of f(x), {f_plus.shape}, got {df.shape}")
        flat_grad[index] = np.sum((f_plus - f_minus) * df) / (2.0 * h)
    return grad


def rel_error(a, b):
    """Relative error ||a - b|| / (||a|| + ||b||) in the Euclidean norm.

    A norm-based ratio (rather than an element-wise one) is robust when some
    entries are exactly or nearly zero. Two all-zero arrays have error 0.

    Parameters
    ----------
    a, b : array_like, same shape

    Returns
    -------
    float in [0, 1]
        NaN when ``a`` or ``b`` holds NaN or inf (a student's broken output), so
        ``rel_error(a, b) <= tol`` is False.
    """
    a = check_real_array("a", a).astype(np.float64)
    b = check_real_array("b", b).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a, {a.shape}, got {b.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("nan")  # a checker compares it with a tolerance: NaN fails every comparison
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b) / denominator)


def check_gradients(f, inputs, analytic, df, h=1e-5, tol=1e-7, verbose=True):
    """Compare analytic gradients with numerical ones for every named input.

    Parameters
    ----------
    f : callable
        ``f(**inputs)`` returns an array with the shape of ``df``.
    inputs : dict[str, ndarray]
        Every argument of ``f``. Those named in ``analytic`` are checked.
    analytic : dict[str, ndarray]
        The backward pass's gradients, keyed like ``inputs``.
    df : ndarray
        Upstream gradient on the output of ``f``.
    h : float
        Finite-difference step.
    tol : float
        Relative error above which a row is marked FAIL.
    verbose : bool
        Print a table of name, shape, relative error and verdict.

    Returns
    -------
    dict[str, float]
        Relative error (:func:`rel_error`) per checked input.
    """
    check_callable("f", f)
    if not isinstance(inputs, dict):
        raise ValueError(f"inputs must be a dict of the arguments of f, got {type(inputs).__name__}")
    analytic = check_array_dict("analytic", analytic, allow_empty=True)
    tol = check_scalar("tol", tol, low=0.0)
    missing = sorted(set(analytic) - set(inputs))
    if missing:
        raise ValueError(f"analytic gradients given for unknown inputs {missing}; inputs are {sorted(inputs)}")
    verbose = check_flag("verbose", verbose)
    errors = {}
    for name, grad in analytic.items():
        # A copy in the input's own precision: a float32 input is probed in float32.
        probe = np.array(as_float_array(f"inputs[{name!r}]", inputs[name], allow_empty=True), copy=True)
        if grad.shape != probe.shape:
            raise ValueError(f"analytic[{name!r}] must have the shape of inputs[{name!r}], "
                             f"{probe.shape}, got {grad.shape}")

        def f_of_one(value, name=name):
            return f(**{**inputs, name: value})

        errors[name] = rel_error(grad, numerical_gradient(f_of_one, probe, df, h=h))
    if verbose:
        print(format_gradient_table(errors, {name: np.shape(inputs[name]) for name in errors}, tol))
    return errors


def format_gradient_table(errors, shapes, tol=1e-7):
    """Render per-parameter relative errors as an aligned text table."""
    tol = check_scalar("tol", tol, low=0.0)
    if not isinstance(errors, dict) or not isinstance(shapes, dict):
        raise ValueError(f"errors and shapes must be dicts keyed by parameter name, got "
                         f"{type(errors).__name__} and {type(shapes).__name__}")
    missing = sorted(set(errors) - set(shapes))
    if missing:
        raise ValueError(f"shapes lacks the parameters {missing} of errors")
    errors = {name: check_scalar(f"errors[{name!r}]", error, low=0.0) for name, error in errors.items()}
    rows = [("parameter", "shape", "rel. error", f"<= {tol:g}?")]
    for name, error in errors.items():
        rows.append((name, str(tuple(shapes[name])), f"{error:.2e}", "PASS" if error <= tol else "FAIL"))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
