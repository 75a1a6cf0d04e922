"""The bad-input catalogue: every public callable answers every bad input with a clear ValueError.

How it works
------------
:func:`public_callables` walks the package with pkgutil and inspect: every public
function, class and public method (a name without a leading underscore, defined in
``lstm_course``, listed in ``__all__`` when its module has one), including the
plots, the widgets and the checkers. :func:`test_every_public_callable_is_covered`
fails until each has a valid call in ``VALID`` (``bad_inputs_catalogue`` and
``bad_inputs_display``) or a reviewed reason in ``EXEMPT``.

:func:`corruptions` then corrupts **one argument at a time**, choosing what to try
from the type of the valid value:

- float arrays: NaN, inf, empty, one axis more or fewer, a longer first or last
  axis, int / bool (may work: they become float64), complex, object, a plain list
  (may work), a string;
- integer arrays (character codes, targets): 2-D, a negative or a fractional code,
  NaN, empty, bool, object, a string;
- dicts of arrays (``params``, ``grads``): each entry as above, a missing entry, a
  string, a list;
- integers: 0, -1, 2.5, True, NaN, a string, a float with an integer value and a
  numpy integer (may work);
- floats: NaN, inf, a string, a complex, an array, a negative value (may work
  unless the name must be positive), an integer (may work);
- strings (``cell``, ``method``...): an unknown name, an integer;
- dtype arguments: int, bool, complex, object, float16, ``"int32"``, ``"bogus"``
  (float32 and ``"float32"`` may work);
- callables (callbacks, a student's function, ``make_batch``): a string, an integer;
- flags (``progress``, ``verbose``...): a string, an integer, None;
- ``rng`` seeds: a string, -1, 2.5;
- caches of ``*_backward``: None, a string, an empty dict, a cache missing an entry,
  another function's cache;
- None for every argument whose default is not None;
- ``extra`` cases per function: out-of-range indices, non-binary masks...

Each outcome is classified: ``clear`` (ValueError naming the corrupted argument),
``valid`` (a variant that may work and did), ``other`` (another exception),
``silent`` (a bad input accepted) and ``misleading`` (a ValueError that does not name
the corrupted argument: a bad ``Wx`` reported as a bad ``Wh``). Every call also
runs once with its float64 arrays as float32: a float64 array in the result is a
``silent`` upcast. Checkers get a student's function that returns ragged,
non-array, wrong-dtype or NaN output, the wrong structure, or raises: they must
return a failing Verdict whose message names the output (``clear``), never raise.
The tests fail on every ``other``, ``silent`` and ``misleading`` case; run this
file as a script (``python tests/test_bad_inputs.py [names]``) to print the counts.
"""
from __future__ import annotations

import collections
import copy
import importlib
import inspect
import pkgutil
import re
import sys
import warnings

import bad_inputs_catalogue
import bad_inputs_display
import matplotlib
import numpy as np
import pytest
from bad_inputs_catalogue import CheckerSpec

import lstm_course

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

VALID = {**bad_inputs_catalogue.VALID, **bad_inputs_display.VALID}
EXEMPT = {**bad_inputs_catalogue.EXEMPT, **bad_inputs_display.EXEMPT}

# Float hyper-parameters that must be positive (a negative value is a bad input).
POSITIVE = {"learning_rate", "tol", "h", "tolerance", "eps", "max_norm", "max_grad_norm", "temperature",
            "scale", "z", "candidate_gain_positive", "alpha", "floor", "cost_per_epoch", "budget"}
# Initial states, optional clipping and BLAS threads: None means zeros (no clipping, numpy's own threads).
NONE_OK = {"h0", "c0", "y0", "s0", "h_prev0", "max_grad_norm", "threads"}
FLAGS = {"progress", "verbose", "record", "record_theta", "show_folded", "log_scale", "truncated", "pad",
         "variable_length", "stateful", "per_character_loss", "loss_per_target"}
DTYPES = {"dtype"}
# Plots and widgets: matplotlib draws int, bool and list data as floats and leaves NaN and inf as gaps
# (documented in lstm_course.plots), so those variants are not drawn again; text arguments (titles,
# labels) go to matplotlib, which formats any object.
DRAWN_VARIANTS = {"int", "bool", "list", "nan", "inf", "float with integer value", "numpy integer", "integer",
                  "nan entry"}
