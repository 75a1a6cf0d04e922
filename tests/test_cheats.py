"""Every cheap cheat, tried against every checker it applies to, fails with a message; honest work passes.

The cheats: calling the reference; a function rebuilt from the reference's code object
(taken before the check); the reference's module loaded again from the package's file,
or its source exec'd under another file name; a public package helper or kernel that
computes the answer; answers recorded beforehand; a correct function that destroys its
inputs; removing the profiler; running the answer in a thread. Then the notebook-style
cheats on the grading environment: a cell that replaces a checker, ``rel_error``, a
numpy function or a builtin, under the hidden tests' pattern (purge, re-import, check).
"""
import copy
import gc
import importlib
import importlib.util
import pickle
import sys
import threading
import types

import numpy as np
import pytest
import test_checks_ch01 as ch01
import test_checks_ch02 as ch02
import test_checks_ch03 as ch03
import test_checks_ch04 as ch04
import test_checks_ch05 as ch05
import test_checks_ch06 as ch06
import test_checks_ch07 as ch07
import test_checks_ch08 as ch08
import test_checks_ch09 as ch09

from lstm_course import checks
from lstm_course.checks import grading
from lstm_course.data import autocorrelation, chunking
from lstm_course.lab import unrolling, vanishing
from lstm_course.models import charlm, mlp
from lstm_course.nn import gradcheck, lstm, readout, rnn
from lstm_course.online import rtrl
from lstm_course.train import optim
from lstm_course.train.tbptt import engine, schedule


def sensitivity_from_the_rtrl_helper(x, h_prev, S, wx, wh, b):
    h = np.tanh(wx * x + wh * h_prev + b)
    return h, (1 - h ** 2)[:, None] * (rtrl._direct_dz(x[:, None], h_prev[:, None], 1, 1)[:, 0] + wh * S)


# checker name -> (reference, an honest solution, helpers a cheat may route through instead)
EXERCISES = {
    "mlp_backward": (mlp.mlp_backward, ch01.correct, [ch01.layers_through_rnn_steps, ch01.finite_differences]),
    "rnn_step_backward": (rnn.rnn_step_backward, ch02.correct,
                          [ch02.calls_the_kernel, ch02.goes_through_a_length_one_sequence]),
    "per_step_gradients": (unrolling.per_step_gradients, ch02.per_step_correct,
                           [ch02.per_step_through_rnn_backward, ch02.per_step_through_package_step]),
    "rnn_backward": (rnn.rnn_backward, ch03.correct,
                     [ch03.loops_over_the_step_backward, ch03.sums_the_per_step_gradients, ch03.goes_through_the_model,
                      lambda dh, cache: rnn._sequence_backward(dh, cache)]),
    "clip_grad_norm": (optim.clip_grad_norm, ch04.correct_clip, [ch04.clip_uses_the_global_norm_helper]),
    "jacobian_product": (vanishing.jacobian_product, ch04.correct_product,
                         [ch04.product_from_the_step_jacobians, ch04.product_by_backpropagating_unit_vectors]),
    "lstm_step_backward": (lstm.lstm_step_backward, ch05.correct,
                           [ch05.calls_the_kernel, ch05.goes_through_a_length_one_sequence,
                            ch05.through_the_model_backward]),
    "tbptt_schedule": (schedule.tbptt_schedule, ch06.schedule, [ch06.schedule_from_the_cost_summary]),
    "tbptt_gradients": (lambda params, x, y, k1, k2: engine.tbptt_gradients(params, x, y, k1, k2, cell="rnn"),
                        ch06.gradients, [ch06.gradients_from_windowed_full_bptt]),
    "stateful_sample_index": (chunking.stateful_sample_index, ch07.keras_order, [ch07.order_read_off_the_sample_order]),
    "autocorrelation": (autocorrelation.autocorrelation, ch07.acf, [ch07.acf_via_the_pacf_module]),
    "softmax_cross_entropy_backward": (readout.softmax_cross_entropy_backward, ch08.correct_backward,
                                       [ch08.uses_package_softmax]),
    "sample_with_temperature": (charlm.sample_with_temperature, ch08.correct_sampler,
                                [lambda logits, temperature, rng: charlm.sample_with_temperature(logits, temperature,
                                                                                                 rng)]),
    "one_unit_sensitivity_step": (rtrl.one_unit_sensitivity_step, ch09.correct, [sensitivity_from_the_rtrl_helper]),
}
NAMES = sorted(EXERCISES)


