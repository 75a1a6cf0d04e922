"""Figures for Chapter 6: TBPTT(k1, k2) schedules, gradient bias and learnability."""
import matplotlib.pyplot as plt
import numpy as np

from lstm_course._validation import as_float_array, check_int, check_positive_int, check_scalar
from lstm_course.plots._common import _axes, _values


def tbptt_schedule(schedule, T, ax=None, title=None):
    """Draw which losses each update injects and how far each is backpropagated.

    One row per update (first update at the top). Within a row every injected
    loss l_tau is a dot at step tau with a bar reaching back to the window start
    w: the bar's length is the number of steps that loss is backpropagated. A
    vertical tick at w - 1/2 marks the state held constant. Losses that no
    update injects (k1 > k2) are grey crosses.

    Parameters
    ----------
    schedule : list of (t, w, first)
        The updates, as returned by :func:`lstm_course.train.tbptt.schedule.tbptt_schedule`.
    T : int
        Number of steps.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    T = check_positive_int("T", T)
    schedule = _schedule(schedule, T)
    ax = _axes(ax, (6.5, 0.45 * len(schedule) + 1.4))
    previous_update = 0
    dropped_any = False
    for row, (t, w, first) in enumerate(schedule):
        y = -row
        dropped = list(range(previous_update + 1, first))
        dropped_any = dropped_any or bool(dropped)
        ax.plot(dropped, [y] * len(dropped), "x", color="0.55", markersize=6)
        n_injected = t - first + 1
        offsets = np.linspace(-0.3, 0.3, n_injected) if n_injected > 1 else [0.0]
        for tau, offset in zip(range(first, t + 1), offsets):
            ax.plot([w - 0.4, tau], [y + offset] * 2, color="tab:blue", linewidth=2.2, solid_capstyle="butt")
            ax.plot(tau, y + offset, "o", color="tab:red", markersize=4)
        ax.plot([w - 0.5] * 2, [y - 0.42, y + 0.42], color="black", linewidth=1.5)
        ax.text(T + 0.8, y, f"t={t}: {n_injected} loss{'es' if n_injected > 1 else ''}, "
                            f"{t - w + 1} step{'s' if t - w + 1 > 1 else ''} back", va="center", fontsize=8)
        previous_update = t
    _schedule_legend(ax, dropped_any)
    ax.set_xlim(0.3, T + 0.7)
    ax.set_ylim(-len(schedule) + 0.4, 0.8)
    ax.set_yticks([-row for row in range(len(schedule))], [f"update {row + 1}" for row in range(len(schedule))])
    ax.set_xticks(range(1, T + 1) if T <= 30 else np.linspace(1, T, 10, dtype=int))
    ax.set_xlabel("step")
    ax.set_title(title or f"{len(schedule)} updates on T={T} steps", fontsize=10)
    ax.grid(axis="x", alpha=0.25)
    return ax


def _schedule(schedule, T):
    """The updates (t, w, first) as tbptt_schedule returns them: 1 <= w <= first <= t <= T, t increasing."""
    if not isinstance(schedule, (list, tuple)) or not schedule:
        raise ValueError(f"schedule must be a non-empty list of (t, w, first) updates, got {schedule!r}")
    checked, previous = [], 0
    for index, update in enumerate(schedule):
        if not isinstance(update, (tuple, list)) or len(update) != 3:
            raise ValueError(f"schedule[{index}] must be a tuple (t, w, first), got {update!r}")
        t, w, first = (check_int(f"schedule[{index}]", value, minimum=1) for value in update)
        if not (w <= first <= t <= T and t > previous):
            raise ValueError(f"schedule[{index}] = {tuple(update)} must satisfy w <= first <= t <= T = {T}, with t "
                             f"after the previous update's {previous}")
        checked.append((t, w, first))
        previous = t
    return checked


def _schedule_legend(ax, dropped_any):
    handles = [plt.Line2D([], [], color="tab:blue", linewidth=2.2, marker="o", markerfacecolor="tab:red",
                          markeredgecolor="tab:red", markersize=4, label="injected loss, bar = steps backpropagated"),
               plt.Line2D([], [], color="black", linewidth=1.5, label="state entering window held constant")]
    if dropped_any:
        handles.append(plt.Line2D([], [], color="0.55", marker="x", linestyle="none", label="loss never injected"))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.08), ncol=2, fontsize=7,
              frameon=False)


def gradient_bias(k2_values, cosine, relative_error, ax=None):
    """Cosine similarity and relative error of truncated vs full BPTT gradients against k2.

    Parameters
    ----------
    k2_values : array_like (K,)
    cosine, relative_error : array_like (K,)
    ax : matplotlib Axes, optional (the relative error gets a twin axis)

    Returns
    -------
    matplotlib Axes (the cosine axis)
    """
    k2_values = _values("k2_values", k2_values)
    cosine, relative_error = (_values(name, value, length=len(k2_values), of="k2_values")
                              for name, value in (("cosine", cosine), ("relative_error", relative_error)))
    ax = _axes(ax, (6, 3.4))
    ax.plot(k2_values, cosine, "o-", color="tab:blue", label="cosine similarity")
    ax.set(xscale="log", xlabel="k2 (steps of backpropagation per loss)", ylabel="cosine similarity",
           title="Truncated vs full BPTT gradient")
    ax.tick_params(axis="y", colors="tab:blue")
    twin = ax.twinx()
    twin.plot(k2_values, relative_error, "s--", color="tab:orange", label="relative error")
    twin.set_ylabel("relative error ||g_k2 - g|| / ||g||")
    twin.tick_params(axis="y", colors="tab:orange")
    lines = ax.get_lines() + twin.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="center right")
    return ax


def learnability(k2_values, final_losses, lag, chance_loss, ax=None):
    """Final loss per seed against k2 on a task whose dependency spans ``lag`` steps.

    Parameters
    ----------
    k2_values : array_like (K,)
    final_losses : array_like (K, S)
        Final loss per target for each k2 (rows) and seed (columns).
    lag : int
        The dependency length L; k2 must exceed it.
    chance_loss : float
        Loss of the best predictor that ignores the past.

    Returns
    -------
    matplotlib Axes
    """
    k2_values = _values("k2_values", k2_values)
    final_losses = _values("final_losses", final_losses, ndim=2, length=len(k2_values), of="k2_values")
    lag = check_int("lag", lag, minimum=0)
    chance_loss = check_scalar("chance_loss", chance_loss)
    ax = _axes(ax, (6, 3.4))
    for seed in range(final_losses.shape[1]):
        ax.plot(k2_values, final_losses[:, seed], "o", color="tab:blue", alpha=0.6,
                label="one seed" if seed == 0 else None)
    ax.plot(k2_values, final_losses.mean(axis=1), "-", color="tab:blue", label="mean over seeds")
    ax.axhline(chance_loss, color="tab:red", linestyle=":", label="ignore the past")
    ax.axvline(lag + 0.5, color="0.4", linestyle="--", label=f"k2 = L + 1/2 (L = {lag})")
    ax.set(xlabel="k2", ylabel="final loss per target", title="Learnability vs truncation",
           xticks=list(k2_values))
    ax.legend(fontsize=8)
    return ax



def truncated_vs_full(g_full, g_truncated, k2, k2_values=None, cosine=None, relative_error=None):
    """Each component of a truncated gradient against the full one, beside the bias curve.

    Left: one dot per parameter, full-BPTT gradient on x, truncated gradient
    g_k2 on y; an unbiased estimate would put every dot on the diagonal.
    Right (when ``k2_values`` is given): :func:`gradient_bias` with the
    current ``k2`` circled.

    Parameters
    ----------
    g_full, g_truncated : array_like (P,)
        Flattened gradients.
    k2 : int
    k2_values, cosine, relative_error : array_like (K,), optional

    Returns
    -------
    matplotlib Figure
    """
    g_full = np.ravel(as_float_array("g_full", g_full))
    g_truncated = np.ravel(as_float_array("g_truncated", g_truncated))
    if g_truncated.shape != g_full.shape:
        raise ValueError(f"g_truncated must have as many entries as g_full ({g_full.size}), got {g_truncated.size}")
    k2 = check_positive_int("k2", k2)
    if k2_values is not None:
        k2_values = _values("k2_values", k2_values)
        cosine, relative_error = (_values(name, value, length=len(k2_values), of="k2_values")
                                  for name, value in (("cosine", cosine), ("relative_error", relative_error)))
        if k2 not in k2_values:
            raise ValueError(f"k2 must be one of k2_values {k2_values.tolist()} to be circled, got {k2}")
    panels = 2 if k2_values is not None else 1
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 3.6), layout="constrained", squeeze=False)
    ax = axes[0, 0]
    limit = 1.05 * np.abs(g_full).max()
    ax.plot([-limit, limit], [-limit, limit], color="0.6", linewidth=1, label="unbiased: $g_{k_2} = g$")
    ax.plot(g_full, g_truncated, ".", color="tab:blue", markersize=3, alpha=0.6, label="one parameter")
    ax.set(xlim=(-limit, limit), ylim=(-limit, limit), xlabel="full BPTT gradient $g$",
           ylabel=f"truncated gradient ($k_2$ = {k2})", title=f"Components of $g_{{k_2}}$ vs $g$, $k_2$ = {k2}")
    ax.legend(fontsize=8, loc="upper left")
    if k2_values is not None:
        bias_ax = gradient_bias(k2_values, cosine, relative_error, ax=axes[0, 1])
        index = list(k2_values).index(k2)
        bias_ax.plot([k2], [cosine[index]], "o", markersize=14, markerfacecolor="none", markeredgecolor="red",
                     markeredgewidth=2)
    return fig
