"""Recognise the package's own code by what it is while a student's function runs.

A function is identified by a fingerprint of its code object: the bytecode, the
constants (nested code objects by their own fingerprint) and the names it uses,
but not its file name, qualified name or variable names. The fingerprints of
the whole package are computed once, by compiling its ``.py`` files from disk,
so the reference is recognised however the student reached it: imported before
the check, rebuilt with ``types.FunctionType(ref.__code__, ...)``, re-loaded
from the package's file or ``exec``'d from its source.

:class:`PackageCodeGuard` installs a profiler (``sys.setprofile``) around one
call. The profiler never raises (CPython removes a profiler that raises); it
records the first violation, which the caller reports after the call:

- a frame runs package code that is not allowed (code called by an allowed
  helper is part of that helper and allowed too);
- the function removes or replaces the profiler (``sys.setprofile``,
  ``sys.settrace``, ``sys.monitoring``, ``threading.setprofile`` ...), or
  ctypes code runs;
- the function starts a thread or a process, where the profiler does not follow.
"""
from __future__ import annotations

import _thread
import dis
import os
import pathlib
import sys
import threading
import types

try:
    import _posixsubprocess
except ImportError:      # Windows
    _posixsubprocess = None

PACKAGE_ROOT = pathlib.Path(__file__).resolve().parent.parent
# Code this short (``return a @ b.T``: a few instructions) could be written by a student word for word.
MIN_BYTECODE_BYTES = 40
# A short function (a line or two) that a student wrote in a notebook may match a package helper
# word for word; it counts as the package's only when it was loaded from the package's folder.
# Longer code is recognised wherever it comes from (exec'd source under any file name included).
SHORT_BYTECODE_BYTES = 150

# Module bodies, comprehensions and lambdas run inside, or only define, the named functions that are
# recognised; on their own they are generic enough (``(x[k] for k in keys)``) to match a student's code.
_ANONYMOUS = {"<module>", "<genexpr>", "<listcomp>", "<setcomp>", "<dictcomp>", "<lambda>"}
_NOP = dis.opmap["NOP"]
_fingerprints_by_id = {}      # id(code) -> (code, fingerprint); the code is kept so the id stays unique
_package_code = None          # fingerprint -> "lstm_course.module.qualname", built on first use


def fingerprint(code):
    """A hashable summary of what ``code`` does: bytecode, constants and names.

    The docstring does not count (``optimize=2`` drops it and leaves a NOP where it stood), so
    one compilation recognises source exec'd at any optimisation level.
    """
    cached = _fingerprints_by_id.get(id(code))
    if cached is not None and cached[0] is code:
        return cached[1]
    constants = [fingerprint(value) if isinstance(value, types.CodeType) else _constant_key(value)
                 for value in code.co_consts]
    if constants and constants[0][0] == "str":       # the docstring's slot (None without one)
        constants[0] = _constant_key(None)
    raw = code.co_code
    bytecode = b"".join(raw[i:i + 2] for i in range(0, len(raw), 2) if raw[i] != _NOP)
    result = (bytecode, tuple(constants), code.co_names)
    _fingerprints_by_id[id(code)] = (code, result)
    return result


def _constant_key(value):
    if isinstance(value, frozenset):      # iteration order depends on how the set was built
        return ("frozenset", tuple(sorted(map(repr, value))))
    return (type(value).__name__, repr(value))


def _nested_codes(code):
    yield code
    for value in code.co_consts:
        if isinstance(value, types.CodeType):
            yield from _nested_codes(value)


def file_code(path, module):
    """Fingerprint -> "module.qualname" of every non-trivial function in the file ``path``, compiled from disk.

    A file with ``assert`` statements is also compiled without them, as ``optimize=1`` or 2 would.
    """
    found = {}
    source = pathlib.Path(path).read_text(encoding="utf-8")
    for optimize in ((0, 1) if "assert" in source else (0,)):
        for code in _nested_codes(compile(source, str(path), "exec", optimize=optimize)):
            if code.co_name not in _ANONYMOUS and len(code.co_code) >= MIN_BYTECODE_BYTES:
                found.setdefault(fingerprint(code), f"{module}.{getattr(code, 'co_qualname', code.co_name)}")
    return found