TEXT_ARGS = {"title", "xlabel", "ylabel", "label", "name", "state_symbol", "input_symbol", "output_symbol",
             "weight_label"}


# ----------------------------------------------------------------------------- discovery
def _modules():
    modules = []
    for info in pkgutil.walk_packages(lstm_course.__path__, "lstm_course."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            modules.append(importlib.import_module(info.name))
    return modules


def _public_names(module):
    """(name, object) of a module's public callables: its ``__all__``, or what it defines."""
    if hasattr(module, "__all__"):
        pairs = [(name, getattr(module, name)) for name in module.__all__]
        return [(name, obj) for name, obj in pairs if getattr(obj, "__module__", "").startswith("lstm_course")]
    return [(name, obj) for name, obj in vars(module).items()
            if not name.startswith("_") and getattr(obj, "__module__", None) == module.__name__]


def _methods(cls):
    """Public methods of ``cls``, with those it inherits from the package's private bases."""
    owners = [klass for klass in cls.__mro__ if klass is cls or (
        klass.__name__.startswith("_") and klass.__module__.startswith("lstm_course"))]
    methods = {}
    for klass in reversed(owners):
        methods.update((m, f) for m, f in vars(klass).items() if inspect.isfunction(f))
    return {name: method for name, method in methods.items() if not name.startswith("_")}


def public_callables():
    """{key: callable}: every public function, class and method; the key is the bare name,
    or ``module.name`` when two modules share the name."""
    found, seen = [], set()
    for module in _modules():
        for name, obj in _public_names(module):
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            home = obj.__module__.rsplit(".", 1)[1]
            found.append((home, name, obj))
            if inspect.isclass(obj):
                found += [(home, f"{name}.{method_name}", method) for method_name, method in _methods(obj).items()]
    counts = collections.Counter(name for _, name, _ in found)
    return {(f"{home}.{name}" if counts[name] > 1 else name): obj for home, name, obj in found}


def spec_key(key, table):
    """The entry of a discovered key in ``table``: ``module.name`` or, failing that, the bare name."""
    bare = key.split(".", 1)[1] if key.split(".", 1)[0].islower() and "." in key else key
    return key if key in table else bare


# ----------------------------------------------------------------------------- corruptions
def _float_arrays(name, value, free):
    """Corruptions of a float array argument: (kind, value, may_be_valid)."""
    out = []
    if value.size:
        for kind, bad in (("nan", np.nan), ("inf", np.inf)):
            corrupted = value.copy()
            corrupted.flat[0] = bad
            out.append((kind, corrupted, False))
    if value.ndim >= 1:
        out.append(("empty", np.empty((0,) + value.shape[1:], value.dtype), False))
        out.append(("ndim-1", value[0].copy(), name in free))
        out.append(("longer first axis", np.concatenate([value, value[:1]], axis=0), name in free))
    if value.ndim >= 2:
        out.append(("longer last axis", np.concatenate([value, value[..., :1]], axis=-1), name in free))
    out.append(("ndim+1", value[None].copy(), name in free))
    out += [("int", np.round(value).astype(int), True), ("bool", value > 0, True),
            ("complex", value.astype(complex), False), ("object", value.astype(object), False),
            ("list", value.tolist(), True), ("str", "abc", False)]
    return out


def _int_arrays(name, value, free):
    """Corruptions of an integer array (codes, targets, indices)."""
    out = [("2-D" if value.ndim == 1 else "ndim+1", value[None].copy(), name in free),
           ("empty", value[:0].copy(), False), ("object", value.astype(object), False),
           ("str", "abc", False), ("bool", value > 0, False), ("list", value.tolist(), True),
           ("float with integer values", value.astype(float), True)]
    if value.size:
        for kind, entry in (("negative code", -1), ("fractional code", 0.5), ("nan code", np.nan)):
            corrupted = value.astype(float if kind != "negative code" else value.dtype)
            corrupted.flat[0] = entry
            out.append((kind, corrupted, False))
    return out


def _is_float_array(value):
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"


def _is_int_array(value):
    return isinstance(value, np.ndarray) and value.dtype.kind in "iu"


def _cache_cases(spec, value):
    cases = [("None", None, False), ("str", "abc", False), ("empty dict", {}, False)]
    if isinstance(value, dict) and value:
        dropped = dict(value)
        dropped.pop(next(iter(dropped)))
        cases.append(("missing entry", dropped, False))
    elif isinstance(value, tuple) and value:
        cases.append(("missing entry", value[:-1], False))
    if spec.wrong_cache is not None:
        cases.append(("another function's cache", spec.wrong_cache(), False))
    return cases


def _dict_cases(spec, arg, value, names):
    """Corruptions of a dict of float arrays: each entry, a missing entry, the wrong type."""
    for entry, array in value.items():
        for kind, bad, maybe in _float_arrays(entry, array, spec.free | ({entry} if arg in spec.free else set())):
            if kind in ("empty", "list"):
                continue
            if spec.drawn and kind in DRAWN_VARIANTS:
                continue
            corrupted = dict(value)
            corrupted[entry] = bad
            label = f"[{entry}] {kind}"
            yield arg, label, corrupted, maybe or kind in spec.ok.get(arg, ()) or label in spec.ok.get(arg, ()), \
                names | {entry}
    if arg not in spec.free:
        dropped = dict(value)
        dropped.pop(next(iter(dropped)))
        yield arg, "missing entry", dropped, "missing entry" in spec.ok.get(arg, ()), names | set(value)


def _scalar_cases(arg, value):
    if isinstance(value, (int, np.integer)):
        return [("zero", 0, False), ("negative", -1, False), ("fraction", value + 0.5, False),
                ("bool", True, False), ("float with integer value", float(value), True),
                ("numpy integer", np.int64(value), True), ("str", str(value), False), ("nan", np.nan, False)]
    return [("nan", np.nan, False), ("inf", np.inf, False), ("str", str(value), False),
            ("complex", complex(value, 1), False), ("array", np.array([value, value]), False),
            ("integer", int(value), True), ("bool", True, False),
            ("negative", -abs(value) - 1.0, arg not in POSITIVE)]


def _argument_cases(spec, arg, value):
    """(kind, value, may_be_valid) for one argument that is not a cache or a dict of arrays."""
    if arg in FLAGS or arg in spec.flags:
        return [("str", "yes", False), ("int", 2, False), ("None", None, False)]
    if arg == "rng":   # None draws fresh entropy, as in numpy
        return [("str", "abc", False), ("negative", -1, False), ("fraction", 2.5, False), ("None", None, True)]
    if arg in DTYPES:
        return [("int", int, False), ("bool", bool, False), ("complex", complex, False), ("object", object, False),
                ("float16", np.float16, False), ("str int32", "int32", False), ("unknown name", "bogus", False),
                ("float32", np.float32, True), ("str float32", "float32", True)]
    if isinstance(value, bool) or value is None or isinstance(value, type):
        return []
    if _is_float_array(value):
        return _float_arrays(arg, value, spec.free)
    if _is_int_array(value):
        return _int_arrays(arg, value, spec.free)
    if isinstance(value, (int, np.integer, float, np.floating)):
        return _scalar_cases(arg, value)
    if isinstance(value, str):
        return [("unknown name", "bogus", False), ("int", 3, False)]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (int, float, np.number)) for v in value):
        return [("empty", type(value)(), False), ("nan entry", type(value)([np.nan, *value[1:]]), False),
                ("str entry", type(value)(["abc", *value[1:]]), False),
                ("negative entry", type(value)([-1, *value[1:]]), False)]
    if callable(value):
        return [("str", "abc", False), ("int", 3, False)]
    if hasattr(value, "__dict__") or isinstance(value, (list, tuple, dict)):
        return [("str", "abc", False)]
    return []


