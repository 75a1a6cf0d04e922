"""Widget for Chapter 4: how the recurrent weight scale and T move the gradient-norm curve."""
import matplotlib.pyplot as plt

from .. import plots
from ..gradients import gradient_norm_vs_lag, random_recurrent_matrix, singular_values
from ._require import require_ipywidgets


def gradient_norm_explorer(hidden_size=16, rng=0, n_sequences=8, input_scale=1.0):
    """Sliders for the spectral radius of Wh and the length T, redrawing ||dh_T/dh_{T-k}|| against k.

    One Gaussian recurrent matrix is drawn once and rescaled to the slider's
    spectral radius, so moving the slider changes only the scale, not the
    matrix; the dashed line is the bound lambda_1**k.

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

    Returns
    -------
    ipywidgets.interactive
        Display it (it is the last expression of a cell) to use it.
    """
    widgets = require_ipywidgets()
    unit_matrix = random_recurrent_matrix(hidden_size, rng, spectral_radius=1.0)

    def draw(radius=1.0, length=60):
        Wh = radius * unit_matrix
        norms = gradient_norm_vs_lag(Wh, length, rng, n_sequences=n_sequences, input_scale=input_scale)
        label = rf"$\rho$ = {radius:.2f}, $\lambda_1$ = {singular_values(Wh)[0]:.2f}"
        ax = plots.norm_vs_lag({label: norms}, bounds={label: singular_values(Wh)[0]})
        ax.set_ylim(1e-12, 1e6)
        plt.show()

    return widgets.interactive(
        draw,
        radius=widgets.FloatSlider(value=1.0, min=0.2, max=3.0, step=0.05, description="spectral radius"),
        length=widgets.IntSlider(value=60, min=5, max=200, step=5, description="T"),
    )
