"""Valid calls of the plots, widgets and checkers, for the bad-input catalogue (tests/test_bad_inputs.py).

Plots and widgets are ``drawn`` specs: every bad argument is tried except the
variants matplotlib draws (int, bool and list data, NaN and inf as gaps) and text
arguments. A checker is a :class:`CheckerSpec`: the catalogue gives it broken
student functions and bad ``fn``/``seed`` arguments.
"""
from __future__ import annotations

import io

import numpy as np
from bad_inputs_catalogue import A, CheckerSpec, Spec, _lazy


def positive(*shape, seed=0):
    """Small positive floats, for log axes."""
    return np.abs(A(*shape, seed=seed)) + 0.1


def Drawn(make, **options):
    return Spec(make, drawn=True, float32="a figure: it returns matplotlib objects", **options)


def grid_result():
    lengths = np.array([2, 3])
    scores = positive(2, 3)
    return _lazy("lab.grid_search", "GridSearchResult", lengths, scores, scores.mean(axis=1), scores.std(axis=1),
                 positive(2, 3, seed=1))


def sample_order_panels():
    sequence, chunk = _lazy("data.chunking", "stateful_sample_index", 4, 3, 2)
    return {"stateful": (sequence, chunk, 2, 3)}


def png():
    import matplotlib.pyplot as plt
    figure = plt.figure(figsize=(1, 1))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def _enter(obj, kwargs):
    with obj(**kwargs):
        pass


