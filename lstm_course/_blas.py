"""Limit the threads of numpy's BLAS for a block of code.

The course's layers multiply small matrices (a batch of 32 rows by a few hundred
columns). On a machine whose cores are busy with other work, OpenBLAS's worker
threads wait for each other and such products can become ten times slower than
on one thread; :func:`blas_threads` pins the count for the duration of a
``with`` block. When numpy's BLAS is not OpenBLAS it does nothing.
"""
import contextlib
import ctypes
import glob
import os

import numpy as np


def _openblas():
    folder = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in glob.glob(os.path.join(folder, "*openblas*")):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "64_"),
                               ("openblas", "")):
            setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            if setter is not None and getter is not None:
                return setter, getter
    return None


_FUNCTIONS = _openblas()


@contextlib.contextmanager
def blas_threads(n):
    """Run the ``with`` block with numpy's OpenBLAS limited to ``n`` threads (None: unchanged)."""
    if n is None or _FUNCTIONS is None:
        yield
        return
    setter, getter = _FUNCTIONS
    before = getter()
    setter(int(n))
    try:
        yield
    finally:
        setter(before)
