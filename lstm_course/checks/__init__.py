"""Checkers for the implement-exercises: ``check_<name>(fn, *, seed=None)`` for each function a student rewrites.

Each checker draws its cases from ``seed`` (fresh entropy by default, so answers
recorded beforehand do not help), runs the student's function on fresh copies,
compares every output with the package's reference and returns a :class:`Verdict`:
truthy when every output matches, and whose message names the first wrong element
of the student's own output with a hint tied to the likely mistake. Checkers never
print.

While the student's function runs, a profiler recognises the package's own code
by what it is (bytecode, constants, names), wherever it was loaded from, and fails
the check when any of it runs, except the helpers the exercise allows. A function
that changes its inputs in place, removes the profiler or starts a thread fails too.
:func:`answers_blocked` applies the same recognition to a block of notebook code.
Graded hidden tests use ``lstm_course.checks.grading``, which first verifies that
builtins, numpy and the package are genuine. A teacher builds a checker for an exercise of
their own with :func:`run_check`, :class:`Case` and :class:`Mistake` (see
``teaching/exercise_template.ipynb``).

Use them in a notebook without nbgrader::

    from lstm_course import checks
    verdict = checks.check_rnn_step_backward(my_rnn_step_backward)
    assert verdict, verdict.message
"""
from lstm_course.checks._harness import ACTIVATIONS, AnswerUnavailable, Case, Mistake, answers_blocked, run_check
from lstm_course.checks._verdict import Verdict
from lstm_course.checks.ch01 import check_mlp_backward
from lstm_course.checks.ch02 import check_per_step_gradients, check_rnn_step_backward
from lstm_course.checks.ch03 import check_rnn_backward
from lstm_course.checks.ch04 import check_clip_grad_norm, check_jacobian_product
from lstm_course.checks.ch05 import check_lstm_step_backward
from lstm_course.checks.ch06 import check_tbptt_gradients, check_tbptt_schedule
from lstm_course.checks.ch07 import check_autocorrelation, check_stateful_sample_index
from lstm_course.checks.ch08 import check_sample_with_temperature, check_softmax_cross_entropy_backward
from lstm_course.checks.ch09 import check_one_unit_sensitivity_step

__all__ = ["ACTIVATIONS", "AnswerUnavailable", "Case", "Mistake", "Verdict", "answers_blocked", "run_check",
           "check_mlp_backward", "check_per_step_gradients",
           "check_rnn_step_backward", "check_rnn_backward", "check_clip_grad_norm", "check_jacobian_product",
           "check_lstm_step_backward", "check_tbptt_schedule", "check_tbptt_gradients",
           "check_stateful_sample_index", "check_autocorrelation",
           "check_softmax_cross_entropy_backward", "check_sample_with_temperature",
           "check_one_unit_sensitivity_step"]