def check(name, fn, seed=None):
    return getattr(checks, f"check_{name}")(fn, seed=seed)


def assert_rejected(verdict, *words):
    assert not verdict
    assert verdict.message.startswith("check_")
    assert any(word in verdict.message for word in words), verdict.message


def module_function(reference):
    """The package function behind a reference (tbptt_gradients's lambda pins cell='rnn')."""
    return engine.tbptt_gradients if reference.__name__ == "<lambda>" else reference


def with_reference(name, build):
    """A cheat that calls ``build(function)`` of the reference, keeping tbptt_gradients's cell='rnn'."""
    reference = EXERCISES[name][0]
    function = build(module_function(reference))
    if reference.__name__ == "<lambda>":
        return lambda params, x, y, k1, k2: function(params, x, y, k1, k2, cell="rnn")
    return lambda *args: function(*args)


def rebuilt_from_the_code_object(function):
    return types.FunctionType(function.__code__, function.__globals__, "mine", function.__defaults__)


def reloaded_from_the_package_file(function):
    module = sys.modules[function.__module__]
    spec = importlib.util.spec_from_file_location(f"lstm_course.copy_of_{module.__name__.split('.')[-1]}",
                                                  module.__file__)
    copy_of_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy_of_module)
    return getattr(copy_of_module, function.__name__)


def exec_of_the_source(function, optimize=-1):
    module = sys.modules[function.__module__]
    with open(module.__file__, encoding="utf-8") as source:
        code = compile(source.read(), "<my notebook cell>", "exec", optimize=optimize)
    namespace = {"__name__": "lstm_course.my_copy", "__package__": "lstm_course"}
    exec(code, namespace)
    return namespace[function.__name__]


CODE_CHEATS = {"calls the reference": lambda function: function,
               "rebuilt from its code object": rebuilt_from_the_code_object,
               "re-loaded from the package file": reloaded_from_the_package_file,
               "exec of its source": exec_of_the_source,
               "exec of its source without docstrings and asserts": lambda f: exec_of_the_source(f, optimize=2)}


@pytest.mark.parametrize("name", NAMES)
def test_an_honest_solution_passes(name):
    verdict = check(name, EXERCISES[name][1])
    assert verdict, verdict.message
    assert "seed" in verdict.message


@pytest.mark.parametrize("cheat", CODE_CHEATS)
@pytest.mark.parametrize("name", NAMES)
def test_reaching_the_reference_by_any_path_fails(name, cheat):
    assert_rejected(check(name, with_reference(name, CODE_CHEATS[cheat])), "ran the course's")


@pytest.mark.parametrize("name, helper", [(name, helper) for name in NAMES for helper in EXERCISES[name][2]])
def test_a_package_helper_that_computes_the_answer_fails(name, helper):
    assert_rejected(check(name, helper), "ran the course's")


@pytest.mark.parametrize("name", NAMES)
def test_answers_recorded_in_advance_fail(name):
    reference, honest, _ = EXERCISES[name]
    seen = []

    def spy(*args):
        seen.append(copy.deepcopy(args))
        return honest(*args)

    assert check(name, spy, seed=12345)
    table = {pickle.dumps(args): honest(*copy.deepcopy(args)) for args in seen}
    first_answer = next(iter(table.values()))

    def recorded(*args):
        return copy.deepcopy(table.get(pickle.dumps(args), first_answer))

    verdict = check(name, recorded)
    assert not verdict, "a fresh seed draws new cases"


def destroys_an_array_input(honest):
    def destroys(*args):
        result = honest(*args)
        for arg in args:
            arrays = [arg] if isinstance(arg, np.ndarray) else [v for v in getattr(arg, "values", list)()
                                                               if isinstance(v, np.ndarray)]
            for array in arrays:
                array[...] = 0
        return result
    return destroys


