"""The machinery behind every ``check_<name>`` function: run, compare, explain.

A checker draws its cases from a seed (fresh entropy unless one is given, so
answers recorded in advance do not help), runs the student's function on a
fresh deep copy of each case while :class:`~._guard.PackageCodeGuard` watches
for the package's own code, reports an input the function changed in place,
then computes the reference's answer and compares every output. It returns a
:class:`~._verdict.Verdict` and never prints: the verdict's message is the
feedback, each problem once, with the first case that shows it.
"""
from __future__ import annotations

import contextlib
import copy
import gc
import inspect
import pickle
import secrets
import traceback
import types
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from lstm_course._validation import check_int
from lstm_course.checks import _guard
from lstm_course.checks._arguments import check_blocked_arguments, check_cases, check_run_arguments
from lstm_course.checks._environment import NamespaceSnapshot
from lstm_course.checks._feedback import Problem, compare, default_element, first_change
from lstm_course.checks._verdict import Verdict
from lstm_course.nn import activations

_SHOWN_PROBLEMS = 4
ACTIVATIONS = tuple(function for function in vars(activations).values()
                    if isinstance(function, types.FunctionType) and function.__module__ == activations.__name__)
"""Every exercise may use the activation functions and their derivatives."""


class AnswerUnavailable(RuntimeError):
    """Raised by :func:`answers_blocked` when code inside the block ran one of the blocked functions."""


class Case(NamedTuple):
    """One input on which the student's function is compared with the reference."""

    label: str
    """What the case exercises, e.g. ``"N=1, H=1"``; shown in the feedback."""
    args: tuple
    """Positional arguments, passed (as fresh deep copies) to both functions."""


class Mistake(NamedTuple):
    """A plausible error, recognised by the wrong value it produces."""

    output: str
    """Name of the output this mistake corrupts."""
    wrong: Callable[..., Any]
    """Called with the case's arguments; returns what a function with this mistake would output."""
    hint: str
    """Shown when the student's output matches ``wrong``."""


@contextlib.contextmanager
def answers_blocked(functions, exercise):
    """Raise :class:`AnswerUnavailable` at the end of the block if code inside it ran one of ``functions``.

    The functions are recognised by their code (see ``lstm_course.checks._guard``), so a copy
    rebuilt from their code object or re-loaded from the package's file counts too.

    Parameters
    ----------
    functions : sequence of Python functions
        The package functions that would hand out the answer.
    exercise : str
        Name of the exercise, used in the message.
    """
    functions = check_blocked_arguments(functions, exercise)
    forbidden = {}
    for function in functions:
        for key in _guard.allowed_fingerprints([function]):
            forbidden[key] = f"{function.__module__}.{function.__qualname__}"
    guard = _guard.PackageCodeGuard(forbidden=forbidden)
    with guard:
        yield
    if guard.violation:
        raise AnswerUnavailable(f"{exercise}: {guard.violation}")


def draw_seed(seed):
    """``seed`` itself, or fresh entropy when it is ``None``."""
    return secrets.randbelow(2 ** 31) if seed is None else check_int("seed", seed, minimum=0)


def _named_outputs(value, names):
    """Pair each output with its name; a single array counts as one output, a returned dict's keys are names."""
    if isinstance(value, dict):
        prefix = names[0] if len(names) == 1 and names[0] not in value else None
        return {(f"{prefix}[{key!r}]" if prefix else key): item for key, item in value.items()}
    if len(names) == 1:
        return {names[0]: value}
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        count = len(value) if isinstance(value, (tuple, list)) else 1
        raise TypeError(f"it should return {len(names)} values ({', '.join(names)}), got {count}")
    return dict(zip(names, value))


def _argument_names(reference, count):
    try:
        names = list(inspect.signature(reference).parameters)
    except (TypeError, ValueError):
        names = []
    return (names + [f"argument {index + 1}" for index in range(len(names), count)])[:count]


def _keep_returned(returned, given):
    return returned