def package_code():
    """Fingerprint -> name of every non-trivial function of the package (see :func:`file_code`), built once."""
    global _package_code
    if _package_code is None:
        found = {}
        for path in sorted(PACKAGE_ROOT.rglob("*.py")):
            module = ".".join(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
            for key, name in file_code(path, module.removesuffix(".__init__")).items():
                found.setdefault(key, name)
        _package_code = found
    return _package_code


def answer_code(functions):
    """The package's code plus every function in the files of ``functions`` (a teacher's own references)."""
    found = dict(package_code())
    for function in functions:
        found.update(file_code(function.__code__.co_filename, function.__module__))
    return found


def allowed_fingerprints(functions):
    """Fingerprints of ``functions`` and of the code nested in them (their lambdas and inner functions)."""
    return {fingerprint(code) for function in functions for code in _nested_codes(function.__code__)}


def _builtin(module, name):
    return getattr(module, name, None)


_TAMPERING = {function for function in (
    sys.setprofile, sys.settrace, _builtin(sys, "_setprofileallthreads"), _builtin(sys, "_settraceallthreads"),
    _builtin(threading, "setprofile_all_threads"), _builtin(threading, "settrace_all_threads"),
) if function is not None}
_TAMPERING_CODE = {function.__code__ for function in (threading.setprofile, threading.settrace)}
_SPAWNING = {function for function in (
    *(_builtin(_thread, name) for name in ("start_new_thread", "start_new", "start_joinable_thread")),
    *(_builtin(os, name) for name in ("fork", "forkpty", "system", "posix_spawn", "posix_spawnp", "execv",
                                      "execve", "spawnv", "spawnve", "startfile")),
    _builtin(_posixsubprocess, "fork_exec"),
) if function is not None}
_PACKAGE_DIR = str(PACKAGE_ROOT) + os.sep
_CTYPES_DIR = str(pathlib.Path(os.__file__).resolve().parent / "ctypes")


class PackageCodeGuard:
    """Watch one call: record the first package function (not allowed), tampering, thread or process.

    Parameters
    ----------
    forbidden : dict fingerprint -> name, optional
        The code that must not run; default every function of the package.
    allowed : set of fingerprints
        Helpers the student may call (and everything they call in turn).
    home_files : iterable of str
        Files outside the package whose code counts as the package's (a teacher's references).
    """

    def __init__(self, forbidden=None, allowed=frozenset(), home_files=()):
        self.forbidden = package_code() if forbidden is None else forbidden
        self.home_files = frozenset(home_files)
        self.allowed = allowed
        self.violation = None
        self.ran_package_code = False
        self._closing = False
        self._status = {}          # id(code) -> (code, "allowed" | forbidden name | None)
        self._inside_allowed = {}  # id(frame) -> True while that frame belongs to an allowed helper
        self._saved = None

    def __enter__(self):
        self._saved = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc_info):
        still_ours = sys.getprofile() == self._profile
        if hasattr(self._saved, "enable") and not callable(self._saved):
            sys.setprofile(None)
            self._saved.enable()          # cProfile's C profiler cannot be reinstalled by sys.setprofile
        else:
            sys.setprofile(self._saved)
        if not still_ours:
            self._record("your function removed or replaced the profiler that watches it "
                         "(sys.setprofile or sys.settrace): a check cannot trust such a function.")
        return False

    def _record(self, message, package_code=False):
        if self.violation is None:
            self.violation, self.ran_package_code = message, package_code

    def _code_status(self, code):
        cached = self._status.get(id(code))
        if cached is not None and cached[0] is code:
            return cached[1]
        key = fingerprint(code)
        home = code.co_filename.startswith(_PACKAGE_DIR) or code.co_filename in self.home_files
        if key in self.allowed or (home and code.co_name == "<module>"):   # importing a module is harmless
            status = "allowed"
        elif code in _TAMPERING_CODE or code.co_filename.startswith(_CTYPES_DIR):
            status = "tampering"
        else:
            status = self.forbidden.get(key)
            if status is not None and len(code.co_code) < SHORT_BYTECODE_BYTES and not home:
                status = None
            if status is None and home:
                status = "inherit"      # a package lambda or comprehension: part of the function that runs it
        self._status[id(code)] = (code, status)
        return status

    def _profile(self, frame, event, arg):
        if self._closing:
            return
        if event == "call":
            if frame.f_code is _OWN_EXIT:      # the guard itself is closing: nothing after this is the student's
                self._closing = True
                return
            status = self._code_status(frame.f_code)
            caller_allowed = self._inside_allowed.get(id(frame.f_back), False)
            if status == "allowed" or (status is not None and caller_allowed):
                self._inside_allowed[id(frame)] = True
            elif status == "inherit":
                pass
            elif status == "tampering":
                self._record("your function reached for the machinery that watches it (threading.setprofile, "
                             "settrace or ctypes): a check cannot trust such a function.")
            elif status is not None:
                self._record(f"your function ran the course's {status} (recognised by its code, however "
                             "it was reached), which computes the answer or part of it. Write the "
                             "computation yourself.", package_code=True)
        elif event == "return":
            self._inside_allowed.pop(id(frame), None)
        elif event == "c_call":
            if arg in _TAMPERING or getattr(arg, "__module__", None) == "sys.monitoring":
                self._record(f"your function called {getattr(arg, '__name__', arg)}, which would remove the "
                             "profiler that watches it: a check cannot trust such a function.")
            elif arg in _SPAWNING:
                self._record(f"your function called {getattr(arg, '__name__', arg)}: a check runs your "
                             "function in this thread only, so do not start threads or processes.")


_OWN_EXIT = PackageCodeGuard.__exit__.__code__