PLOTS = {
    # Chapter 1 and shared
    "loss_curve": Drawn(lambda: dict(losses=positive(5), label="run", log_scale=True),
                        ok={"losses": {"longer first axis"}}),  # any number of updates
    "decision_boundary": Drawn(lambda: dict(predict=lambda points: (points[:, :1] > 0).astype(float), X=A(6, 2),
                                            y=(A(6) > 0).astype(float), resolution=20),
                               ok={"y": {"ndim+1"}}),  # labels are raveled: (N,) and (N, 1) both work
    # Chapter 2
    "draw_unrolled": Drawn(lambda: dict(T=3, show_folded=True), extra=[("T", "too many to label", 13)]),
    "activation_memory": Drawn(lambda: dict(lengths=np.array([10.0, 20.0]),
                                            bytes_by_label={"RNN": np.array([1e3, 2e3])})),
    "per_step_contributions": Drawn(lambda: dict(contributions=A(3, 2, 2), total=A(2, 2)),
                                    ok={"contributions": {"longer first axis", "longer last axis", "ndim+1",
                                                          "ndim-1"},  # (T, ...): any weight's shape
                                        "total": {"ndim+1", "ndim-1",
                                                                                          "longer first axis",
                                                                                          "longer last axis"}}),
    # Chapter 3
    "cost_vs_length": Drawn(lambda: dict(lengths=np.array([10.0, 20.0, 40.0]), seconds=np.array([0.01, 0.02, 0.04]),
                                         fit=(1e-3, 0.0, 0.99)), ok={"fit": {"negative entry"}}),
    "cost_and_memory": Drawn(lambda: dict(lengths=np.array([10.0, 20.0]), seconds=np.array([0.01, 0.02]),
                                          bytes_by_label={"RNN": np.array([1e3, 2e3])}, fit=(1e-3, 0.0, 0.99)),
                             ok={"fit": {"negative entry"}}),  # a fit's slope or intercept may be negative
    "sine_predictions": Drawn(lambda: dict(x=A(3, 6, 1), y=A(3, 6, 1, seed=1), yhat=A(3, 6, 1, seed=2), n_show=2),
                              ok={"x": {"longer first axis"}, "y": {"longer first axis"},
                                  "yhat": {"longer first axis"}}),  # more sequences than drawn
    "error_injection": Drawn(lambda: dict(flows={"many-to-many": {"injected": positive(4), "total": positive(4)}})),
    # Chapter 4
    "power_curves": Drawn(lambda: dict(bases=[0.9, 1.1], length=10),
                          ok={"length": {"zero"}, "bases": {"negative entry"}}),  # |w|^k
    "norm_vs_lag": Drawn(lambda: dict(norms={"run": positive(3, 5)}, bounds={"run": 0.9}),
                         ok={"norms": {"[run] ndim-1", "[run] longer first axis", "[run] longer last axis",
                                       "missing entry"}}),  # one sequence's norms; any N and K
    "gradient_heatmap": Drawn(lambda: dict(norm_matrix=positive(4, 4), floor=1e-12)),
    "condition_scatter": Drawn(lambda: dict(spectral_radii=positive(5), largest_singular_values=positive(5, seed=1),
                                            final_norms=positive(5, seed=2), lag=5), ok={"lag": {"zero"}}),
    "error_surface": Drawn(lambda: dict(w_values=np.linspace(-1, 1, 4), b_values=np.linspace(-1, 1, 3),
                                        loss=positive(3, 4), paths={"descent": A(5, 2)}),
                           ok={"paths": {"[descent] longer first axis"}}),  # a path of any length
    # Chapter 5
    "lstm_cell_diagram": Drawn(lambda: dict()),
    "gradient_flow_curves": Drawn(lambda: dict(flows={"lstm": {"distance": np.arange(1.0, 5.0), "dh": positive(4),
                                                               "dc": positive(4, seed=1)}})),
    "state_drift": Drawn(lambda: dict(steps=np.arange(5.0), magnitudes={"forget gate": positive(5)})),
    "gate_trace": Drawn(lambda: dict(trace=_lazy("lab.gated_unit", "gated_unit_trace", A(6), 1.0, 2.0, 0.5))),
    "adding_results": Drawn(lambda: dict(rows=[{"cell": "lstm", "length": 10, "success_rate": 0.5},
                                               {"cell": "rnn", "length": 10, "success_rate": 0.1}],
                                         criterion=0.04, chance=0.1),
                            extra=[("rows", "a row without success_rate", [{"cell": "lstm", "length": 10}]),
                                   ("rows", "a rate above 1", [{"cell": "lstm", "length": 10,
                                                                "success_rate": 1.5}])]),
    # Chapter 6
    "tbptt.tbptt_schedule": Drawn(lambda: dict(schedule=_lazy("train.tbptt.schedule", "tbptt_schedule", 6, 2, 3),
                                                     T=6),
                                        extra=[("schedule", "a row that is not (t, w, first)", [(2, 1)]),
                                               ("T", "shorter than the schedule", 3)]),
    "gradient_bias": Drawn(lambda: dict(k2_values=np.array([1.0, 2.0, 4.0]), cosine=np.array([0.5, 0.8, 0.9]),
                                        relative_error=np.array([0.5, 0.3, 0.1]))),
    "learnability": Drawn(lambda: dict(k2_values=np.array([1.0, 2.0, 4.0]), final_losses=positive(3, 2), lag=2,
                                       chance_loss=0.5),
                      ok={"lag": {"zero"}, "chance_loss": {"negative"}, "final_losses": {"longer last axis"}}),
    "truncated_vs_full": Drawn(lambda: dict(g_full=A(6), g_truncated=A(6, seed=1), k2=2,
                                            k2_values=np.array([1.0, 2.0]), cosine=np.array([0.5, 0.8]),
                                            relative_error=np.array([0.5, 0.2])),
                               ok={"g_full": {"ndim+1"}, "g_truncated": {"ndim+1"}},  # flattened
                               extra=[("k2", "not among k2_values", 3)]),
    # Chapter 7
    "sample_orders": Drawn(lambda: dict(panels=sample_order_panels()),
                           extra=[("panels", "batch size not dividing the samples",
                                   {"bad": (np.arange(5), np.arange(5), 2, 1)})]),
    "acf_pacf": Drawn(lambda: dict(acf=np.array([1.0, 0.5, 0.2, 0.1]), pacf=np.array([1.0, 0.5, -0.1, 0.05]),
                                   bound=0.3, window=2, z=1.96), ok={"window": {"zero"}},
                      extra=[("window", "beyond the lags", 4)]),
    "grid_search_boxplot": Drawn(lambda: dict(result=grid_result(), sequence_length=6)),
    "metric_curves": Drawn(lambda: dict(curves={"run": (np.arange(1.0, 4.0), A(3))}),
                           extra=[("curves", "x and values of different lengths", {"run": (np.arange(3.0), A(4))})]),
    # Chapter 8
    "bpc_curves": Drawn(lambda: dict(curves={"run": (np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.5, 2.2]))},
                                     baselines={"unigram": 4.0}),
                        extra=[("curves", "x and values of different lengths", {"run": (np.arange(3.0), A(4))})]),
    "seed_spread": Drawn(lambda: dict(runs={"(25, 25)": np.array([2.3, 2.31, 2.29]), "(50, 50)": np.array([2.4, 2.41])},
                                      baselines={"7-gram": 2.0}),
                         # any number of seeds per configuration, and any number of configurations
                         ok={"runs": {"[(25, 25)] longer first axis", "[(50, 50)] longer first axis",
                                      "missing entry"}}),
    # Chapter 9
    "time_per_step": Drawn(lambda: dict(hidden_sizes=np.array([4, 8, 16]), seconds={"RTRL": positive(3)})),
    "convergence": Drawn(lambda: dict(draws=np.array([1.0, 10.0, 100.0]), errors={"UORO": positive(3)},
                                      predicted={"UORO": positive(3, seed=1)})),
    "variance_vs_hidden": Drawn(lambda: dict(hidden_sizes=np.array([4, 8]), variance=positive(2), slope=1.0),
                                ok={"slope": {"negative"}}),
    "bias_and_variance": Drawn(lambda: dict(points=[("RTRL", 100.0, 0.0, 0.0), ("UORO", 10.0, 0.01, 1.0, 0.005)],
                                            floor=1e-6),
                               extra=[("points", "a point of three values", [("RTRL", 100.0, 0.0)])]),
    "influence_curves": Drawn(lambda: dict(curves={"RTRL": positive(2, 30)}, window=5),
                              ok={"curves": {"[RTRL] ndim-1", "[RTRL] longer first axis", "[RTRL] longer last axis",
                                             "missing entry"}},  # one run, any S and T
                              extra=[("window", "longer than the curves", 31)]),
}

