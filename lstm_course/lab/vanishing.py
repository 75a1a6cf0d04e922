"""Vanishing and exploding gradients, measured (Chapter 4).

For the Elman RNN h_k = tanh(x_k Wx + h_{k-1} Wh + b) one step back in time
multiplies the error by the step Jacobian

    J_k = dh_k/dh_{k-1} = diag(1 - h_k**2) Wh^T,            (H, H)

so the error that reaches h_s from a loss on h_t passes through the product

    dh_t/dh_s = J_t J_{t-1} ... J_{s+1},                     (t - s factors).

Its norm against the lag t - s is what vanishes or explodes. Because
abs(tanh') <= 1, ||J_k|| <= ||Wh||_2 = lambda_1, the largest singular value, and
so ||dh_t/dh_s|| <= lambda_1 ** (t - s): lambda_1 < 1 is *sufficient* for
vanishing (Pascanu, Mikolov & Bengio 2013). Spectral radius > 1 is
*necessary* for explosion in the linear network, since ||W^k||**(1/k) tends
to the spectral radius (Gelfand's formula).

Every function with a ``cache`` argument takes the dict returned by
:func:`lstm_course.nn.rnn.rnn_forward`. States are indexed as in the chapter: h_0
is the initial state ``cache["h0"]`` and h_k (k = 1..T) is ``cache["h"][:, k - 1]``.

The one-unit model of Pascanu et al. (2013, Fig. 6), whose error surface has
the "wall" that motivates gradient clipping, is in :mod:`lstm_course.lab.one_unit`.
"""
import numpy as np

from lstm_course._validation import as_float_array, as_rng, check_cache, check_positive_int, check_scalar
from lstm_course.nn.rnn import rnn_forward


def _check_square(name, matrix):
    matrix = as_float_array(name, matrix, ndim=2)
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"{name} must be a square (H, H) matrix, got shape {matrix.shape}")
    return matrix


def spectral_radius(matrix):
    """Largest absolute eigenvalue, rho(W) = max_i abs(mu_i(W)).

    Parameters
    ----------
    matrix : ndarray (H, H)

    Returns
    -------
    float
    """
    return float(np.max(np.abs(np.linalg.eigvals(_check_square("matrix", matrix)))))


def singular_values(matrix):
    """Singular values of ``matrix``, largest first; the first is lambda_1 = ||W||_2.

    Parameters
    ----------
    matrix : ndarray (H, H)

    Returns
    -------
    ndarray (H,)
    """
    return np.linalg.svd(_check_square("matrix", matrix), compute_uv=False)


def random_recurrent_matrix(size, rng=None, spectral_radius=1.0):
    """A Gaussian matrix rescaled to have exactly the given spectral radius.

    Entries start as N(0, 1/H). For large H such a matrix has spectral radius
    close to 1 (the circular law) and largest singular value close to 2, so
    after rescaling lambda_1 is well above rho (for H = 16 typically 1.6 to 1.9
    times): most matrices with rho a little below 1 satisfy neither of
    Pascanu et al.'s conditions.

    Parameters
    ----------
    size : int
        H.
    rng : int or numpy.random.Generator, optional
    spectral_radius : float > 0

    Returns
    -------
    ndarray (H, H)
    """
    size = check_positive_int("size", size)
    spectral_radius = check_scalar("spectral_radius", spectral_radius, low=0, low_open=True)
    matrix = as_rng("rng", rng).normal(scale=1.0 / np.sqrt(size), size=(size, size))
    return matrix * (spectral_radius / np.max(np.abs(np.linalg.eigvals(matrix))))


def step_jacobians(cache):
    """Jacobians J_k = dh_k/dh_{k-1} = diag(1 - h_k**2) Wh^T for k = 1..T.

    Returns an ndarray (N, T, H, H) whose entry ``[n, k - 1, i, j]`` is
    d h_k[n, i] / d h_{k-1}[n, j], computed from the cached states h_1..h_T.
    """
    check_cache("cache", cache, ("x", "h0", "h", "Wx", "Wh"), "lstm_course.nn.rnn.rnn_forward", gate_blocks=1)
    derivative = 1.0 - cache["h"] ** 2               # tanh'(z_k) = 1 - h_k**2, (N, T, H)
    return derivative[..., :, None] * cache["Wh"].T  # row i scaled by tanh'(z_k)[i]


