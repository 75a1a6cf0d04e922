"""Compare one output with the expected one and explain the difference in the student's terms.

The explanation names the student's own output and its first wrong element
("your dWh[0, 2] is 0.3141, expected -0.1178 (relative error 1.4)"), says when
it holds NaN or inf, and adds a hint when the wrong value is recognised: first
the checker's catalogue of mistakes, then mistakes any output can show (the
wrong sign, a transpose, a constant factor such as an average instead of a sum,
all zeros, a silent upcast).
"""
from __future__ import annotations

import copy
from typing import NamedTuple

import numpy as np

from lstm_course.nn.gradcheck import rel_error


class Problem(NamedTuple):
    """One wrong output on one case; ``key`` groups the same problem across cases."""

    key: tuple
    output: str
    text: str


def tolerance(expected):
    return 1e-4 if np.asarray(expected).dtype == np.float32 else 1e-7


def _index_text(index):
    return "[" + ", ".join(str(int(i)) for i in index) + "]" if index else ""


def _number(value):
    return f"{value:.4g}" if isinstance(value, float) else repr(value)


def default_element(name, index, got, expected):
    """How a wrong element is named: ``your dWh[0, 2] is 0.3141, expected -0.1178``."""
    return f"your {name}{_index_text(index)} is {_number(got)}, expected {_number(expected)}"


def _first_wrong(got, expected, tol):
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    with np.errstate(all="ignore"):
        wrong = ~(np.abs(got - expected) <= 10 * tol * (np.abs(expected) + scale) + 1e-300)
    positions = np.argwhere(wrong)
    if len(positions) == 0:
        positions = [np.unravel_index(int(np.argmax(np.abs(got - expected))), got.shape)]
    return tuple(positions[0]), int(np.count_nonzero(wrong))


def _element_text(name, got, expected, describe):
    tol = tolerance(expected)
    index, count = _first_wrong(got.astype(np.float64), expected.astype(np.float64), tol)
    g, e = float(got[index]), float(expected[index])
    relative = abs(g - e) / max(abs(g), abs(e), 1e-300)
    text = f"{describe(name, index, g, e)} (relative error {relative:.2g})"
    if got.size > 1:
        text += f"; {count} of {got.size} entries are off"
    return text


def _non_finite_text(name, got, describe):
    bad = ~np.isfinite(got)
    index = tuple(np.argwhere(bad)[0])
    kind = "NaN" if np.isnan(got[index]) else "inf"
    where = f" (first at {name}{_index_text(index)})" if got.ndim else ""
    return (f"your {name} contains {kind}{where}: an overflow (np.exp of a large number? subtract the "
            "largest value first) or a division by zero; np.seterr(all='raise') stops at the step that makes it")


def _generic_hint(got, expected, tol):
    """A hint for a mistake any output can show, or ``None`` (a single number is always a multiple of another)."""
    if got.size < 2:
        return None
    with np.errstate(all="ignore"):
        if np.any(expected) and rel_error(got, -expected) <= tol:
            return ("sign", "it has the wrong sign: every entry is minus the expected value (check the sign of "
                            "the derivative, or subtract in the other order).")
        if got.ndim >= 2 and got.shape[-1] == got.shape[-2] and rel_error(got.swapaxes(-1, -2), expected) <= tol:
            return ("transpose", "it is the transpose of the expected matrix: swap the factors of the "
                                 "product (a.T @ b, not b.T @ a) or drop a transpose.")
        if np.any(expected) and not np.any(got):
            return ("zeros", "it is all zeros: did you return the array before filling it in?")
        denominator = float(np.sum(expected.astype(np.float64) ** 2))
        if denominator > 0:
            factor = float(np.sum(got * expected)) / denominator
            if abs(factor - 1) > 1e-3 and rel_error(got, factor * expected) <= tol:
                return ("factor", _factor_hint(factor))
    return None


def _factor_hint(factor):
    inverse = 1 / factor if factor else 0.0
    if factor and abs(inverse - round(inverse)) < 1e-6 and round(inverse) >= 2:
        k = round(inverse)
        return (f"every entry is 1/{k} of the expected value: did you average (divide by {k}) where the "
                "sum is asked for?")
    if abs(factor - round(factor)) < 1e-6 and round(factor) >= 2:
        return f"every entry is {round(factor)} times the expected value: is a term counted {round(factor)} times?"
    return f"every entry is {factor:.4g} times the expected value: a constant factor is off."


