"""Is the interpreter the checkers run in genuine? Builtins, numpy and the package, judged by what they are.

A notebook cell can replace ``builtins.max``, ``np.allclose``, ``gradcheck.rel_error`` or
``checks.check_rnn_backward`` with a function that makes every check pass. Nothing
here trusts a saved reference to the real object (the student's cell ran first);
each object is judged by its nature instead:

- a builtin function must be a C function of the ``builtins`` module with its own name,
  a builtin type a static (non-heap) type with its own name;
- a numpy ufunc must be the ufunc of that name in numpy's ``umath`` and not one made
  by ``np.frompyfunc``; a numpy C function must belong to a numpy module;
- a Python function (numpy's, the package's, the standard library's) must have the
  code of a ``def`` in the file its code names, that file must lie in numpy's, the
  package's or the standard library's folder, and its globals must be that module's.
"""
from __future__ import annotations

import builtins
import os
import pathlib
import re
import sys
import sysconfig
import threading
import types

import numpy as np

from lstm_course.checks import _guard

_BUILTIN_NAMES = ("abs", "all", "any", "bool", "callable", "dict", "enumerate", "float", "frozenset", "getattr",
                  "hasattr", "hash", "id", "int", "isinstance", "issubclass", "iter", "len", "list", "map", "max",
                  "min", "next", "object", "range", "repr", "reversed", "round", "set", "setattr", "slice",
                  "sorted", "str", "sum", "super", "tuple", "type", "vars", "zip", "__import__", "Exception",
                  "AssertionError", "ValueError", "TypeError", "KeyError", "IndexError")
# Beyond the numpy names the package's source uses: what hidden tests compare with.
_EXTRA_NUMPY_NAMES = ("allclose", "isclose", "array_equal", "min", "abs", "testing.assert_allclose")
_HEAP_TYPE = 1 << 9
_BUILTIN_FUNCTION = len.__class__
_TYPE = (0).__class__.__class__
_NUMPY_ROOT = pathlib.Path(np.__spec__.origin).resolve().parent
_STDLIB_ROOT = pathlib.Path(sysconfig.get_paths()["stdlib"]).resolve()
_defs_by_file = {}


class EnvironmentTampered(AssertionError):
    """Raised when a builtin, a numpy function or a package function is not the genuine one."""


def _defs_in(path):
    """Fingerprints of every function defined in the file ``path``, compiled as the interpreter imports it."""
    if path not in _defs_by_file:
        code = compile(pathlib.Path(path).read_text(encoding="utf-8"), path, "exec", optimize=sys.flags.optimize)
        _defs_by_file[path] = {_guard.fingerprint(nested) for nested in _guard._nested_codes(code)}
    return _defs_by_file[path]


def _module_dicts_by_file():
    found = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            found.setdefault(os.path.realpath(path), []).append(vars(module))
    return found


def _is_module_globals(namespace, path):
    """Is ``namespace`` the dict of a loaded module whose file is ``path``?"""
    if not any(namespace is known for known in _module_dicts.get(path, ())):
        _module_dicts.clear()
        _module_dicts.update(_module_dicts_by_file())
    return any(namespace is known for known in _module_dicts.get(path, ()))


_module_dicts = {}


def _python_function_problem(function):
    code = function.__code__
    path = os.path.realpath(code.co_filename)
    roots = (_NUMPY_ROOT, _guard.PACKAGE_ROOT, _STDLIB_ROOT)
    if not os.path.isfile(path) or not any(pathlib.Path(path).is_relative_to(root) for root in roots):
        return f"is defined in {code.co_filename}, not in numpy, the package or the standard library"
    if _guard.fingerprint(code) not in _defs_in(path):
        return f"does not have the code of any function in {path}"
    if not _is_module_globals(function.__globals__, path):
        return "runs with globals that are not its module's"
    return None


def _object_problem(value, name):
    """Why ``value`` (found under ``name``) is not genuine, or ``None``."""
    if isinstance(value, types.FunctionType):
        return _python_function_problem(value)
    if isinstance(value, np.ufunc):
        umath = getattr(np, "_core", None) or np.core
        if getattr(umath.umath, value.__name__, None) is not value or all(set(t) <= set("O->") for t in value.types):
            return "is a ufunc made by np.frompyfunc, not numpy's"
        return None
    if type(value).__name__ == "_ArrayFunctionDispatcher":
        return _object_problem(value._implementation, name)
    if isinstance(value, types.BuiltinFunctionType) and isinstance(value.__self__, np.ufunc):
        return _object_problem(value.__self__, value.__self__.__name__)       # a ufunc's method: np.add.at
    if isinstance(value, types.BuiltinFunctionType) or type(value).__name__ == "cython_function_or_method":
        module = getattr(value, "__module__", None) or ""
        if not module.startswith("numpy") or value.__name__ != name.rsplit(".", 1)[-1]:
            return f"is {module}.{value.__name__}, not numpy's {name}"
        return None
    if isinstance(value, type):
        if value.__flags__ & _HEAP_TYPE and not value.__module__.startswith("numpy"):
            return f"is a class defined in {value.__module__}"
        return None
    if isinstance(value, (types.ModuleType, float, int, np.generic)) or value is None:
        return None
    return f"is a {type(value).__name__}"