WIDGETS = {
    "gate_explorer": Drawn(lambda: dict(length=12, pattern="pulse", start=2, amplitude=1.0, input_gate=4.0,
                                        forget_gate=6.0, output_gate=2.0, input_gates=(4.0,), forget_gates=(6.0,),
                                        output_gates=(2.0,)),
                           ok={"start": {"zero"}, "amplitude": {"negative"}},
                           extra=[("forget_gate", "not a slider value", 1.0), ("start", "beyond the input", 12)]),
    "gradient_norm_explorer": Drawn(lambda: dict(hidden_size=3, rng=0, n_sequences=2, input_scale=1.0, radii=(1.0,),
                                                 lengths=(5,), radius=1.0, length=5),
                                    extra=[("radius", "not a slider value", 2.0), ("length", "not a slider value", 6)]),
    "tbptt_schedule_explorer": Drawn(lambda: dict(T=6, k1=2, k2=2, k1_values=(2,), k2_values=(2,)),
                                     extra=[("k1", "not a slider value", 3), ("k2_values", "beyond T", (7,))]),
    "gradient_bias_explorer": Drawn(lambda: dict(k2_values=[1, 2], g_full=A(6), g_truncated={1: A(6), 2: A(6)},
                                                 cosine=np.array([0.5, 0.8]), relative_error=np.array([0.5, 0.2]),
                                                 k2=2),
                                    ok={"g_full": {"ndim+1"}, "g_truncated": {"[1] ndim+1", "[2] ndim+1"}},  # flattened
                                    extra=[("k2", "not a slider value", 3),
                                           ("g_truncated", "a k2 missing", {1: A(6)})]),
    "FrameExplorer": Drawn(lambda: dict(title="test", controls=[("k", [1], ["1"], 0)], frames={(1,): png()}),
                           extra=[("controls", "an initial index out of range", [("k", [1], ["1"], 5)]),
                                  ("controls", "a control that is not (label, values, labels, initial)", [("k", [1])]),
                                  ("frames", "a frame that is not PNG bytes", {(1,): "abc"})]),
}