def _catalogue_hint(name, got, mistakes, args, tol=None):
    """The hint of the first mistake in the catalogue that reproduces ``got`` (exactly when ``tol`` is None)."""
    for mistake in mistakes:
        if mistake.output == name:
            try:
                wrong = np.asarray(mistake.wrong(*copy.deepcopy(args)))
            except (ValueError, IndexError):     # the mistake cannot happen on this case's shapes
                continue
            if wrong.shape != got.shape or wrong.dtype.kind not in "biuf":
                continue
            if np.array_equal(got, wrong) if tol is None else rel_error(got, wrong) <= tol:
                return mistake.hint
    return None


def _shape_problem(name, got, expected, mistakes, args):
    text = f"your {name} has shape {got.shape}, expected {expected.shape}"
    if got.dtype.kind in "biuf" and np.all(np.isfinite(got)):
        hint = _catalogue_hint(name, got, mistakes, args, tolerance(expected))
        if hint:
            return Problem(("hint", hint), name, f"{text}. Hint: {hint}")
    if got.ndim >= 2 and got.shape == expected.shape[:-2] + expected.shape[:-3:-1]:
        if rel_error(got.swapaxes(-1, -2), expected) <= tolerance(expected):
            return Problem((name, "transpose"), name, text + ". Hint: it is the transpose of the expected matrix: "
                           "swap the factors of the product (a.T @ b, not b.T @ a).")
    return Problem((name, "shape"), name, text)


def compare(name, got, expected, mistakes, args, describe=default_element):
    """Return ``None`` when ``got`` matches ``expected``, else a :class:`Problem`."""
    expected_array = np.asarray(expected)
    try:
        got_array = np.asarray(got)
    except Exception:        # a ragged list, say: the comparison below explains
        got_array = np.asarray(None)
    if expected_array.dtype.kind not in "fc":
        if got_array.shape == expected_array.shape and np.array_equal(got_array, expected_array):
            return None
        text = f"your {name} is {got!r}, expected {expected!r}"
        hint = _catalogue_hint(name, got_array, mistakes, args) if got_array.dtype.kind in "biuf" else None
        if hint:
            return Problem(("hint", hint), name, f"{text}. Hint: {hint}")
        return Problem((name, "value"), name, text)
    if got_array.dtype.kind not in "biuf":
        return Problem((name, "type"), name, f"your {name} should be a numeric array, got {type(got).__name__}")
    if got_array.shape != expected_array.shape:
        return _shape_problem(name, got_array, expected_array, mistakes, args)
    if not np.all(np.isfinite(got_array)):
        return Problem((name, "non-finite"), name, _non_finite_text(name, got_array, describe))
    if expected_array.dtype == np.float32 and got_array.dtype != np.float32:
        return Problem(("dtype",), name, f"your {name} has dtype {got_array.dtype}; the inputs are float32, so "
                       "keep float32 (no silent upcast, e.g. from np.zeros without dtype=)")
    tol = tolerance(expected_array)
    if rel_error(got_array, expected_array) <= tol:
        return None
    text = _element_text(name, got_array, expected_array, describe)
    hint = _catalogue_hint(name, got_array, mistakes, args, tol)
    if hint:
        return Problem(("hint", hint), name, f"{text}. Hint: {hint}")
    generic = _generic_hint(got_array, expected_array, tol)
    if generic:       # one hint for every output that shows it; a factor's value differs between outputs
        key = ("hint", name, generic[0]) if generic[0] == "factor" else ("hint", generic[1])
        return Problem(key, name, f"{text}. Hint: {generic[1]}")
    return Problem((name, "off"), name, text)


def first_change(before, after, path):
    """The path of the first place where ``after`` differs from ``before`` (an input changed in place), or None."""
    if isinstance(before, dict):
        if not isinstance(after, dict) or set(before) != set(after):
            return path
        for key in before:
            found = first_change(before[key], after[key], f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(before, (list, tuple)):
        if type(after) is not type(before) or len(after) != len(before):
            return path
        for index, (b, a) in enumerate(zip(before, after)):
            found = first_change(b, a, f"{path}[{index}]")
            if found:
                return found
        return None
    if isinstance(before, np.ndarray):
        same = (isinstance(after, np.ndarray) and after.shape == before.shape and after.dtype == before.dtype
                and np.array_equal(after, before, equal_nan=before.dtype.kind in "fc"))
        return None if same else path
    if isinstance(before, np.random.Generator):
        return None if before.bit_generator.state == after.bit_generator.state else path
    try:
        return None if bool(before == after) else path
    except Exception:
        return path