def corruptions(spec, kwargs, signature):
    """Yield (argument, kind, corrupted value, may_be_valid, names accepted in the message)."""
    for arg, value in kwargs.items():
        if arg == "self" or arg in spec.skip or (spec.drawn and arg in TEXT_ARGS):
            continue
        default = signature.parameters[arg].default if arg in signature.parameters else inspect.Parameter.empty
        ok = spec.ok.get(arg, set())
        names = {arg, *spec.names.get(arg, ())}
        if arg in spec.cache:
            cases = _cache_cases(spec, value)
        elif isinstance(value, dict) and value and all(_is_float_array(v) for v in value.values()):
            yield from _dict_cases(spec, arg, value, names)
            cases = [("str", "abc", False), ("list", list(value.values()), False)]
        else:
            cases = _argument_cases(spec, arg, value)
        if default is not None and arg not in NONE_OK and not any(kind == "None" for kind, _, _ in cases):
            cases.append(("None", None, False))
        for kind, bad, maybe in cases:
            if spec.drawn and kind in DRAWN_VARIANTS:
                continue
            yield arg, kind, bad, maybe or kind in ok, names
    for arg, kind, bad in spec.extra:
        yield arg, kind, bad, False, {arg, *spec.names.get(arg, ())}


def _mentions(message, names):
    return any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])", message) for n in map(str, names))