def _check_step(name, value, T):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= T:
        raise ValueError(f"{name} must be an integer step index in [0, T] = [0, {T}], got {value!r}")
    return int(value)


def jacobian_product(cache, t, s):
    """The Jacobian dh_t/dh_s = J_t J_{t-1} ... J_{s+1} (the identity when s = t).

    Parameters
    ----------
    cache : dict
    t, s : int
        Step indices with 0 <= s <= t <= T (0 is the initial state h_0).

    Returns
    -------
    ndarray (N, H, H)
        Entry ``[n, i, j]`` is d h_t[n, i] / d h_s[n, j].
    """
    jacobians = step_jacobians(cache)
    N, T, H, _ = jacobians.shape
    t, s = _check_step("t", t, T), _check_step("s", s, T)
    if s > t:
        raise ValueError(f"s must not exceed t (a state only depends on earlier ones), got s={s}, t={t}")
    product = np.broadcast_to(np.eye(H, dtype=jacobians.dtype), (N, H, H)).copy()
    for k in range(t, s, -1):
        product = product @ jacobians[:, k - 1]
    return product


def _norms_back_from(jacobians, t):
    """||dh_t/dh_{t-k}||_2 for k = 0..t, accumulating one factor per step back."""
    N, _, H, _ = jacobians.shape
    norms = np.empty((N, t + 1), jacobians.dtype)
    product = np.broadcast_to(np.eye(H, dtype=jacobians.dtype), (N, H, H)).copy()
    norms[:, 0] = 1.0
    for lag in range(1, t + 1):
        product = product @ jacobians[:, t - lag]
        norms[:, lag] = np.linalg.norm(product, ord=2, axis=(1, 2))
    return norms


def jacobian_norms_by_lag(cache, t=None):
    """Spectral norms ||dh_t/dh_{t-k}||_2 for every lag k = 0..t.

    The spectral norm is the largest factor by which any error vector that
    arrives at h_t can grow on its way back k steps.

    Parameters
    ----------
    cache : dict
    t : int, optional
        The step the error starts from; default T, the last step.

    Returns
    -------
    ndarray (N, t + 1)
        Column k holds the norm for lag k (column 0 is 1, the identity).
    """
    jacobians = step_jacobians(cache)
    T = jacobians.shape[1]
    return _norms_back_from(jacobians, T if t is None else _check_step("t", t, T))


def jacobian_norm_matrix(cache):
    """||dh_t/dh_s||_2 for every pair of steps, the data of a gradient heatmap.

    Returns an ndarray (N, T + 1, T + 1) whose entry ``[n, t, s]`` is the norm
    for sequence n, and NaN where s > t, because a state does not depend on
    later ones.
    """
    jacobians = step_jacobians(cache)
    N, T = jacobians.shape[:2]
    matrix = np.full((N, T + 1, T + 1), np.nan, jacobians.dtype)
    for t in range(T + 1):
        matrix[:, t, t::-1] = _norms_back_from(jacobians, t)
    return matrix


def gradient_norm_vs_lag(recurrent_weights, length, rng=None, n_sequences=8, input_scale=1.0):
    """Run a tanh RNN on random input and measure ||dh_T/dh_{T-k}||_2 for k = 0..T.

    The network is h_k = tanh(input_scale * x_k + h_{k-1} Wh) with h_0 = 0,
    x_k ~ N(0, I) and H inputs, so ``input_scale`` sets how hard the inputs
    push the units towards saturation.

    Parameters
    ----------
    recurrent_weights : ndarray (H, H)
        Wh.
    length : int
        T.
    rng : int or numpy.random.Generator, optional
    n_sequences : int
        N, the number of random input sequences.
    input_scale : float >= 0

    Returns
    -------
    ndarray (N, T + 1)
        Row n, column k: the norm for sequence n at lag k, in the dtype of ``recurrent_weights``.
    """
    Wh = _check_square("recurrent_weights", recurrent_weights)
    T = check_positive_int("length", length)
    N = check_positive_int("n_sequences", n_sequences)
    input_scale = check_scalar("input_scale", input_scale, low=0)
    H = Wh.shape[0]
    x = as_rng("rng", rng).normal(size=(N, T, H)).astype(Wh.dtype)
    _, cache = rnn_forward(x, None, (input_scale * np.eye(H)).astype(Wh.dtype), Wh, np.zeros(H, Wh.dtype))
    return jacobian_norms_by_lag(cache)
