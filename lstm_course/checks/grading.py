"""The entry points of graded hidden tests: check an answer in an environment that is verified first.

A student's cell runs before the hidden test, in the same interpreter, and may have
replaced ``checks.check_*``, ``rel_error``, numpy functions or builtins. The hidden
test therefore removes the package from ``sys.modules``, imports this module afresh
and calls :func:`check`::

    import sys
    for _name in [name for name in sys.modules if name.split(".")[0] == "lstm_course"]:
        del sys.modules[_name]
    from lstm_course.checks import grading
    verdict = grading.check("rnn_backward", rnn_backward)
    assert verdict, verdict.message
"""
from __future__ import annotations

import importlib

from lstm_course._validation import check_callable
from lstm_course.checks._environment import EnvironmentTampered, environment_problems
from lstm_course.checks._guard import PackageCodeGuard
from lstm_course.checks._verdict import Verdict

__all__ = ["EnvironmentTampered", "call_without_package", "check", "verify_environment"]


def verify_environment():
    """Raise :class:`EnvironmentTampered` (an ``AssertionError``) unless builtins, numpy and the package are genuine.

    Also fails while a profiler or tracer is installed. Hidden tests of derive and
    experiment exercises call it before recomputing the expected value with numpy.
    """
    problems = environment_problems()
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise EnvironmentTampered(f"the grading environment was changed, so no check can be trusted: {shown}. "
                                  "Restart the kernel and run your notebook without replacing these.")


def check(name, fn):
    """Verify the environment, then run ``check_<name>`` of the freshly imported package on fresh random cases.

    Returns a :class:`~lstm_course.checks.Verdict`; raises :class:`EnvironmentTampered`
    when the environment was changed.
    """
    verify_environment()
    checker = getattr(importlib.import_module("lstm_course.checks"), f"check_{name}", None) if isinstance(
        name, str) else None
    if checker is None:
        raise ValueError(f"name must name a checker of lstm_course.checks (e.g. 'rnn_backward' for "
                         f"check_rnn_backward), got {name!r}")
    verdict = checker(fn)
    return Verdict(bool(verdict), verdict.message)


def call_without_package(function, *args):
    """Call a student's ``function(*args)`` and return its result; fail if it ran any of the package's code.

    For hidden tests of derive and experiment exercises, whose expected values the test
    computes itself: a function that gets its answer from the package (``cost_summary``,
    ``parameter_count``, ... recognised by their code, wherever they were loaded from)
    raises an ``AssertionError`` naming what it ran.
    """
    check_callable("function", function)
    with PackageCodeGuard() as guard:
        result = function(*args)
    assert guard.violation is None, guard.violation
    return result