def _call(obj, key, spec, kwargs):
    kwargs = dict(kwargs)
    try:
        if spec.call is not None:
            return spec.call(obj, kwargs)
        if "self" in kwargs:
            instance = kwargs.pop("self")
            return getattr(instance, key.rsplit(".", 1)[1])(**kwargs)
        return obj(**kwargs)
    finally:
        if spec.drawn:
            plt.close("all")


def _classify(obj, key, spec, kwargs, maybe, names):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            _call(obj, key, spec, kwargs)
        except ValueError as exc:
            return ("clear" if _mentions(str(exc), names) else "misleading"), str(exc)[:160]
        except Exception as exc:  # noqa: BLE001 -- classifying every exception is the point
            return "other", f"{type(exc).__name__}: {str(exc)[:140]}"
    return ("valid" if maybe else "silent"), ""


# ----------------------------------------------------------------------------- float32 end to end
def _to_float32(value):
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value.astype(np.float32)
    if isinstance(value, dict):
        return {key: _to_float32(item) for key, item in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*map(_to_float32, value))
    if isinstance(value, (list, tuple)):
        return type(value)(map(_to_float32, value))
    return value


def _float64_arrays(value, path="result", depth=0):
    """Paths of the float64 arrays in a result (arrays, dicts, lists, tuples, records)."""
    if depth > 4:
        return []
    if isinstance(value, np.ndarray):
        return [path] if value.dtype == np.float64 else []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        fields = getattr(value, "_fields", None)
        items = zip(fields or range(len(value)), value)
    else:
        return []
    return [found for key, item in items for found in _float64_arrays(item, f"{path}[{key!r}]", depth + 1)]


def float32_result(obj, key, spec, kwargs):
    """(outcome, detail) of the call with every float64 array of its arguments as float32."""
    converted = {name: (value if name == "self" else _to_float32(value)) for name, value in kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = _call(obj, key, spec, converted)
        except Exception as exc:  # noqa: BLE001
            return "other", f"float32 input rejected: {type(exc).__name__}: {str(exc)[:120]}"
    upcast = [path for path in _float64_arrays(result)
              if not any(f"[{field!r}]" in path for field in spec.history)]
    return ("silent", f"float32 in, float64 out: {', '.join(upcast[:3])}") if upcast else ("valid", "")


def _has_float_arrays(kwargs):
    return any(_float64_arrays(value) for name, value in kwargs.items() if name != "self")


# ----------------------------------------------------------------------------- checkers
class _Recorded(Exception):
    """Stops a checker after run_check was reached; carries its arguments."""


def _checker_parts(checker):
    """run_check's arguments as ``checker`` passes them (its reference, cases, outputs)."""
    module = sys.modules[checker.__module__]
    captured = {}

    def spy(exercise, fn, reference, make_cases, **options):
        captured.update(options, exercise=exercise, reference=reference, make_cases=make_cases)
        raise _Recorded

    real, module.run_check = module.run_check, spy
    try:
        checker(lambda *args: None, seed=0)
    except _Recorded:
        pass
    finally:
        module.run_check = real
    return captured


def _leaves(value, path=()):
    """(path, array) of the numeric arrays in an expected output (the first entries of long lists)."""
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, path + (key,))]
    if isinstance(value, (tuple, list)):
        return [leaf for index, item in enumerate(value[:2]) for leaf in _leaves(item, path + (index,))]
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf" and value.size:
        return [(path, value)]
    return []