MUTABLE_ARGUMENTS = {"clip_grad_norm", "tbptt_schedule", "stateful_sample_index"}   # grads is clipped in place


@pytest.mark.parametrize("name", [name for name in NAMES if name not in MUTABLE_ARGUMENTS])
def test_a_correct_function_that_destroys_its_inputs_fails(name):
    verdict = check(name, destroys_an_array_input(EXERCISES[name][1]))
    assert_rejected(verdict, "changed its input")


def test_the_mutation_message_names_the_array():
    def writes_into_the_cache(dh, cache):
        result = ch03.correct(dh, cache)
        cache["h"] *= 2
        return result

    verdict = checks.check_rnn_backward(writes_into_the_cache)
    assert "your function changed its input cache['h'] in place" in verdict.message
    assert "dh" in checks.check_rnn_backward(destroys_an_array_input(ch03.correct)).message


@pytest.mark.parametrize("name", NAMES)
def test_removing_the_profiler_fails(name):
    reference = with_reference(name, lambda function: function)

    def unwatched(*args):
        profiler = sys.getprofile()
        sys.setprofile(None)
        try:
            return reference(*args)
        finally:
            sys.setprofile(profiler)

    assert_rejected(check(name, unwatched), "profiler")


@pytest.mark.parametrize("name", NAMES)
def test_running_the_answer_in_a_thread_fails(name):
    reference = with_reference(name, lambda function: function)

    def in_a_thread(*args):
        result = []
        worker = threading.Thread(target=lambda: result.append(reference(*args)))
        worker.start()
        worker.join()
        return result[0]

    assert_rejected(check(name, in_a_thread), "threads")


def test_starting_a_process_or_a_tracer_fails():
    import subprocess

    def in_a_process(dh, cache):
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        return ch03.correct(dh, cache)

    def tracer(dh, cache):
        sys.settrace(lambda *args: None)
        sys.settrace(None)
        return ch03.correct(dh, cache)

    def threading_hook(dh, cache):
        threading.setprofile(None)
        return ch03.correct(dh, cache)

    def through_ctypes(dh, cache):
        import ctypes
        ctypes.pythonapi.PyEval_SetProfile(None, None)
        return ch03.correct(dh, cache)

    assert_rejected(checks.check_rnn_backward(in_a_process), "processes")
    assert_rejected(checks.check_rnn_backward(tracer), "settrace")
    assert_rejected(checks.check_rnn_backward(threading_hook), "threading.setprofile")
    assert_rejected(checks.check_rnn_backward(through_ctypes), "ctypes", "profiler")
    assert checks.check_rnn_backward(ch03.correct)


def test_the_answer_works_again_after_a_check():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 2))
    h, cache = rnn.rnn_forward(x, np.zeros((2, 4)), rng.normal(size=(2, 4)), rng.normal(size=(4, 4)), np.zeros(4))
    before = rnn.rnn_backward(np.ones_like(h), cache)
    assert not checks.check_rnn_backward(lambda dh, c: rnn.rnn_backward(dh, c))
    after = rnn.rnn_backward(np.ones_like(h), cache)
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
    assert sys.getprofile() is None


def test_answers_blocked_recognises_a_rebuilt_copy():
    rebuilt = rebuilt_from_the_code_object(mlp.mlp_backward)
    with pytest.raises(checks.AnswerUnavailable, match="mlp.mlp_backward"):
        with checks.answers_blocked([mlp.mlp_backward], "bias_gradient"):
            rebuilt(np.ones((1, 1)), mlp.mlp_forward(mlp.mlp_init((1, 2, 1), rng=0), np.ones((1, 1)))[1])
    with checks.answers_blocked([mlp.mlp_backward], "bias_gradient"):
        np.tanh(1.0)


# ------------------------------------------------------------------ the grading environment

