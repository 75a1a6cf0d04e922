"""Figures for Chapter 5: the LSTM cell, gradient flow, state drift, gate traces, adding problem."""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from lstm_course._validation import check_scalar
from lstm_course.plots._common import _axes, _axes_row, _labelled, _values

CARRY_COLOR = "tab:red"
GATE_COLORS = {"i": "tab:green", "f": "tab:orange", "g": "tab:purple", "o": "tab:blue"}


def _arrow(ax, start, end, color="0.25", width=1.4, style="-|>"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, color=color,
                                 linewidth=width, shrinkA=0, shrinkB=0))


def _operator(ax, center, symbol, color="0.25"):
    ax.add_patch(Circle(center, 0.28, facecolor="white", edgecolor=color, linewidth=1.5, zorder=3))
    ax.text(*center, symbol, ha="center", va="center", fontsize=13, zorder=4)


def _layer(ax, center, text, color):
    x, y = center
    ax.add_patch(FancyBboxPatch((x - 0.42, y - 0.3), 0.84, 0.6, boxstyle="round,pad=0.04",
                                facecolor=color, alpha=0.25, edgecolor=color, linewidth=1.5, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=11, zorder=4)


def lstm_cell_diagram(ax=None):
    """Draw one step of the modern LSTM cell (gates i, f, g, o) with the carousel path in red.

    The top line carries c_{t-1} to c_t through one multiplication by f_t and
    one addition of i_t * g_t; this is the path on which error flows back as
    dc_{t-1} = dc_t * f_t.

    Returns
    -------
    matplotlib Axes
    """
    ax = _axes(ax, figsize=(7.5, 4.2))
    ax.set(xlim=(-0.6, 10.2), ylim=(-0.9, 5.0), aspect="equal")
    ax.axis("off")
    ax.add_patch(FancyBboxPatch((0.6, 0.2), 8.2, 4.1, boxstyle="round,pad=0.1", facecolor="0.97",
                                edgecolor="0.6", zorder=0))
    top, bottom = 3.7, 0.9
    gates = {"f": 2.0, "i": 3.4, "g": 4.6, "o": 6.2}
    # The carousel: c_{t-1} -> x f -> + i*g -> c_t.
    _arrow(ax, (-0.4, top), (1.72, top), CARRY_COLOR, 2.6)
    _arrow(ax, (2.28, top), (3.72, top), CARRY_COLOR, 2.6)
    _arrow(ax, (4.28, top), (9.9, top), CARRY_COLOR, 2.6)
    _operator(ax, (2.0, top), "×", CARRY_COLOR)
    _operator(ax, (4.0, top), "+", CARRY_COLOR)
    ax.text(-0.4, top + 0.25, "$c_{t-1}$", fontsize=12)
    ax.text(9.5, top + 0.25, "$c_t$", fontsize=12)
    # Inputs h_{t-1} and x_t feed every gate.
    _arrow(ax, (-0.4, bottom - 0.5), (7.0, bottom - 0.5), "0.4", 1.2, "-")
    ax.text(-0.4, bottom - 0.85, "$[h_{t-1}, x_t]$", fontsize=11)
    for x in gates.values():
        _arrow(ax, (x, bottom - 0.5), (x, bottom - 0.3), "0.4", 1.2)
    for name, x in gates.items():
        symbol = "tanh" if name == "g" else r"$\sigma$"
        _layer(ax, (x, bottom), symbol, GATE_COLORS[name])
        ax.text(x + 0.48, bottom + 0.28, f"${name}_t$", fontsize=11, color=GATE_COLORS[name])
    _arrow(ax, (gates["f"], bottom + 0.3), (gates["f"], top - 0.28), GATE_COLORS["f"])
    _operator(ax, (4.0, 2.3), "×")
    _arrow(ax, (gates["i"], bottom + 0.3), (3.75, 2.15), GATE_COLORS["i"])
    _arrow(ax, (gates["g"], bottom + 0.3), (4.2, 2.1), GATE_COLORS["g"])
    _arrow(ax, (4.0, 2.58), (4.0, top - 0.28))
    # Output: h_t = o_t * tanh(c_t).
    _layer(ax, (7.6, 2.9), "tanh", "0.5")
    _arrow(ax, (7.6, top), (7.6, 3.2))
    _operator(ax, (7.6, 1.7), "×")
    _arrow(ax, (7.6, 2.6), (7.6, 1.98))
    _arrow(ax, (gates["o"], bottom + 0.3), (7.33, 1.62), GATE_COLORS["o"])
    _arrow(ax, (7.88, 1.7), (9.9, 1.7))
    ax.text(9.5, 1.9, "$h_t$", fontsize=12)
    ax.text(4.6, top + 0.35, r"carousel: $c_t = f_t\, c_{t-1} + i_t\, g_t$", color=CARRY_COLOR, fontsize=11)
    ax.set_title("The LSTM cell (gate order i, f, g, o)")
    return ax


def gradient_flow_curves(flows, axes=None, title="Error flowing back from the last step"):
    """Plot the norms of dL/dc_s and dL/dh_s against the distance T - s on log scales.

    Parameters
    ----------
    flows : dict[str, dict]
        Label -> result of :func:`lstm_course.lab.gradient_flow.gradient_flow`. Entries
        without ``dc`` (the tanh RNN has no cell) appear in the h panel only.
    axes : pair of matplotlib Axes, optional

    Returns
    -------
    ndarray of two Axes
    """
    flows = _labelled("flows", flows, _flow, "gradient_flow results")
    axes = _axes_row(axes, 2, (10, 3.8), sharey=True)
    for label, flow in flows.items():
        line, = axes[1].semilogy(flow["distance"], flow["dh"], label=label)
        if "dc" in flow:
            axes[0].semilogy(flow["distance"], flow["dc"], label=label, color=line.get_color())
    axes[0].set(xlabel="distance t - s", ylabel="norm", title=r"$\|\partial L / \partial c_s\|$ (cell state)")
    axes[1].set(xlabel="distance t - s", title=r"$\|\partial L / \partial h_s\|$ (hidden state)")
    for ax in axes:
        ax.grid(True, which="major", alpha=0.3)
    axes[1].legend(fontsize=9)
    axes[0].figure.suptitle(title)
    return np.asarray(axes)


def _flow(name, flow):
    if not isinstance(flow, dict) or not {"distance", "dh"} <= set(flow):
        raise ValueError(f"{name} must be a dict with distance, dh and optionally dc (as gradient_flow returns), "
                         f"got {flow!r}")
    distance = _values(f"{name}['distance']", flow["distance"])
    checked = {"distance": distance}
    for key in ("dh", "dc"):
        if key in flow:
            checked[key] = _values(f"{name}[{key!r}]", flow[key], length=len(distance), of=f"{name}['distance']")
    return checked


def state_drift(steps, magnitudes, ax=None, title="Cell state without and with a forget gate"):
    """Plot the mean absolute state over time for several cells (log y axis).

    Parameters
    ----------
    steps : ndarray (T,)
    magnitudes : dict[str, ndarray (T,)]

    Returns
    -------
    matplotlib Axes
    """
    steps = _values("steps", steps)
    magnitudes = _labelled("magnitudes", magnitudes,
                           lambda name, values: _values(name, values, length=len(steps), of="steps"))
    ax = _axes(ax)
    for label, values in magnitudes.items():
        ax.semilogy(steps, values, label=label)
    ax.set(xlabel="time step t", ylabel="mean |state|", title=title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


def gate_trace(trace, axes=None):
    """Plot the inputs, gate values, cell state and output of a one-unit LSTM over time.

    Parameters
    ----------
    trace : dict
        ``inputs, i, f, o, c, h``, each ``(T,)``, as returned by
        ``lstm_course.lab.gated_unit.gated_unit_trace``.
    axes : pair of matplotlib Axes, optional

    Returns
    -------
    ndarray of two Axes
    """
    if not isinstance(trace, dict) or not set(_TRACE) <= set(trace):
        missing = sorted(set(_TRACE) - set(trace)) if isinstance(trace, dict) else list(_TRACE)
        raise ValueError(f"trace must be the dict gated_unit_trace returns, with {', '.join(_TRACE)}; "
                         f"missing {', '.join(missing)}")
    c = _values("trace['c']", trace["c"])
    trace = {key: _values(f"trace[{key!r}]", trace[key], length=len(c), of="trace['c']") for key in _TRACE}
    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(8, 4.6), layout="constrained", sharex=True)
    axes = _axes_row(axes, 2, None)
    steps = np.arange(1, len(c) + 1)
    axes[0].step(steps, trace["inputs"], where="mid", color="0.3", label="input $x_t$")
    for name in ("i", "f", "o"):
        axes[0].plot(steps, trace[name], color=GATE_COLORS[name], label=f"gate ${name}_t$")
    axes[0].set(ylabel="value", ylim=(-1.15, 1.15), title="inputs and gates")
    axes[0].legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes[1].plot(steps, trace["c"], color=CARRY_COLOR, label="cell $c_t$")
    axes[1].plot(steps, trace["h"], color="tab:blue", label="output $h_t$")
    axes[1].axhline(0.0, color="0.7", linewidth=0.8)
    axes[1].set(xlabel="time step t", ylabel="value", title="state")
    axes[1].legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return np.asarray(axes)


_TRACE = ("inputs", "i", "f", "o", "c", "h")


def adding_results(rows, ax=None, criterion=0.04, chance=None, title="Adding problem: held-out success rate"):
    """Success rate against minimum sequence length T, one line per cell, seeds as dots.

    Parameters
    ----------
    rows : list of dict
        Each with ``cell``, ``length`` and ``success_rate`` (e.g. from
        :func:`lstm_course.lab.adding.run_grid` or the experiment's CSV).
    chance : float, optional
        Success rate of a model without memory, drawn as a dashed line.

    Returns
    -------
    matplotlib Axes
    """
    rows = _rows(rows)
    criterion = check_scalar("criterion", criterion, low=0.0, low_open=True)
    chance = check_scalar("chance", chance, low=0.0, high=1.0, allow_none=True)
    ax = _axes(ax)
    for cell in sorted({row["cell"] for row in rows}):
        mine = [row for row in rows if row["cell"] == cell]
        lengths = sorted({int(row["length"]) for row in mine})
        means = [np.mean([float(row["success_rate"]) for row in mine if int(row["length"]) == T]) for T in lengths]
        line, = ax.plot(lengths, means, marker="o", label=f"{cell} (mean over seeds)")
        ax.scatter([int(row["length"]) for row in mine], [float(row["success_rate"]) for row in mine],
                   color=line.get_color(), alpha=0.35, s=18)
    if chance is not None:
        ax.axhline(chance, color="0.5", linestyle="--", label="always answering 0.5")
    ax.set(xlabel="minimum sequence length T", ylabel=f"fraction with |error| < {criterion}",
           ylim=(-0.03, 1.03), title=title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


def _rows(rows):
    """Rows with ``cell`` (a name), ``length`` (an integer, possibly a CSV string) and ``success_rate`` in [0, 1]."""
    if not isinstance(rows, (list, tuple)) or not rows:
        raise ValueError(f"rows must be a non-empty list of dicts with cell, length and success_rate, got {rows!r}")
    checked = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not {"cell", "length", "success_rate"} <= set(row):
            raise ValueError(f"rows[{index}] must be a dict with cell, length and success_rate, got {row!r}")
        try:
            length, rate = int(row["length"]), float(row["success_rate"])
        except (TypeError, ValueError) as exc:
            raise ValueError(f"rows[{index}] must hold an integer length and a number success_rate, "
                             f"got {row!r}") from exc
        check_scalar(f"rows[{index}]['success_rate']", rate, low=0.0, high=1.0)
        if not isinstance(row["cell"], str):
            raise ValueError(f"rows[{index}]['cell'] must be a cell name such as 'lstm', got {row['cell']!r}")
        checked.append({"cell": row["cell"], "length": length, "success_rate": rate})
    return checked
