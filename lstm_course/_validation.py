"""Input checks shared by every layer function.

Each check raises ``ValueError`` with a message that names the argument and the
shape or range that was expected, so that a student's mistake is reported at the
call site instead of deep inside a numpy broadcast.
"""
from __future__ import annotations

import numbers

import numpy as np


def as_float_array(name, value, ndim=None, allow_empty=False, finite=True):
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
    finite : bool
        Whether NaN and inf are rejected (figures draw them as gaps).
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
    if finite and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def check_shape(name, array, expected, labels, source=None):
    """Raise ``ValueError`` unless ``array.shape`` equals ``expected``.

    ``labels`` spells the expected shape symbolically, e.g. ``"(N, H)"``, so the
    message reads ``h0 must have shape (N, H) = (2, 3), got (2, 4)``; ``source``
    says where the sizes come from (``"N from x, H from Wh"``), so that a mismatch
    caused by the other argument names it too.
    """
    if array.shape != tuple(expected):
        where = f" ({source})" if source else ""
        raise ValueError(f"{name} must have shape {labels} = {tuple(expected)}{where}, got {array.shape}")


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


def check_step_inputs(x, states, D, H, x_name="x", sources=("Wx", "Wh")):
    """Validate one time step's input ``x (N, D)`` and states, each ``(N, H)``.

    ``states`` maps argument names (e.g. ``"h_prev"``) to arrays; ``x_name`` is the
    input's argument name (e.g. ``"x_t"``); ``sources`` name the arguments that fixed
    D and H, for the messages.
    """
    x = as_float_array(x_name, x, ndim=2)
    N = x.shape[0]
    check_shape(x_name, x, (N, D), "(N, D)", f"D from {sources[0]}")
    checked = [as_float_array(name, state, ndim=2) for name, state in states.items()]
    for name, state in zip(states, checked):
        check_shape(name, state, (N, H), "(N, H)", f"N from {x_name}, H from {sources[1]}")
    return x, checked


def check_sequence_inputs(x, states, D, H, sources=("Wx", "Wh")):
    """Validate a batch-major sequence ``x (N, T, D)`` and initial states ``(N, H)``.

    A state given as ``None`` becomes zeros of the right shape and dtype; ``sources``
    name the arguments that fixed D and H, for the messages.
    """
    x = as_float_array("x", x, ndim=3)
    N, T, _ = x.shape
    check_shape("x", x, (N, T, D), "(N, T, D)", f"D from {sources[0]}")
    checked = []
    for name, state in states.items():
        if state is None:
            checked.append(np.zeros((N, H), dtype=x.dtype))
            continue
        state = as_float_array(name, state, ndim=2)
        check_shape(name, state, (N, H), "(N, H)", f"N from x, H from {sources[1]}")
        checked.append(state)
    return x, checked


def check_upstream(name, grad, expected, labels):
    """Validate an upstream gradient against the shape its forward pass produced."""
    grad = as_float_array(name, grad)
    check_shape(name, grad, expected, labels)
    return grad


def check_real_array(name, value):
    """Return ``value`` as an array of real numbers of any shape, without a finiteness check.

    For elementwise functions (activations), where NaN and inf propagate as in numpy's
    ufuncs; integer and boolean input becomes float64.
    """
    try:
        array = np.asarray(value)
    except Exception as exc:
        raise ValueError(f"{name} must be a numeric array, got {type(value).__name__}: {exc}") from exc
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    if array.dtype.kind != "f":
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return array


def check_scalar(name, value, low=None, high=None, low_open=False, high_open=False, allow_none=False):
    """Return ``value`` as a float after checking it is a finite real number in the given range.

    ``low_open``/``high_open`` make the bound strict. Strings, None (unless
    ``allow_none``), booleans, complex numbers, arrays and NaN give a ValueError
    naming ``name``, e.g. ``momentum must be in [0, 1), got '0.9'``.
    """
    if value is None and allow_none:
        return None
    if low is not None and high is not None:
        expected = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    elif low is not None:
        expected = f"a finite number {'>' if low_open else '>='} {low:g}"
    elif high is not None:
        expected = f"a finite number {'<' if high_open else '<='} {high:g}"
    else:
        expected = "a finite real number"
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real)
            or not np.isfinite(value)
            or (low is not None and (value < low or (low_open and value == low)))
            or (high is not None and (value > high or (high_open and value == high)))):
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return float(value)


def check_int(name, value, minimum=None, maximum=None):
    """Return ``value`` as an int after checking ``minimum <= value <= maximum`` (bounds optional)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_choice(name, value, choices):
    """Raise ``ValueError`` unless ``value`` is one of ``choices`` (strings compared exactly)."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def check_array_dict(name, arrays, keys=None, in_place=False, allow_empty=False):
    """Validate a dict of float arrays (parameters or gradients) and return it with float arrays.

    Every entry must be a finite real array; the message names the entry as
    ``name['key']``. ``keys`` (optional) are the required keys. With
    ``in_place=True`` entries must already be floating-point numpy arrays,
    because the caller updates them in place (an int array cannot hold the update).
    """
    if not isinstance(arrays, dict):
        raise ValueError(f"{name} must be a dict of arrays, got {type(arrays).__name__}")
    if keys is not None and set(arrays) != set(keys):
        raise ValueError(f"{name} must be a dict with the keys {sorted(keys)}, got {sorted(arrays)}; "
                         f"missing {sorted(set(keys) - set(arrays))}, unknown {sorted(set(arrays) - set(keys))}")
    checked = {}
    for key, value in arrays.items():
        label = f"{name}[{key!r}]"
        if in_place and not (isinstance(value, np.ndarray) and value.dtype.kind == "f"):
            kind = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
            raise ValueError(f"{label} must be a floating-point numpy array (it is updated in place), got {kind}")
        checked[key] = as_float_array(label, value, allow_empty=allow_empty)
    return checked


