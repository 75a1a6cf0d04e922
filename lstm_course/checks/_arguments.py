"""The checks of what a teacher passes to :func:`~lstm_course.checks.run_check` (see ``teaching/exercise_template``).

A checker a teacher builds gets the same answer as a bad argument anywhere in the
package: a ValueError naming the argument, before any student code runs.
"""
from __future__ import annotations

import types

from lstm_course._validation import check_callable, check_sequence


def _name(label, value):
    if not isinstance(value, str) or not value:
        raise ValueError(f"{label} must be a non-empty string, got {value!r}")
    return value


def _python_function(label, value):
    if not isinstance(value, types.FunctionType):
        raise ValueError(f"{label} must be a Python function (def or lambda), got {type(value).__name__}")
    return value


def _mistake(label, value):
    fields = ("output", "wrong", "hint")
    if not all(hasattr(value, field) for field in fields) or not callable(value.wrong):
        raise ValueError(f"{label} must be a Mistake(output, wrong, hint) with a callable wrong, got {value!r}")
    _name(f"{label}.output", value.output)
    _name(f"{label}.hint", value.hint)
    return value


def check_run_arguments(exercise, fn, reference, make_cases, outputs, mistakes, allowed, convert, mutable, describe,
                        answers):
    """Raise ``ValueError`` naming the first argument of ``run_check`` that is not what it documents."""
    _name("exercise", exercise)
    for label, value in (("fn", fn), ("reference", reference), ("make_cases", make_cases), ("convert", convert),
                         ("describe", describe)):
        check_callable(label, value)
    check_sequence("outputs", outputs, _name)
    check_sequence("mistakes", mistakes, _mistake, allow_empty=True)
    check_sequence("allowed", allowed, _python_function, allow_empty=True)
    check_sequence("answers", answers, _python_function, allow_empty=True)
    check_sequence("mutable", mutable, _name, allow_empty=True)


def check_blocked_arguments(functions, exercise):
    """Return ``functions`` as a list after checking the arguments of ``answers_blocked``."""
    functions = check_sequence("functions", functions, _python_function)
    _name("exercise", exercise)
    return functions


def check_cases(cases):
    """Return ``make_cases(seed)``'s result after checking it is a non-empty list of ``Case(label, args)``."""
    if not isinstance(cases, (list, tuple)) or not cases:
        raise ValueError(f"make_cases must return a non-empty list of Case(label, args), got {cases!r}")
    for index, case in enumerate(cases):
        if not (isinstance(case, tuple) and len(case) == 2 and isinstance(case[0], str) and isinstance(case[1], tuple)):
            raise ValueError(f"make_cases must return Case(label, args) entries with a string label and a tuple "
                             f"of arguments; entry {index} is {case!r}")
    return list(cases)