def _numpy_names():
    if not _numpy_names_cache:
        names = set(_EXTRA_NUMPY_NAMES)
        for path in _guard.PACKAGE_ROOT.rglob("*.py"):
            names.update(re.findall(r"\bnp\.([a-zA-Z_][\w.]*[a-zA-Z0-9_])", path.read_text(encoding="utf-8")))
        _numpy_names_cache.extend(sorted(name for name in names if not name.startswith("__")))
    return _numpy_names_cache


_numpy_names_cache = []


def _numpy_problems():
    for name in _numpy_names():
        value = np
        for part in name.split("."):
            value = getattr(value, part, None)
        if value is not None and not isinstance(value, types.ModuleType):
            problem = _object_problem(value, name)
            if problem:
                yield f"np.{name} {problem}"


def _builtin_problems():
    for name in _BUILTIN_NAMES:
        value = builtins.__dict__.get(name)
        # Attribute lookups and ``is`` only: isinstance and type are among the names being judged.
        if value.__class__ is _BUILTIN_FUNCTION:
            genuine = value.__name__ == name and value.__self__ is builtins
        else:
            genuine = value.__class__ is _TYPE and not value.__flags__ & _HEAP_TYPE and value.__name__ == name
        if not genuine:
            yield f"the builtin {name} was replaced by {value!r}"


def _package_problems():
    for module_name, module in list(sys.modules.items()):
        if module_name.split(".")[0] != "lstm_course" or module is None:
            continue
        path = getattr(module, "__file__", None)
        if not path or not pathlib.Path(path).resolve().is_relative_to(_guard.PACKAGE_ROOT):
            yield f"the module {module_name} was not loaded from the package's folder"
            continue
        for name, value in list(vars(module).items()):
            if isinstance(value, types.FunctionType) or type(value).__name__ == "_ArrayFunctionDispatcher":
                problem = _object_problem(value, name)
                if problem:
                    yield f"{module_name}.{name} {problem}"


def _tracer_problems():
    if sys.getprofile() is not None or sys.gettrace() is not None:
        yield "a profiler or tracer is installed (sys.setprofile / sys.settrace)"
    if getattr(threading, "_profile_hook", None) or getattr(threading, "_trace_hook", None):
        yield "a profiler or tracer is installed for new threads (threading.setprofile / settrace)"


def environment_problems():
    """Every way the environment differs from a genuine one (empty when it is genuine)."""
    builtin_problems = list(_builtin_problems())
    if builtin_problems:       # the checks below use the builtins themselves
        return [*_tracer_problems(), *builtin_problems]
    return [*_tracer_problems(), *_numpy_problems(), *_package_problems()]


def _state(value):
    """What a name refers to, down to the code and defaults a function runs with."""
    if isinstance(value, (types.BuiltinMethodType, types.MethodType)):    # a new bound object at each lookup
        return (value.__self__, getattr(value, "__func__", None), value.__name__, None)
    return (value, getattr(value, "__code__", None), getattr(value, "__defaults__", None),
            getattr(value, "__kwdefaults__", None))


class NamespaceSnapshot:
    """The names the checkers depend on (the package's modules, numpy, builtins), to see what a call changed."""

    def __init__(self):
        self._entries = self._read()

    @staticmethod
    def _read():
        entries = {f"builtins.{name}": _state(value) for name, value in vars(builtins).items()}
        for name in _numpy_names():
            value = np
            for part in name.split("."):
                value = getattr(value, part, None)
            entries[f"np.{name}"] = _state(value)
        for module_name, module in list(sys.modules.items()):
            if module_name.split(".")[0] == "lstm_course" and module is not None:
                entries[module_name] = _state(module)
                entries.update((f"{module_name}.{name}", _state(value)) for name, value in list(vars(module).items()))
        return entries

    def first_change(self):
        """The first name whose object (or code, or defaults) differs from the snapshot's, or ``None``."""
        now = self._read()
        for name, before in self._entries.items():
            after = now.get(name)
            if after is None or any(a is not b and not (a.__class__ is str and a == b) for a, b in zip(before, after)):
                return name
        return None
