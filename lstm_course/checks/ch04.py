"""Checkers for the Chapter 4 exercises (vanishing and exploding gradients)."""
import numpy as np

from lstm_course.checks._harness import ACTIVATIONS, Case, Mistake, run_check
from lstm_course.lab import vanishing
from lstm_course.nn import rnn
from lstm_course.train import optim

# ---------------------------------------------------------------- clip_grad_norm


def _clip_cases(seed):
    rng = np.random.default_rng(seed)
    shapes = {"Wx": (3, 4), "Wh": (4, 4), "b": (4,)}
    cases = []
    for label, scale, max_norm, dtype in (("norm above the threshold", 10.0, 1.0, np.float64),
                                          ("norm below the threshold", 0.1, 5.0, np.float64),
                                          ("far above, small threshold", 100.0, 0.25, np.float64),
                                          ("above the threshold, float32", 10.0, 2.0, np.float32),
                                          ("below the threshold, float32", 0.1, 5.0, np.float32)):
        grads = {name: (scale * rng.normal(size=shape)).astype(dtype) for name, shape in shapes.items()}
        cases.append(Case(label, (grads, max_norm)))
    cases.append(Case("a single (1, 1) array", ({"w": np.array([[-7.0]])}, 2.0)))
    cases.append(Case("an all-zero gradient", ({"Wh": np.zeros((2, 2)), "b": np.zeros(2)}, 1.0)))
    cases.append(Case("arrays of very different sizes",
                      ({"Wh": np.array([[50.0, -0.2], [0.1, 3.0]]), "b": np.array([-8.0, 0.05])}, 1.0)))
    return cases


def _clip_outputs(norm, grads):
    return {"returned norm": norm, **{f"grads[{name!r}]": grad for name, grad in grads.items()}}


def _clip_reference(grads, max_norm):
    arrays = dict(grads)       # the caller's arrays: they, not new ones, must hold the result
    return _clip_outputs(optim.clip_grad_norm(grads, max_norm), arrays)


def _students_clip(returned_norm, args):
    return _clip_outputs(returned_norm, args[0])


def _norm(grads):
    return np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads.values()))


def _wrong_grads(name, rule):
    return lambda grads, max_norm: rule(grads, max_norm)[name]


def _per_array(grads, max_norm):
    return {k: g * min(1.0, max_norm / max(np.linalg.norm(g), 1e-300)) for k, g in grads.items()}


def _inverted(grads, max_norm):
    norm = _norm(grads)
    return {k: g * (norm / max_norm if norm > max_norm else 1.0) for k, g in grads.items()}


def _always(grads, max_norm):
    norm = _norm(grads)
    return {k: g * (max_norm / norm if norm > 0 else 1.0) for k, g in grads.items()}


_PER_ARRAY = ("the norm is GLOBAL: one norm over all arrays together, and one factor max_norm / norm "
              "applied to every array. Clipping each array by its own norm changes the direction.")
_ALWAYS = ("rescale only when the global norm EXCEEDS max_norm; a smaller gradient stays exactly as it is "
           "(clipping never makes a gradient longer).")
_INVERTED = ("the factor is max_norm / norm, below 1 when the norm exceeds max_norm: norm / max_norm makes the "
             "gradient longer instead of shorter.")
_NOT_IN_PLACE = ("this array is unchanged: clip_grad_norm works IN PLACE, like an optimiser step. "
                 "Rescale each array with grad *= factor instead of building new arrays.")


def _clip_mistakes(keys=("Wx", "Wh", "b", "w")):
    mistakes = [
        Mistake("returned norm", lambda grads, max_norm: min(_norm(grads), max_norm),
                "return the global norm BEFORE clipping (what torch.nn.utils.clip_grad_norm_ returns)."),
        Mistake("returned norm", lambda grads, max_norm: _norm(grads) ** 2,
                "the global norm is the square ROOT of the sum of all squared entries."),
    ]
    for key in keys:
        name = f"grads[{key!r}]"
        mistakes += [Mistake(name, _wrong_grads(key, _per_array), _PER_ARRAY),
                     Mistake(name, _wrong_grads(key, _always), _ALWAYS),
                     Mistake(name, _wrong_grads(key, _inverted), _INVERTED),
                     Mistake(name, lambda grads, max_norm, key=key: grads[key], _NOT_IN_PLACE)]
    return mistakes


def check_clip_grad_norm(fn, *, seed=None):
    """Check a student's ``clip_grad_norm(grads, max_norm) -> norm`` (rescales ``grads`` in place).

    Compares with :func:`lstm_course.train.optim.clip_grad_norm` on eight gradient dicts drawn
    from ``seed`` (norms above and below the threshold, float32, a single (1, 1) array, an
    all-zero gradient): the returned norm (before clipping) and every array of ``grads``
    after the call, which must be the arrays that were passed in. Returns a
    :class:`~lstm_course.checks.Verdict`; the package's own code is off limits while ``fn`` runs.
    """
    return run_check("clip_grad_norm", fn, _clip_reference, _clip_cases, seed=seed,
                     outputs=("returned norm",), mistakes=_clip_mistakes(), allowed=ACTIVATIONS,
                     convert=_students_clip, mutable=("grads",))