CHECKERS = {
    **{name: CheckerSpec() for name in (
        "check_mlp_backward", "check_rnn_step_backward", "check_per_step_gradients", "check_rnn_backward",
        "check_clip_grad_norm", "check_jacobian_product", "check_lstm_step_backward", "check_autocorrelation",
        "check_softmax_cross_entropy_backward", "check_sample_with_temperature", "check_one_unit_sensitivity_step")},
    # Checkers that lay out the student's result before comparing: a correct student returns the package's form.
    "check_tbptt_schedule": CheckerSpec(answer=lambda T, k1, k2: _lazy("train.tbptt.schedule", "tbptt_schedule",
                                                                       T, k1, k2)),
    "check_tbptt_gradients": CheckerSpec(answer=lambda params, x, y, k1, k2: _lazy(
        "train.tbptt.engine", "tbptt_gradients", params, x, y, k1, k2, cell="rnn")),
    "check_stateful_sample_index": CheckerSpec(answer=lambda N, C, B: _lazy("data.chunking", "stateful_sample_index",
                                                                            N, C, B)),
}


def _case(label="one", args=None):
    return _lazy("checks._harness", "Case", label, args if args is not None else (np.ones(2),))


def _double(x):
    return 2 * x


TEACHER = {
    # run_check: a teacher's own checker (see teaching/exercise_template.ipynb)
    "run_check": Spec(lambda: dict(exercise="double", fn=_double, reference=_double,
                                   make_cases=lambda seed: [_case()], seed=0, outputs=("y",)),
                      ok={"exercise": {"unknown name"}, "seed": {"zero"}},
                      float32="returns a Verdict",
                      extra=[("outputs", "empty", ()), ("outputs", "not names", (3,)),
                             ("make_cases", "returns no cases", lambda seed: []),
                             ("make_cases", "returns something else than Cases", lambda seed: [(np.ones(2),)]),
                             ("mistakes", "not Mistakes", ("abc",)), ("allowed", "not functions", ("abc",)),
                             ("mutable", "not argument names", (3,)), ("answers", "not functions", ("abc",)),
                             ("convert", "not callable", "abc"), ("describe", "not callable", 3)]),
    "answers_blocked": Spec(lambda: dict(functions=[_double], exercise="double"), call=_enter,
                            ok={"exercise": {"unknown name"}}, float32="a context manager",
                            extra=[("functions", "not functions", ["abc"])]),
    "check": Spec(lambda: dict(name="rnn_step_backward", fn=lambda *args: None), float32="returns a Verdict"),
    "verify_environment": Spec(lambda: dict()),
    "call_without_package": Spec(lambda: dict(function=lambda: 1.0)),
}

VALID = {**PLOTS, **WIDGETS, **CHECKERS, **TEACHER}

EXEMPT = {
    **{name: "a record (NamedTuple) a teacher builds for run_check, which checks every one it is given"
       for name in ("Case", "Mistake")},
    "Verdict": "a record (NamedTuple): what every checker returns",
    "AnswerUnavailable": "an exception class, raised by answers_blocked",
    "EnvironmentTampered": "an exception class, raised by verify_environment",
}
