"""Checkers for the Chapter 1 exercises (backpropagation in a multilayer perceptron)."""
import numpy as np

from lstm_course.checks._harness import ACTIVATIONS, Case, Mistake, run_check
from lstm_course.models import mlp

# (layer sizes, N): one hidden layer as in the chapter, then the edges N=1, width 1,
# two hidden layers (the recursion must repeat) and no hidden layer at all (L=1).
_NETWORKS = [((2, 4, 1), 4), ((3, 5, 2), 6), ((1, 1, 1), 1), ((3, 4, 5, 2), 5), ((4, 3), 3),
             ((2, 3, 3, 1), 1)]


def _mlp_cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for dtype in (np.float64, np.float32):
        for sizes, N in _NETWORKS:
            params = mlp.mlp_init(sizes, rng=rng, dtype=dtype)
            for name in params:  # non-zero biases, so that a bias mistake shows
                params[name] += (0.3 * rng.normal(size=params[name].shape)).astype(dtype)
            X = rng.normal(size=(N, sizes[0])).astype(dtype)
            _, cache = mlp.mlp_forward(params, X)
            dyhat = rng.normal(size=(N, sizes[-1])).astype(dtype)
            cases.append(Case(f"layers {sizes}, N={N}, {np.dtype(dtype).name}", (dyhat, cache)))
    return cases


def _wrong_backward(dyhat, cache, derivative="1 - a**2", bias="sum", extra_scale=1.0, layer_shift=False):
    """The backward pass with one deliberate mistake (the defaults give the right answer)."""
    params, activations = cache["params"], cache["activations"]
    layers = len(params) // 2
    delta = dyhat * extra_scale
    grads = {}
    for layer in range(layers, 0, -1):
        entering = activations[layer] if layer_shift and layer < layers else activations[layer - 1]
        grads[f"W{layer}"] = entering.T @ delta
        grads[f"b{layer}"] = delta.sum(axis=0) if bias == "sum" else delta.mean(axis=0)
        if layer > 1:
            a = activations[layer - 1]
            factor = {"1 - a**2": 1 - a ** 2, "none": 1.0, "1 - tanh(a)**2": 1 - np.tanh(a) ** 2}[derivative]
            delta = (delta @ params[f"W{layer}"].T) * factor
    return grads


def _mistakes():
    variants = [
        (dict(derivative="none"),
         "the error reaching a hidden layer must be multiplied by the tanh derivative (1 - a**2) "
         "before it goes on to that layer's weights."),
        (dict(derivative="1 - tanh(a)**2"),
         "the cached activations are already tanh outputs: the derivative is 1 - a**2, not 1 - tanh(a)**2."),
        (dict(bias="mean"),
         "every example in the batch uses the bias, so its gradient is the sum over N, not the mean."),
        (dict(layer_shift=True),
         "a layer's weight gradient pairs its error delta_l with the activations that ENTER the layer, "
         "a_{l-1} (cache['activations'][l - 1]), not with the layer's own output."),
    ]
    mistakes = []
    for layer in (1, 2, 3):
        for kind in "Wb":
            key = f"{kind}{layer}"
            name = f"grads[{key!r}]"
            for options, hint in variants:
                mistakes.append(Mistake(name, lambda d, c, o=options, k=key: _wrong_backward(d, c, **o)[k], hint))
            mistakes.append(Mistake(
                name, lambda d, c, k=key: _wrong_backward(d, c, extra_scale=1.0 / d.shape[0])[k],
                "dyhat already contains the 1/N of the loss per target; do not divide by N again."))
    return mistakes


_MLP_MISTAKES = _mistakes()


def check_mlp_backward(fn, *, seed=None):
    """Check a student's ``mlp_backward(dyhat, cache) -> grads``.

    ``grads`` is a dict keyed like the parameters (``W1, b1, ..., WL, bL``). Compares
    with :func:`lstm_course.models.mlp.mlp_backward` on twelve inputs (float64 and float32;
    one and two hidden layers, no hidden layer, N=1 and width 1) drawn from ``seed``
    (fresh entropy by default) and returns a :class:`~lstm_course.checks.Verdict` that
    names the first wrong gradient entry with a hint. The package's own code is off
    limits while ``fn`` runs, except :mod:`lstm_course.nn.activations`.
    """
    return run_check("mlp_backward", fn, mlp.mlp_backward, _mlp_cases, seed=seed, outputs=("grads",),
                     mistakes=_MLP_MISTAKES, allowed=ACTIVATIONS)