def run_check(exercise, fn, reference, make_cases, *, seed=None, outputs, mistakes=(), allowed=(),
              convert=_keep_returned, mutable=(), describe=default_element, answers=()):
    """Compare ``fn`` with ``reference`` on every case of ``make_cases(seed)`` and return a :class:`Verdict`.

    Parameters
    ----------
    exercise : str
        The exercise's name; the checker is ``check_<exercise>``.
    fn : callable
        The student's function.
    reference : callable
        The package's answer; called on a fresh copy of each case after the student's function.
        It returns what ``convert`` returns for the student.
    make_cases : callable
        ``make_cases(seed) -> list of Case``.
    seed : int or None
        ``None`` draws fresh entropy; the message names the seed either way.
    outputs : sequence of str
        Names of the outputs, in return order (a returned dict is named by its keys).
    mistakes : sequence of Mistake
        Catalogue of plausible errors and their hints.
    allowed : sequence of functions
        Package helpers the exercise lets the student call; any other package code fails the check.
    convert : callable
        ``convert(returned, args)`` turns what the student returned (and the arguments it was given,
        for a function that works in place; a dict argument holds the arrays it held when it was
        passed) into the outputs to compare; it runs outside the guard.
    mutable : sequence of str
        Arguments the function is meant to change in place.
    describe : callable
        ``describe(name, index, got, expected)`` names a wrong element in the student's terms.
    answers : sequence of functions
        Functions outside the package that compute the answer (a teacher's own reference): every
        function in their files is recognised and off limits, like the package's code.
    """
    check_run_arguments(exercise, fn, reference, make_cases, outputs, mistakes, allowed, convert, mutable, describe,
                        answers)
    seed = draw_seed(seed)
    cases = check_cases(make_cases(seed))
    title = f"check_{exercise} (seed {seed})"
    allowed_keys = _guard.allowed_fingerprints(allowed)
    arg_names = _argument_names(reference, max(len(case.args) for case in cases))
    # The cases are kept as bytes while the student's code runs: nothing it reaches can change them.
    frozen = tuple(pickle.dumps(case.args) for case in cases)
    forbidden = _guard.answer_code(answers)      # built now, so that the snapshot sees the finished table
    home_files = {function.__code__.co_filename for function in answers}
    snapshot = NamespaceSnapshot()
    inside = allowed_keys | _guard.allowed_fingerprints([_materialize, _describe_exception])
    # No cycle collection while the check runs: a student's __del__ must not run while the answers are
    # compared. Garbage freed by reference counts is freed inside the guard, watched.
    collecting = gc.isenabled()
    gc.disable()
    try:
        runs = []
        for case, blob in zip(cases, frozen):
            given = pickle.loads(blob)
            as_passed = [dict(arg) if isinstance(arg, dict) else arg for arg in given]
            guard = _guard.PackageCodeGuard(forbidden=forbidden, allowed=inside, home_files=home_files)
            with guard:
                # Everything the student's objects can run (__array__, __iter__, __str__, __del__) runs
                # here, watched: what leaves the block is plain data.
                try:
                    returned, raised = _materialize(fn(*given)), None
                except Exception as exc:  # the student's error is feedback, not a crash of the checker
                    returned, raised = None, _describe_exception(exc)
                run = (case.label, blob, _materialize(given), _materialize(as_passed), raised, returned)
                given = as_passed = None
                if gc.isenabled():        # the function switched the collector back on
                    gc.collect()
                    gc.disable()
            if guard.violation:
                return Verdict(False, _violation_text(title, guard, allowed))
            runs.append(run)
        changed = snapshot.first_change()
        if changed:
            return Verdict(False, f"{title}: {changed} changed while your function ran; a function that "
                                  "replaces what the check relies on cannot be trusted.")
        groups = {}
        for label, blob, given, as_passed, raised, returned in runs:
            for problem in _case_problems(pickle.loads(blob), given, as_passed, raised, returned, reference,
                                          outputs, mistakes, convert, mutable, arg_names, describe):
                groups.setdefault(problem.key, []).append((label, problem))
    finally:
        if collecting:
            gc.enable()
    if not groups:
        return Verdict(True, f"{title}: all {len(cases)} test inputs match.")
    return Verdict(False, _report(title, groups, len(cases)))


def _case_problems(pristine, given, as_passed, raised, returned, reference, outputs, mistakes, convert, mutable,
                   arg_names, describe):
    if raised is not None:
        return [Problem(("raised", *raised), "", f"your function raised {raised[0]}: {raised[1]}{raised[2]}")]
    for name, before, after in zip(arg_names, pristine, given):
        if name not in mutable:
            changed = first_change(before, after, name)
            if changed:
                return [Problem(("mutated", changed), changed,
                                f"your function changed its input {changed} in place; compute new arrays "
                                "(or work on a .copy()): the caller still needs its inputs.")]
    raw_expected = reference(*copy.deepcopy(pristine))
    expected = _named_outputs(raw_expected, outputs)
    try:
        converted = convert(returned, as_passed)
        if isinstance(raw_expected, dict) and not isinstance(converted, dict):
            raise TypeError(f"it should return a dict with keys {', '.join(map(str, raw_expected))}, "
                            f"got a {type(converted).__name__}")
        got = _named_outputs(converted, outputs)
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        return [Problem(("structure", str(exc)), "", f"what your function returned: {exc}")]
    missing = [name for name in expected if name not in got]
    if missing:
        return [Problem(("missing", *missing), "", f"your function's result has no {', '.join(missing)}")]
    unexpected = [str(name) for name in got if name not in expected]
    if unexpected:
        return [Problem(("unexpected", *unexpected), "", f"your function's result has {', '.join(unexpected)}, "
                                                         f"which is not asked for (expected only "
                                                         f"{', '.join(map(str, expected))})")]
    problems = []
    for name in expected:
        problem = compare(name, got[name], expected[name], mistakes, pristine, describe)
        if problem:
            problems.append(problem)
    return problems