def _replace(value, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    items = list(value)
    items[head] = _replace(items[head], rest, new)
    return type(value)(items) if isinstance(value, tuple) else items


class _StrRaises(Exception):
    def __str__(self):
        raise RuntimeError("even str() of this exception fails")


def _raise(exception):
    def fn(*args):
        raise exception
    return fn


LEAF_CORRUPTIONS = {
    "ragged": lambda a: [[1.0, 2.0], [3.0]],
    "int dtype": lambda a: np.round(a).astype(int),
    "bool dtype": lambda a: a > 0,
    "complex dtype": lambda a: a.astype(complex),
    "object dtype": lambda a: a.astype(object),
    "string array": lambda a: np.full(a.shape, "x"),
    "NaN": lambda a: np.where(np.arange(a.size).reshape(a.shape) == 0, np.nan, a),
    "inf": lambda a: np.where(np.arange(a.size).reshape(a.shape) == 0, np.inf, a),
    "extra axis": lambda a: a[None],
    "None": lambda a: None,
    "a string": lambda a: "abc",
    "an object": lambda a: object(),
}
VALID_LEAF_CORRUPTIONS = {"nested list": lambda a: a.tolist()}


def _structure_corruptions(expected):
    """Whole-output corruptions: (kind, transform of the expected output, may_be_valid)."""
    out = [("returns None", lambda e: None, False), ("returns a string", lambda e: "abc", False),
           ("returns an object", lambda e: object(), False), ("returns a generator", lambda e: iter(()), False)]
    if isinstance(expected, tuple):
        out += [("one value too few", lambda e: e[:-1], False), ("one value too many", lambda e: (*e, e[-1]), False),
                ("a list instead of a tuple", list, True), ("a dict instead of a tuple", lambda e: dict(enumerate(e)),
                                                           False)]
    if isinstance(expected, dict):
        out += [("a key missing", lambda e: dict(list(e.items())[1:]), False),
                ("an extra key", lambda e: {**e, "extra": np.zeros(1)}, False),
                ("a list instead of a dict", lambda e: list(e.values()), False)]
    return out


def _output_name(path, outputs, expected):
    if not path:
        return outputs[0]
    if isinstance(expected, dict):
        return str(path[-1])
    return outputs[path[0]] if isinstance(path[0], int) and len(outputs) > path[0] else str(path[-1])


def _replayer(answers, transform):
    """A student's function that returns ``transform`` of the reference's answer to each case, in order."""
    calls = iter(answers)

    def fn(*args):
        return transform(next(calls))
    return fn


def _run_checker(checker, fn, maybe, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            verdict = checker(fn, seed=0)
        except Exception as exc:  # noqa: BLE001
            return "other", f"the checker raised {type(exc).__name__}: {str(exc)[:130]}"
    message = getattr(verdict, "message", None)
    if not isinstance(message, str) or not hasattr(verdict, "passed"):
        return "other", f"the checker returned {type(verdict).__name__}, not a Verdict"
    if verdict.passed:
        return ("valid" if maybe else "silent"), message[:160]
    if maybe:
        return "valid", message[:160]
    if name is not None and name not in message:
        return "misleading", f"the message does not name {name}: {message[:140]}"
    return "clear", message[:160]


def checker_results(key, checker):
    """Run the checker on broken students and on bad arguments; a list of (outcome, arg, kind, detail)."""
    spec = VALID[spec_key(key, VALID)]
    parts = _checker_parts(checker)
    cases = parts["make_cases"](0)
    answer = spec.answer or parts["reference"]
    expected = [answer(*copy.deepcopy(case.args)) for case in cases]
    outputs = list(parts["outputs"])
    results = []
    students = [(f"raises {type(exc).__name__}", _raise(exc), None, False)
                for exc in (ZeroDivisionError("division by zero"), KeyError("W"), NotImplementedError(),
                            RecursionError("deep"), _StrRaises())]
    students += [(kind, _replayer(expected, transform), None, maybe)
                 for kind, transform, maybe in _structure_corruptions(expected[0])]
    for path, _ in _leaves(expected[0]):
        name = _output_name(path, outputs, expected[0])
        for kind, corrupt in {**LEAF_CORRUPTIONS, **VALID_LEAF_CORRUPTIONS}.items():
            if kind == "int dtype" and _at(expected[0], path).dtype.kind in "iu":
                continue
            def transform(e, p=path, c=corrupt):
                return _replace(e, p, c(_at(e, p)))
            students.append((f"{name}: {kind}", _replayer(expected, transform), name,
                             kind in VALID_LEAF_CORRUPTIONS))
    # A checker whose student works in place reports on the arrays it was given, and one that lays out the
    # student's result names the laid-out outputs: neither names what the student returned.
    unnamed = bool(parts.get("mutable")) or spec.answer is not None
    for kind, fn, name, maybe in students:
        outcome, detail = _run_checker(checker, fn, maybe, None if unnamed else name)
        results.append((outcome, "fn", kind, detail))
    for arg, kind, bad, maybe in (("fn", "str", "abc", False), ("fn", "None", None, False), ("fn", "int", 3, False),
                                  ("seed", "negative", -1, False), ("seed", "fraction", 2.5, False),
                                  ("seed", "str", "abc", False), ("seed", "bool", True, False),
                                  ("seed", "numpy integer", np.int64(2), True), *spec.extra_args):
        kwargs = {"fn": _replayer(expected, lambda e: e), "seed": 0, arg: bad}
        outcome, detail = _classify(checker, key, spec, kwargs, maybe, {arg})
        results.append((outcome, arg, kind, detail))
    return results


def _at(value, path):
    for step in path:
        value = value[step]
    return value


# ----------------------------------------------------------------------------- running
def run_function(key, obj):
    """Run every corruption of one callable; return a list of (outcome, arg, kind, detail)."""
    spec = VALID[spec_key(key, VALID)]
    if isinstance(spec, CheckerSpec):
        return checker_results(key, obj)
    signature = inspect.signature(obj)
    base = spec.make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _call(obj, key, spec, copy.deepcopy(base))  # the valid call must work
    results = []
    for arg, kind, bad, maybe, names in list(corruptions(spec, base, signature)):
        kwargs = spec.make()
        kwargs[arg] = bad
        results.append((*_classify(obj, key, spec, kwargs, maybe, names), arg, kind))
    results = [(outcome, arg, kind, detail) for outcome, detail, arg, kind in results]
    if spec.float32 is True and _has_float_arrays(base):
        outcome, detail = float32_result(obj, key, spec, (spec.make32 or spec.make)())
        results.append((outcome, "*", "float32 arrays", detail))
    return results


_RESULTS = {}
_FOUND = {}


def found():
    if not _FOUND:
        _FOUND.update(public_callables())
    return _FOUND


def results_for(key):
    if key not in _RESULTS:
        _RESULTS[key] = run_function(key, found()[key])
    return _RESULTS[key]


FAILURES = ("other", "silent", "misleading")
KEYS = sorted(k for k in public_callables() if spec_key(k, VALID) in VALID)


# ----------------------------------------------------------------------------- tests
def test_every_public_callable_is_covered():
    keys = found()
    missing = sorted(k for k in keys if spec_key(k, VALID) not in VALID and spec_key(k, EXEMPT) not in EXEMPT)
    used = {spec_key(k, VALID) for k in keys} | {spec_key(k, EXEMPT) for k in keys}
    stale = sorted((set(VALID) | set(EXEMPT)) - used)
    both = sorted(set(VALID) & set(EXEMPT))
    assert not missing, f"add a valid call to VALID (or a reason to EXEMPT) for: {missing}"
    assert not stale, f"VALID or EXEMPT names callables that no longer exist: {stale}"
    assert not both, f"callables both covered and exempt: {both}"
    assert all(isinstance(reason, str) and len(reason) > 20 for reason in EXEMPT.values())


@pytest.mark.parametrize("key", KEYS)
def test_bad_inputs_get_a_clear_value_error(key):
    bad = [r for r in results_for(key) if r[0] in FAILURES]
    assert not bad, "\n".join(f"{outcome:10s} {arg}={kind}: {detail}" for outcome, arg, kind, detail in bad)


def summary(keys=None):
    counts = collections.Counter()
    for key in keys or KEYS:
        counts.update(r[0] for r in results_for(key))
    return counts


def main(argv):
    keys = [k for k in KEYS if len(argv) < 2 or any(a in k for a in argv[1:])]
    total = collections.Counter()
    for key in keys:
        try:
            results = results_for(key)
        except Exception as exc:  # noqa: BLE001
            print(f"{key}: valid call failed: {type(exc).__name__}: {exc}")
            continue
        total.update(r[0] for r in results)
        for outcome, arg, kind, detail in results:
            if outcome in FAILURES:
                print(f"{key:28s} {outcome:10s} {arg}={kind}: {' | '.join(detail.splitlines())}")
    exempt = sorted(k for k in found() if spec_key(k, VALID) not in VALID)
    print(f"\n{len(found())} public callables: {len(keys)} run, {len(exempt)} exempt; "
          f"{sum(total.values())} cases: " +
          ", ".join(f"{k} {total[k]}" for k in ("clear", "valid", "other", "silent", "misleading")))


if __name__ == "__main__":
    main(sys.argv)
