"""Checkers for the implement-exercises: ``check_<name>(fn)`` for each package function a student rewrites.

Each checker runs the student's function against the package's reference on several
random inputs, edge shapes included, prints which output is wrong with a hint tied to
the likely mistake, and returns ``True`` or ``False``. While the student's function
runs, the package functions that would answer the exercise raise
:class:`AnswerUnavailable`, so a "solution" that calls the reference is rejected.

Use them in a notebook without nbgrader::

    from lstm_course import checks
    checks.check_rnn_step_backward(my_rnn_step_backward)
"""
from ._harness import AnswerUnavailable, answers_blocked
from .ch01 import check_mlp_backward
from .ch02 import check_per_step_gradients, check_rnn_step_backward
from .ch03 import check_rnn_backward
from .ch04 import check_clip_grad_norm, check_jacobian_product
from .ch05 import check_lstm_step_backward
from .ch06 import check_tbptt_gradients, check_tbptt_schedule
from .ch07 import check_autocorrelation, check_stateful_sample_index
from .ch08 import check_sample_with_temperature, check_softmax_cross_entropy_backward
from .ch09 import check_one_unit_sensitivity_step

__all__ = ["AnswerUnavailable", "answers_blocked", "check_mlp_backward", "check_per_step_gradients",
           "check_rnn_step_backward", "check_rnn_backward", "check_clip_grad_norm", "check_jacobian_product",
           "check_lstm_step_backward", "check_tbptt_schedule", "check_tbptt_gradients",
           "check_stateful_sample_index", "check_autocorrelation",
           "check_softmax_cross_entropy_backward", "check_sample_with_temperature",
           "check_one_unit_sensitivity_step"]