# ---------------------------------------------------------------- jacobian_product

# (N, T, D, H, t, s): general, s = 0 and t = T, t = s (identity), and the edges N=1, T=1, H=1, D=1.
_JACOBIAN_CASES = [(3, 8, 2, 4, 8, 0), (2, 8, 3, 4, 6, 2), (2, 5, 2, 3, 3, 3), (1, 1, 1, 1, 1, 0),
                   (2, 6, 2, 1, 5, 1), (1, 7, 1, 3, 7, 4)]


def _jacobian_cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for dtype in (np.float64, np.float32):
        for N, T, D, H, t, s in _JACOBIAN_CASES:
            inputs = (rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(D, H)),
                      rng.normal(scale=1.2 / np.sqrt(H), size=(H, H)), rng.normal(scale=0.3, size=H))
            _, cache = rnn.rnn_forward(*(a.astype(dtype) for a in inputs))
            cases.append(Case(f"N={N}, T={T}, H={H}, t={t}, s={s}, {np.dtype(dtype).name}", (cache, t, s)))
    return cases


def _jacobian_reference(cache, t, s):
    # The package accumulates in float64; the exercise asks to keep the cache's dtype.
    return vanishing.jacobian_product(cache, t, s).astype(cache["h"].dtype)


def _product(cache, t, s, derivative_shift=0, transpose=True, scale_rows=True, use_derivative=True,
             left_to_right=False):
    """dh_t/dh_s with switches that reproduce the catalogue's mistakes (all defaults: correct)."""
    h = np.concatenate([cache["h0"][:, None], cache["h"]], axis=1)     # h[:, k] is h_k
    W = cache["Wh"].T if transpose else cache["Wh"]
    N, H = h.shape[0], W.shape[0]
    product = np.broadcast_to(np.eye(H), (N, H, H)).copy()
    for k in (range(s + 1, t + 1) if left_to_right else range(t, s, -1)):
        d = 1 - h[:, max(k - derivative_shift, 0)] ** 2 if use_derivative else np.ones((N, H))
        J = d[:, :, None] * W if scale_rows else W * d[:, None, :]
        product = product @ J
    return product


def _wrong_product(**mistake):
    return lambda cache, t, s: _product(cache, t, s, **mistake)


_JACOBIAN_MISTAKES = [
    Mistake("dh_t/dh_s", _wrong_product(left_to_right=True),
            "the chain rule puts the LATEST step on the left: J_t J_{t-1} ... J_{s+1}. Multiply the running "
            "product on the right while k goes down from t to s+1."),
    Mistake("dh_t/dh_s", _wrong_product(derivative_shift=1),
            "J_k = diag(1 - h_k**2) Wh^T uses the state the step PRODUCES, h_k = cache['h'][:, k-1], "
            "not the one it reads."),
    Mistake("dh_t/dh_s", _wrong_product(transpose=False),
            "the step Jacobian is diag(1 - h_k**2) Wh^T: Wh maps h_{k-1} to z_k as a row vector times Wh, "
            "so its Jacobian is the TRANSPOSE."),
    Mistake("dh_t/dh_s", _wrong_product(scale_rows=False),
            "diag(1 - h_k**2) on the LEFT scales the ROWS of Wh^T (d[:, :, None] * Wh.T), not its columns."),
    Mistake("dh_t/dh_s", _wrong_product(use_derivative=False),
            "each step also multiplies by the tanh derivative diag(1 - h_k**2)."),
]


def check_jacobian_product(fn, *, seed=None):
    """Check a student's ``jacobian_product(cache, t, s) -> (N, H, H)``, dh_t/dh_s = J_t ... J_{s+1}.

    Compares with :func:`lstm_course.lab.vanishing.jacobian_product` on twelve cases drawn
    from ``seed`` (float64 and float32, s = 0, t = T, t = s, N=1, T=1, H=1, D=1) and
    returns a :class:`~lstm_course.checks.Verdict` with a hint for a recognised mistake.
    The result must keep the cache's dtype. While ``fn`` runs, the package's own code
    (Jacobians, backward passes, the numerical gradient, ...) is off limits, except
    :mod:`lstm_course.nn.activations`.
    """
    return run_check("jacobian_product", fn, _jacobian_reference, _jacobian_cases, seed=seed,
                     outputs=("dh_t/dh_s",), mistakes=_JACOBIAN_MISTAKES, allowed=ACTIVATIONS)
