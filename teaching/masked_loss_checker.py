"""A teacher's own exercise and checker, built on the course's checker harness (the template's module).

``teaching/exercise_template.ipynb`` asks for ``masked_mse_backward``; this module holds the
reference answer and ``check_masked_mse_backward``. Copy both files, rename the exercise, and
keep the four parts of a checker:

1. the reference (``masked_mse_backward``), passed to ``run_check`` both as the reference and in
   ``answers=``, so that a student who calls it (or a copy of it) fails the check;
2. ``make_cases(seed)``: random cases drawn from the seed, edge shapes included;
3. the catalogue of mistakes, each a function that reproduces the wrong output and its hint (the
   harness adds the sign, a transpose, a constant factor, NaN and a silent upcast by itself);
4. ``check_<name>(fn, *, seed=None)``, which returns a :class:`lstm_course.checks.Verdict`.
"""
import numpy as np

from lstm_course import checks


def masked_mse_backward(yhat, y, mask):
    """Gradient of L = 1/2 sum_{n,t} mask[n, t] ||yhat[n, t] - y[n, t]||^2 with respect to ``yhat``.

    Parameters
    ----------
    yhat, y : ndarray (N, T, O)
    mask : bool ndarray (N, T)
        False on padded steps, whose loss is not counted.

    Returns
    -------
    dyhat : ndarray (N, T, O), the dtype of ``yhat``
    """
    yhat, y, mask = np.asarray(yhat), np.asarray(y), np.asarray(mask)
    if yhat.shape != y.shape or mask.shape != yhat.shape[:2]:
        raise ValueError(f"yhat and y must have one shape (N, T, O) and mask (N, T), got {yhat.shape}, "
                         f"{y.shape} and {mask.shape}")
    return mask[:, :, None].astype(yhat.dtype) * (yhat - y)


def _cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for dtype in (np.float64, np.float32):
        for N, T, O in ((3, 6, 2), (1, 1, 1), (2, 5, 1), (4, 3, 3)):
            yhat, y = (rng.normal(size=(N, T, O)).astype(dtype) for _ in range(2))
            mask = rng.random((N, T)) < 0.7
            mask[:, 0] = True                  # every sequence has at least one real step
            cases.append(checks.Case(f"N={N}, T={T}, O={O}, {np.dtype(dtype).name}", (yhat, y, mask)))
    return cases


_MISTAKES = [
    checks.Mistake("dyhat", lambda yhat, y, mask: yhat - y,
                   "the padded steps (mask False) are not part of the loss, so their gradient is 0: "
                   "multiply by mask[:, :, None]."),
    checks.Mistake("dyhat", lambda yhat, y, mask: masked_mse_backward(yhat, y, mask) / mask.sum(),
                   "the loss is summed over the real steps, not averaged: do not divide by mask.sum()."),
    checks.Mistake("dyhat", lambda yhat, y, mask: 2 * masked_mse_backward(yhat, y, mask),
                   "L carries the factor 1/2, so the derivative of 1/2 e**2 is e, not 2 e."),
]


def check_masked_mse_backward(fn, *, seed=None):
    """Check a student's ``masked_mse_backward(yhat, y, mask) -> dyhat`` on eight random cases.

    Returns a :class:`~lstm_course.checks.Verdict`. While ``fn`` runs, this module's code and the
    package's are off limits.
    """
    return checks.run_check("masked_mse_backward", fn, masked_mse_backward, _cases, seed=seed,
                            outputs=("dyhat",), mistakes=_MISTAKES, answers=(masked_mse_backward,))