def check_cache(name, cache, keys, producer, gate_blocks=None):
    """Raise ``ValueError`` unless ``cache`` is a dict holding ``keys``, as ``producer`` returns it.

    With ``gate_blocks`` (1 for the RNN, 4 for the LSTM) the cache's ``Wh`` must also
    have shape ``(H, gate_blocks * H)``, so that another cell's cache is caught here.
    """
    if not isinstance(cache, dict):
        raise ValueError(f"{name} must be the dict returned by {producer}, got {type(cache).__name__}")
    missing = [key for key in keys if key not in cache]
    if missing:
        raise ValueError(f"{name} is not a cache of {producer}: it lacks {missing}")
    if gate_blocks is not None:
        Wh = cache.get("Wh")
        shape = np.shape(Wh)
        if len(shape) != 2 or shape[1] != gate_blocks * shape[0]:
            columns = "H" if gate_blocks == 1 else f"{gate_blocks}H"
            raise ValueError(f"{name} is not a cache of {producer}: its Wh has shape {shape}, expected (H, {columns})")
    return cache


def check_step_index(name, t, T):
    """Return the 0-based step ``t`` of a length-``T`` sequence; negative ``t`` counts from the end."""
    if isinstance(t, (bool, np.bool_)) or not isinstance(t, numbers.Integral) or not -T <= t < T:
        raise ValueError(f"{name} must be an integer step in [0, {T - 1}] (or negative from the end), got {t!r}")
    return int(t) % T


def check_binary_mask(name, mask, shape, labels):
    """Return ``mask`` as a float array of 0s and 1s with the given shape."""
    mask = as_float_array(name, mask)
    check_shape(name, mask, shape, labels)
    if not np.all((mask == 0) | (mask == 1)):
        raise ValueError(f"{name} must hold only 0 (padding) and 1 (real step), got values "
                         f"{np.unique(mask[(mask != 0) & (mask != 1)])[:5]}")
    return mask


def check_object(name, value, attributes, description):
    """Raise ``ValueError`` unless ``value`` has every attribute in ``attributes`` (duck typing)."""
    missing = [attribute for attribute in attributes if not hasattr(value, attribute)]
    if missing:
        raise ValueError(f"{name} must be {description} (with {', '.join(attributes)}), "
                         f"got {type(value).__name__}")
    return value


def check_float_dtype(name, dtype):
    """Return ``np.dtype(dtype)`` after checking it is float32 or float64 (the dtypes the package computes in).

    None is refused too, although numpy reads it as float64: a dtype argument says which one.
    """
    if dtype is None:
        raise ValueError(f"{name} must be np.float32 or np.float64, got None")
    try:
        checked = np.dtype(dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be np.float32 or np.float64, got {dtype!r}") from exc
    if checked not in (np.float32, np.float64):
        raise ValueError(f"{name} must be np.float32 or np.float64, got {checked}")
    return checked


def check_flag(name, value):
    """Return ``value`` as a bool after checking it is ``True`` or ``False`` (not a string such as ``"no"``)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def as_rng(name, rng):
    """``np.random.default_rng(rng)`` for None, a seed >= 0, a list of seeds or a Generator.

    Anything else (a string, a negative or fractional seed) is a ValueError naming ``name``.
    """
    if isinstance(rng, np.random.Generator) or rng is None:
        return np.random.default_rng(rng)
    seeds = list(rng) if isinstance(rng, (list, tuple)) and rng else [rng]
    if not all(isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_)) and seed >= 0
               for seed in seeds):
        raise ValueError(f"{name} must be None, an integer seed >= 0 (or a list of them) or a numpy Generator, "
                         f"got {rng!r}")
    return np.random.default_rng([int(seed) for seed in seeds] if isinstance(rng, (list, tuple)) else int(rng))


def check_sequence(name, values, check_item, allow_empty=False):
    """Validate a list/tuple/1-D array of items with ``check_item(label, item)``; return the list.

    Labels read ``name[i]``, so a bad entry is reported as e.g. ``lengths[2] must be >= 1``.
    """
    if (isinstance(values, (str, bytes, dict)) or not hasattr(values, "__len__")
            or (isinstance(values, np.ndarray) and values.ndim != 1)):
        raise ValueError(f"{name} must be a list of values, got {type(values).__name__}: {values!r}")
    if len(values) == 0 and not allow_empty:
        raise ValueError(f"{name} is empty; expected at least one entry")
    return [check_item(f"{name}[{index}]", value) for index, value in enumerate(values)]