# Each cheat is a notebook cell run before the hidden test, in one fresh interpreter (a cell that
# replaces builtins.isinstance would break pytest itself). The hidden test is the contract's pattern.
NOTEBOOK = """
import builtins, json, sys
import numpy as np
from lstm_course import checks
from lstm_course.nn import gradcheck
from test_cheats import wrong_rnn_backward, honest_rnn_backward

CELLS = {cells}


def hidden_test(fn):
    for _name in [name for name in sys.modules if name.split(".")[0] == "lstm_course"]:
        del sys.modules[_name]
    from lstm_course.checks import grading
    verdict = grading.check("rnn_backward", fn)
    assert verdict, verdict.message


outcomes = {{}}
for label, cell in CELLS.items():
    namespace = {{"np": np, "builtins": builtins, "checks": checks, "gradcheck": gradcheck, "sys": sys}}
    saved = {{name: value for name, value in vars(builtins).items()}}
    saved_np = dict(vars(np))
    saved_modules = dict(sys.modules)
    exec(cell, namespace)
    try:
        hidden_test(honest_rnn_backward if label == "honest" else wrong_rnn_backward)
        outcome = "passed"
    except AssertionError as error:
        outcome = "failed: " + str(error)
    except Exception as error:      # the cell broke the import machinery itself: an error earns 0 points too
        outcome = "error: " + type(error).__name__
    sys.setprofile(None)
    vars(builtins).update(saved)
    vars(np).update(saved_np)
    for name in [name for name in sys.modules if name.split(".")[0] == "lstm_course"]:
        del sys.modules[name]
    sys.modules.update(saved_modules)
    checks.check_rnn_backward = saved_checker
    gradcheck.rel_error = saved_rel_error
    outcomes[label] = outcome
print("OUTCOMES" + json.dumps(outcomes))
"""
CELLS = {
    "honest": "pass",
    "checks.check_rnn_backward returns success":
        "checks.check_rnn_backward = lambda fn, **kw: checks.Verdict(True, 'all test inputs match')",
    "gradcheck.rel_error returns 0": "gradcheck.rel_error = lambda a, b: 0.0",
    "np.allclose returns True": "np.allclose = lambda *a, **k: True",
    "np.max returns 0": "np.max = lambda *a, **k: 0.0",
    "np.isfinite from np.frompyfunc": "np.isfinite = np.frompyfunc(lambda x: True, 1, 1)",
    "np.zeros_like returns ones": "np.zeros_like = lambda a, *args, **k: np.ones_like(a)",
    "builtins.abs returns 0": "builtins.abs = lambda x: 0.0",
    "builtins.max is min": "builtins.max = min",
    "builtins.all returns True": "builtins.all = lambda iterable: True",
    "builtins.isinstance returns True": "builtins.isinstance = lambda obj, cls: True",
    "a profiler is left installed": "sys.setprofile(lambda *args: None)",
}


def honest_rnn_backward(dh, cache):
    return ch03.correct(dh, cache)


def wrong_rnn_backward(dh, cache):
    dx, dh0, dWx, dWh, db = ch03.correct(dh, cache)
    return dx, dh0, dWx, 2 * dWh, db


@pytest.fixture(scope="module")
def outcomes():
    import json
    import pathlib
    import subprocess

    script = NOTEBOOK.format(cells=repr(CELLS)).replace(
        "exec(cell, namespace)", "saved_checker, saved_rel_error = checks.check_rnn_backward, gradcheck.rel_error\n"
        "    exec(cell, namespace)")
    tests = pathlib.Path(__file__).parent
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         cwd=tests, env={**__import__("os").environ, "PYTHONPATH": str(tests)})
    assert "OUTCOMES" in run.stdout, run.stderr
    return json.loads(run.stdout.split("OUTCOMES", 1)[1])


def test_the_hidden_test_pattern_passes_an_honest_solution(outcomes):
    assert outcomes["honest"] == "passed"


@pytest.mark.parametrize("cell", [label for label in CELLS if label != "honest"])
def test_a_cell_that_replaces_the_grading_machinery_earns_nothing(outcomes, cell):
    assert outcomes[cell] != "passed"
    if outcomes[cell].startswith("failed: "):
        assert "check_rnn_backward" in outcomes[cell] or "grading environment was changed" in outcomes[cell]


def test_verify_environment_finds_a_replaced_checker_without_a_purge(monkeypatch):
    grading.verify_environment()
    monkeypatch.setattr(checks, "check_rnn_backward", lambda fn: checks.Verdict(True, "ok"))
    with pytest.raises(AssertionError, match="check_rnn_backward is defined in"):
        grading.verify_environment()
    monkeypatch.setattr(gradcheck, "rel_error", lambda a, b: 0.0)
    with pytest.raises(AssertionError, match="rel_error"):
        grading.verify_environment()


