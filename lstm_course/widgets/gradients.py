"""Widget for Chapter 4: how the recurrent weight scale and T move the gradient-norm curve."""
import matplotlib.pyplot as plt
import numpy as np

from lstm_course import plots
from lstm_course._validation import check_positive_int, check_scalar, check_sequence
from lstm_course.lab.vanishing import gradient_norm_vs_lag, random_recurrent_matrix, singular_values
from lstm_course.widgets._frames import explorer, slider_start

RADII = (0.5, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0)
LENGTHS = (20, 60, 120)


def gradient_norm_explorer(hidden_size=16, rng=0, n_sequences=8, input_scale=1.0, radii=RADII,
                           lengths=LENGTHS, radius=1.0, length=60):
    """Sliders for the spectral radius of Wh and the length T over ||dh_T/dh_{T-k}|| against k.

    One Gaussian recurrent matrix is drawn once and rescaled to each spectral
    radius, so the slider changes only the scale, not the matrix; the dashed
    line is the bound lambda_1**k. Every figure is drawn when the explorer is
    created, so it also works in the static HTML book.

    Parameters
    ----------
    hidden_size : int
        H.
    rng : int
        Seed for the matrix and the input sequences.
    n_sequences : int
        Random input sequences per curve.
    input_scale : float
        Standard deviation of the inputs.
    radii, lengths : sequence of float, sequence of int
        The slider positions.
    radius, length : float, int
        Starting values (must be among ``radii`` and ``lengths``).

    Returns
    -------
    FrameExplorer
        Display it (it is the last expression of a cell) to use it.
    """
    hidden_size = check_positive_int("hidden_size", hidden_size)
    radii = check_sequence("radii", radii, lambda name, r: check_scalar(name, r, low=0.0, low_open=True))
    lengths = check_sequence("lengths", lengths, check_positive_int)
    starts = (slider_start("radius", radius, "radii", radii), slider_start("length", length, "lengths", lengths))
    n_sequences = check_positive_int("n_sequences", n_sequences)
    input_scale = check_scalar("input_scale", input_scale, low=0.0, low_open=True)
    unit_matrix = random_recurrent_matrix(hidden_size, rng, spectral_radius=1.0)
    largest = {r: singular_values(r * unit_matrix)[0] for r in radii}
    norms = {}

    def draw(r, T):
        norms[r, T] = gradient_norm_vs_lag(r * unit_matrix, T, rng, n_sequences=n_sequences,
                                           input_scale=input_scale)
        label = rf"$\rho$ = {r:.2f}, $\lambda_1$ = {largest[r]:.2f}"
        fig, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
        plots.norm_vs_lag({label: norms[r, T]}, ax=ax, bounds={label: largest[r]})
        ax.set_ylim(1e-12, 1e6)
        ax.set_xlim(0, max(lengths))
        return fig

    def readout(r, T):
        return (f"&lambda;<sub>1</sub> = {largest[r]:.2f}; median norm at lag k = T = {T}: "
                f"{np.median(norms[r, T][:, -1]):.2e}")

    return explorer("Gradient norm against lag",
                    [("spectral radius ρ", radii, [f"{r:.2f}" for r in radii], starts[0]),
                     ("T", lengths, [str(T) for T in lengths], starts[1])],
                    draw, readout)
