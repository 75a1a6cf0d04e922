"""What a checker returns: a verdict that is truthy when the check passed and shows its feedback."""
from __future__ import annotations

from typing import NamedTuple


class Verdict(NamedTuple):
    """The result of a check: ``bool(verdict)`` is ``passed``; the repr is the feedback.

    So ``assert verdict, verdict.message`` raises an ``AssertionError`` whose text is the
    checker's explanation, and a cell that ends with ``checks.check_x(fn)`` shows the
    feedback once, as plain text.
    """

    passed: bool
    message: str

    def __bool__(self):
        return bool(self.passed)

    def __repr__(self):
        return self.message

    def _repr_pretty_(self, printer, cycle):
        printer.text(self.message)