def _violation_text(title, guard, allowed):
    return f"{title}: {guard.violation}{_allowed_text(allowed) if guard.ran_package_code else ''}"


class _Opaque:
    """Stands for a returned object that holds no numbers, so that none of its code runs later."""

    def __init__(self, kind):
        self.kind = kind

    def __repr__(self):
        return f"a {self.kind} object"


def _materialize(value, depth=0):
    """A plain copy of ``value``: numbers, strings, ndarrays, and dicts, lists and tuples of them."""
    kind = value.__class__
    if kind in (bool, int, float, complex, str, type(None)) or kind is np.random.Generator:
        return value
    if depth > 20:
        return _Opaque("deeply nested")
    if isinstance(value, dict):
        return {_materialize(key, depth + 1): _materialize(item, depth + 1) for key, item in dict.items(value)}
    if isinstance(value, (list, tuple)):
        items = [_materialize(item, depth + 1) for item in value]
        return items if isinstance(value, list) else tuple(items)
    for plain in (bool, int, float, str):
        if isinstance(value, plain):
            return plain(value)
    array = np.array(value, subok=False)
    return array if array.dtype.kind in "biufcSU" else _Opaque(kind.__name__)


def _describe_exception(exception):
    try:
        text = str(exception)
    except Exception:  # a student's exception whose __str__ fails still gets reported
        text = "(its message could not be shown)"
    return type(exception).__name__, text, _where(exception)


def _where(exception):
    """The student's line that raised, e.g. `` at line 4: dz = dh * (1 - h ** 2)``."""
    frames = [frame for frame in traceback.extract_tb(exception.__traceback__)
              if not frame.filename.startswith(str(_guard.PACKAGE_ROOT))]
    if not frames or not frames[-1].line:
        return ""
    return f" (at line {frames[-1].lineno}: {frames[-1].line})"


def _allowed_text(allowed):
    names = [f"{function.__module__}.{function.__qualname__}" for function in allowed
             if function not in ACTIVATIONS]
    return f" This exercise lets you call {', '.join([*names, 'lstm_course.nn.activations'])}."


def _report(title, groups, n_cases):
    """Each problem once: the first case that shows it in full, and on how many other inputs it recurs.

    A hinted problem comes first. An unexplained difference is left out when a hint already covers
    that output on other inputs (a single number cannot show a sign or a factor), or covers those
    inputs in another output (one mistake usually changes several outputs).
    """
    hinted = [occurrences for occurrences in groups.values() if "Hint:" in occurrences[0][1].text]
    explained = {problem.output for occurrences in hinted for _, problem in occurrences}
    explained_cases = {label for occurrences in hinted for label, _ in occurrences}
    shown = hinted + [occurrences for occurrences in groups.values() if "Hint:" not in occurrences[0][1].text
                      and not {problem.output for _, problem in occurrences} <= explained
                      and not {label for label, _ in occurrences} <= explained_cases]
    lines = [f"{title}: {len(shown)} problem(s) on {n_cases} test inputs."]
    for occurrences in shown[:_SHOWN_PROBLEMS]:
        label, problem = occurrences[0]
        others = len({other for other, _ in occurrences[1:] if other != label})
        also = sorted({p.output for _, p in occurrences[1:] if p.output and p.output != problem.output})
        line = f"- [{label}] {problem.text}"
        if also:
            line += f" (the same for {', '.join(also)})"
        if others:
            line += f" (and on {others} other test input{'s' if others > 1 else ''})"
        lines.append(line)
    if len(shown) > _SHOWN_PROBLEMS:
        lines.append(f"- ... and {len(shown) - _SHOWN_PROBLEMS} more problem(s); fix these first.")
    return "\n".join(lines)
