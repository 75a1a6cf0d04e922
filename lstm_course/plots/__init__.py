"""Every figure in the book, drawn with matplotlib.

Each function takes an optional ``ax`` (or creates its own figure) and returns
the matplotlib object it drew on, so notebooks stay one line per figure.
Figures are grouped by chapter in submodules and re-exported here.
"""
from lstm_course.plots.bptt import cost_and_memory, cost_vs_length, error_injection, sine_predictions
from lstm_course.plots.charlm import bpc_curves, seed_spread
from lstm_course.plots.gates import adding_results, gate_trace, gradient_flow_curves, lstm_cell_diagram, state_drift
from lstm_course.plots.gradients import condition_scatter, error_surface, gradient_heatmap, norm_vs_lag, power_curves
from lstm_course.plots.online import bias_and_variance, convergence, influence_curves, time_per_step, variance_vs_hidden
from lstm_course.plots.sequences import acf_pacf, grid_search_boxplot, metric_curves, sample_orders
from lstm_course.plots.tbptt import gradient_bias, learnability, tbptt_schedule, truncated_vs_full
from lstm_course.plots.training import decision_boundary, loss_curve
from lstm_course.plots.unrolling import activation_memory, draw_unrolled, per_step_contributions

__all__ = ["decision_boundary", "loss_curve",
           "condition_scatter", "error_surface", "gradient_heatmap", "norm_vs_lag", "power_curves",
           "activation_memory", "draw_unrolled", "per_step_contributions",
           "cost_and_memory", "cost_vs_length", "error_injection", "sine_predictions",
           "gradient_bias", "learnability", "tbptt_schedule", "truncated_vs_full",
           "adding_results", "gate_trace", "gradient_flow_curves", "lstm_cell_diagram", "state_drift",
           "acf_pacf", "grid_search_boxplot", "metric_curves", "sample_orders",
           "bpc_curves", "seed_spread",
           "bias_and_variance", "convergence", "influence_curves", "time_per_step", "variance_vs_hidden"]
