"""The input checks of :mod:`lstm_course.train.tbptt.engine`, kept apart so that the engine reads as the algorithm."""
import collections

import numpy as np

from lstm_course._validation import as_float_array, check_int, check_shape
from lstm_course.models import recurrent


def check_window(params, cell, window, n_injected):
    """Check the arguments of ``window_gradient``; return ``n_injected`` as an int."""
    D = recurrent.check_params(params, cell)[0]
    if not isinstance(window, (list, tuple, collections.deque)) or not window or not all(
            isinstance(item, tuple) and len(item) == 3 and isinstance(item[0], dict) for item in window):
        raise ValueError(f"window must be a non-empty sequence of (step cache, targets_tau, weights_tau) tuples, "
                         f"got {type(window).__name__}")
    n_injected = check_int("n_injected", n_injected, minimum=0, maximum=len(window))
    x_w = window[0][0].get("x")
    if np.ndim(x_w) != 2 or np.shape(x_w)[1] != D:
        raise ValueError(f"window steps must hold inputs x_tau (N, D) with D = {D} from params['Wx'], "
                         f"got shape {np.shape(x_w)}")
    return n_injected


def check_chunks(chunks):
    """Raise ``ValueError`` unless ``chunks`` can be iterated over as a stream of chunks."""
    if chunks is None or isinstance(chunks, (str, bytes, dict)) or not hasattr(chunks, "__iter__"):
        raise ValueError(f"chunks must be an iterable of (x, y) or (x, y, step_weights) tuples, "
                         f"got {type(chunks).__name__}")


def check_chunk(index, chunk, N, D, O, head):
    """``x (N, T_chunk, D)``, the head's targets and the step weights ``(N, T_chunk)`` (dtype of x) of one chunk.

    ``N`` is the batch size fixed by the first chunk (None for the first chunk itself).
    """
    if not isinstance(chunk, (tuple, list)) or len(chunk) not in (2, 3):
        raise ValueError(f"chunks[{index}] must be a tuple (x, y) or (x, y, step_weights), "
                         f"got {type(chunk).__name__}")
    x = as_float_array(f"chunk {index} x", chunk[0], ndim=3)
    N, T = (x.shape[0] if N is None else N), x.shape[1]
    check_shape(f"chunk {index} x", x, (N, T, D), "(N, T_chunk, D) with N fixed by the first chunk")
    y = head.check_targets(f"chunk {index} y", chunk[1], (N, T), O, "N, T_chunk")
    if y.dtype.kind == "f":                       # real targets in the model's precision: float32 stays float32
        y = y.astype(x.dtype, copy=False)
    if len(chunk) == 2 or chunk[2] is None:
        return x, y, np.ones((N, T), dtype=x.dtype)
    weights = as_float_array(f"chunk {index} step_weights", chunk[2])
    if weights.shape not in ((T,), (N, T)):
        raise ValueError(f"chunk {index} step_weights must have shape (T_chunk,) = ({T},) or "
                         f"(N, T_chunk) = ({N}, {T}), got {weights.shape}")
    return x, y, np.broadcast_to(weights.astype(x.dtype, copy=False), (N, T))


def initial_state(cell, N, H, dtype, h0, c0):
    """The state tuple entering step 1 of a stream, zeros where h0 (or c0) is None."""
    state = []
    for name, value in zip(cell.state_names, cell.initial_state(h0=h0, c0=c0)):
        if value is None:
            value = np.zeros((N, H), dtype=dtype)
        else:
            value = as_float_array(f"{name}0", value, ndim=2)
            check_shape(f"{name}0", value, (N, H), "(N, H)")
        state.append(value)
    return tuple(state)
