"""The machinery behind every ``check_<name>`` function: run, compare, explain.

A checker runs the student's function and the package's reference on the same
random inputs (edge shapes such as N=1, T=1, H=1 included), compares every
output, and prints what is wrong with a hint tied to the likely mistake. It
returns ``True`` or ``False`` and never raises on a wrong answer.

While the student's function runs, the package functions that would answer the
exercise are switched off (:func:`answers_blocked`), so calling the reference is
reported instead of passing.
"""
from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .._validation import check_callable
from ..gradcheck import rel_error


class AnswerUnavailable(RuntimeError):
    """Raised by a package function that is switched off while a checker runs the student's code."""


class Case(NamedTuple):
    """One input on which the student's function is compared with the reference."""

    label: str
    """What the case exercises, e.g. ``"N=1, H=1"``; printed in the feedback."""
    args: tuple
    """Positional arguments, passed (as deep copies) to both functions."""


class Mistake(NamedTuple):
    """A plausible error, recognised by the wrong value it produces."""

    output: str
    """Name of the output this mistake corrupts."""
    wrong: Callable[..., Any]
    """Called with the case's arguments; returns what a function with this mistake would output."""
    hint: str
    """Printed when the student's output matches ``wrong``."""


def _blocked_code(qualname, exercise):
    # A fresh code object per function, so that the message names it. Swapping a
    # function's ``__code__`` reaches every reference to it, including names the
    # student imported before the check and calls from other package functions.
    message = (f"{qualname} is switched off while check_{exercise} runs your function: it (or a "
               f"function built on it) computes the answer. Write the computation yourself.")
    namespace = {}
    exec(f"def blocked(*args, **kwargs):\n"
         f"    raise __import__('lstm_course.checks._harness', fromlist=['_']).AnswerUnavailable({message!r})\n",
         namespace)
    return namespace["blocked"].__code__


@contextlib.contextmanager
def answers_blocked(functions, exercise):
    """Make each function in ``functions`` raise :class:`AnswerUnavailable` inside the block.

    Parameters
    ----------
    functions : iterable of plain Python functions (no closures)
        The reference implementation and any package function that would hand out the answer.
    exercise : str
        Name of the exercise, used in the message.
    """
    saved = []
    try:
        for function in functions:
            saved.append((function, function.__code__))
            function.__code__ = _blocked_code(f"{function.__module__}.{function.__qualname__}", exercise)
        yield
    finally:
        for function, code in saved:
            function.__code__ = code


def _named_outputs(value, names):
    """Pair each output with its name; a single array counts as one output."""
    if isinstance(value, dict):
        return dict(value)
    if len(names) == 1:
        return {names[0]: value}
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        count = len(value) if isinstance(value, (tuple, list)) else 1
        raise _WrongStructure(f"it should return {len(names)} values ({', '.join(names)}), got {count}")
    return dict(zip(names, value))


class _WrongStructure(Exception):
    pass


def _tolerance(expected):
    dtype = getattr(np.asarray(expected), "dtype", np.dtype(float))
    return 1e-4 if dtype == np.float32 else 1e-7


def _compare(name, got, expected, mistakes, args):
    """Return ``None`` when ``got`` matches, else a one-line explanation."""
    expected_array, got_array = np.asarray(expected), np.asarray(got)
    if expected_array.dtype.kind not in "fc":
        if got_array.shape == expected_array.shape and np.array_equal(got_array, expected_array):
            return None
        return f"{name} is {got!r}, expected {expected!r}"
    if got_array.dtype.kind not in "biuf":
        return f"{name} should be a numeric array, got {type(got).__name__}"
    if got_array.shape != expected_array.shape:
        return f"{name} has shape {got_array.shape}, expected {expected_array.shape}"
    if expected_array.dtype == np.float32 and got_array.dtype != np.float32:
        return f"{name} has dtype {got_array.dtype}; the inputs are float32, so keep float32 (no silent upcast)"
    error = rel_error(got_array, expected_array)
    if error <= _tolerance(expected_array):
        return None
    for mistake in mistakes:
        if mistake.output == name:
            wrong = np.asarray(mistake.wrong(*copy.deepcopy(args)))
            if wrong.shape == got_array.shape and rel_error(got_array, wrong) <= _tolerance(expected_array):
                return f"{name} is off (relative error {error:.2g}). Hint: {mistake.hint}"
    return f"{name} is off (relative error {error:.2g})"


def run_check(exercise, fn, reference, cases, outputs, mistakes=(), blocked=()):
    """Compare ``fn`` with ``reference`` on every case; print feedback and return whether all match.

    Parameters
    ----------
    exercise : str
        The reference function's name; the checker is ``check_<exercise>``.
    fn : callable
        The student's function.
    reference : callable
        The package's implementation. It runs first, outside the block.
    cases : sequence of Case
    outputs : sequence of str
        Names of the outputs, in return order (or the keys of a returned dict).
    mistakes : sequence of Mistake
        Catalogue of plausible errors and their hints.
    blocked : sequence of functions
        Switched off while ``fn`` runs (see :func:`answers_blocked`); ``reference`` is always included.

    Returns
    -------
    bool
    """
    check_callable("fn", fn)
    problems = []
    for case in cases:
        expected = _named_outputs(reference(*copy.deepcopy(case.args)), outputs)
        try:
            with answers_blocked({reference, *blocked}, exercise):
                returned = fn(*copy.deepcopy(case.args))
        except AnswerUnavailable as exc:
            print(f"check_{exercise}: {exc}")
            return False
        except Exception as exc:  # the student's error is feedback, not a crash of the checker
            problems.append(f"[{case.label}] your function raised {type(exc).__name__}: {exc}")
            continue
        try:
            got = _named_outputs(returned, outputs)
        except _WrongStructure as exc:
            problems.append(f"[{case.label}] {exc}")
            continue
        missing = [name for name in expected if name not in got]
        if missing:
            problems.append(f"[{case.label}] missing outputs: {', '.join(missing)}")
            continue
        for name in expected:
            problem = _compare(name, got[name], expected[name], mistakes, case.args)
            if problem:
                problems.append(f"[{case.label}] {problem}")
    if problems:
        print(f"check_{exercise}: {len(problems)} problem(s) on {len(cases)} test inputs:")
        for problem in problems[:8]:
            print("  " + problem)
        if len(problems) > 8:
            print(f"  ... and {len(problems) - 8} more")
        return False
    print(f"check_{exercise}: all {len(cases)} test inputs match the reference.")
    return True
