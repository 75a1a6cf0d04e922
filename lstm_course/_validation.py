"""Input checks shared by every layer function.

Each check raises ``ValueError`` with a message that names the argument and the
shape or range that was expected, so that a student's mistake is reported at the
call site instead of deep inside a numpy broadcast.
"""
from __future__ import annotations

import numbers

import numpy as np


def as_float_array(name, value, ndim=None, allow_empty=False):
    """Return ``value`` as a floating-point array, validating rank and finiteness.

    Integer and boolean input becomes float64; float32 and float64 keep their dtype.

    Parameters
    ----------
    name : str
        Argument name used in error messages.
    value : array_like
        The value to check.
    ndim : int, optional
        Required number of dimensions.
    allow_empty : bool
        Whether a zero-size array is acceptable.
    """
    try:
        array = np.asarray(value)
    except Exception as exc:  # ragged lists and similar
        raise ValueError(f"{name} must be a numeric array, got {type(value).__name__}: {exc}") from exc
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    elif array.dtype.kind != "f":
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got {array.ndim}-D with shape {array.shape}")
    if array.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty (shape {array.shape}); expected at least one element on every axis")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def check_shape(name, array, expected, labels):
    """Raise ``ValueError`` unless ``array.shape`` equals ``expected``.

    ``labels`` spells the expected shape symbolically, e.g. ``"(N, H)"``, so the
    message reads ``h0 must have shape (N, H) = (2, 3), got (2, 4)``.
    """
    if array.shape != tuple(expected):
        raise ValueError(f"{name} must have shape {labels} = {tuple(expected)}, got {array.shape}")


def check_positive_int(name, value, allow_none=False):
    """Return ``value`` as an int after checking it is an integer >= 1."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def check_callable(name, value):
    """Raise ``ValueError`` unless ``value`` can be called (a checker was given a function)."""
    if not callable(value):
        raise ValueError(f"{name} must be a function, got {type(value).__name__}: {value!r}")
    return value


def check_recurrent_params(Wx, Wh, b, gate_blocks):
    """Validate input weights, recurrent weights and bias of a recurrent cell.

    ``gate_blocks`` is 1 for the Elman RNN and 4 for the LSTM (blocks i, f, g, o).
    Returns the arrays as floats together with the sizes ``(D, H)``.
    """
    G = gate_blocks
    columns = "H" if G == 1 else f"{G}H"
    Wx = as_float_array("Wx", Wx, ndim=2)
    Wh = as_float_array("Wh", Wh, ndim=2)
    b = as_float_array("b", b, ndim=1)
    if Wh.shape[1] % G:
        raise ValueError(f"Wh must have shape (H, {columns}); its {Wh.shape[1]} columns are not a multiple of {G}")
    H = Wh.shape[1] // G
    check_shape("Wh", Wh, (H, G * H), f"(H, {columns})")
    D = Wx.shape[0]
    check_shape("Wx", Wx, (D, G * H), f"(D, {columns})")
    check_shape("b", b, (G * H,), f"({columns},)")
    return Wx, Wh, b, D, H


def check_step_inputs(x, states, D, H):
    """Validate one time step's input ``x (N, D)`` and states, each ``(N, H)``.

    ``states`` maps argument names (e.g. ``"h_prev"``) to arrays.
    """
    x = as_float_array("x", x, ndim=2)
    N = x.shape[0]
    check_shape("x", x, (N, D), "(N, D)")
    checked = [as_float_array(name, state, ndim=2) for name, state in states.items()]
    for name, state in zip(states, checked):
        check_shape(name, state, (N, H), "(N, H)")
    return x, checked


def check_sequence_inputs(x, states, D, H):
    """Validate a batch-major sequence ``x (N, T, D)`` and initial states ``(N, H)``.

    A state given as ``None`` becomes zeros of the right shape and dtype.
    """
    x = as_float_array("x", x, ndim=3)
    N, T, _ = x.shape
    check_shape("x", x, (N, T, D), "(N, T, D)")
    checked = []
    for name, state in states.items():
        if state is None:
            checked.append(np.zeros((N, H), dtype=x.dtype))
            continue
        state = as_float_array(name, state, ndim=2)
        check_shape(name, state, (N, H), "(N, H)")
        checked.append(state)
    return x, checked


def check_upstream(name, grad, expected, labels):
    """Validate an upstream gradient against the shape its forward pass produced."""
    grad = as_float_array(name, grad)
    check_shape(name, grad, expected, labels)
    return grad