def test_replacing_what_the_check_relies_on_while_it_runs_fails(monkeypatch):
    from lstm_course.checks import _feedback

    def replaces_rel_error_then_answers_wrong(dh, cache):
        monkeypatch.setattr(_feedback, "rel_error", lambda a, b: 0.0)
        return wrong_rnn_backward(dh, cache)

    def swaps_the_references_code(dh, cache):
        monkeypatch.setattr(rnn.rnn_backward, "__code__", wrong_rnn_backward.__code__)
        return wrong_rnn_backward(dh, cache)

    def replaces_numpy(dh, cache):
        monkeypatch.setattr(np, "allclose", lambda *args, **kwargs: True)
        return wrong_rnn_backward(dh, cache)

    for cheat, name in [(replaces_rel_error_then_answers_wrong, "_feedback.rel_error"),
                        (swaps_the_references_code, "lstm_course.nn.rnn.rnn_backward"),
                        (replaces_numpy, "np.allclose")]:
        verdict = checks.check_rnn_backward(cheat)
        monkeypatch.undo()
        assert_rejected(verdict, f"{name} changed while your function ran")


def test_the_cases_cannot_be_changed_from_inside_the_function():
    def zeroes_the_checkers_copies(dh, cache):
        frame = sys._getframe(1)
        for value in frame.f_locals.values():
            for array in (value if isinstance(value, list) else []):
                for item in (array.args if hasattr(array, "args") else ()):
                    if isinstance(item, np.ndarray):
                        item[...] = 0
        return tuple(np.zeros_like(a) for a in ch03.correct(dh, cache))

    assert not checks.check_rnn_backward(zeroes_the_checkers_copies)


def test_importing_a_package_module_inside_the_function_is_not_cheating(monkeypatch):
    import lstm_course
    monkeypatch.delitem(sys.modules, "lstm_course.data.tasks", raising=False)
    monkeypatch.delattr(lstm_course.data, "tasks", raising=False)

    def imports_then_works(dh, cache):
        import lstm_course.data.tasks  # noqa: F401  (runs the module's body, which calls package code)
        return ch03.correct(dh, cache)

    verdict = checks.check_rnn_backward(imports_then_works)
    assert verdict, verdict.message


class ComputedLater:
    """Looks like an array; computes it with the reference only when the checker converts it."""

    def __init__(self, compute):
        self.compute = compute

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.compute(), dtype=dtype)


class PatchesWhenPrinted(Exception):
    def __str__(self):
        from lstm_course.checks import _feedback
        _feedback.rel_error = lambda a, b: 0.0
        return "nothing to see"


class PatchesWhenCollected:
    def __init__(self):
        self.cycle = self

    def __del__(self):
        from lstm_course.checks import _feedback
        _feedback.rel_error = lambda a, b: 0.0


def test_code_hidden_in_the_returned_objects_runs_watched(monkeypatch):
    from lstm_course.checks import _feedback
    monkeypatch.setattr(_feedback, "rel_error", _feedback.rel_error)   # restored after the test

    def lazy_outputs(dh, cache):
        return tuple(ComputedLater(lambda i=i: rnn.rnn_backward(dh, cache)[i]) for i in range(5))

    def raises_a_patching_exception(dh, cache):
        raise PatchesWhenPrinted()

    def leaves_patching_garbage(dh, cache):
        PatchesWhenCollected()
        return wrong_rnn_backward(dh, cache)

    genuine = _feedback.rel_error
    assert_rejected(checks.check_rnn_backward(lazy_outputs), "ran the course's lstm_course.nn.rnn")
    assert_rejected(checks.check_rnn_backward(raises_a_patching_exception), "changed while your function ran")
    _feedback.rel_error = genuine
    assert_rejected(checks.check_rnn_backward(leaves_patching_garbage), "changed while your function ran", "off")
    gc.collect()                     # the garbage's __del__ patches now, before rel_error is restored
    _feedback.rel_error = genuine
