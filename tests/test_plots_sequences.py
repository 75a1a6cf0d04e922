"""Tests for lstm_course.plots.sequences: the Chapter 7 figures draw the data they are given."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from lstm_course import plots  # noqa: E402


def test_acf_pacf_draws_the_given_values_without_lag_zero_and_marks_the_window():
    acf = np.array([1.0, 0.5, 0.25, 0.125])
    pacf = np.array([1.0, 0.5, 0.0, -0.3])
    axes = plots.acf_pacf(acf, pacf, bound=0.2, window=3)
    for ax, values in zip(axes, (acf, pacf)):
        markers = ax.containers[0].markerline
        np.testing.assert_array_equal(markers.get_xdata(), [1, 2, 3])
        np.testing.assert_array_equal(markers.get_ydata(), values[1:])
        assert len(ax.patches) == 1                                 # the white-noise band
    circle = axes[1].get_lines()[-1]
    assert circle.get_xdata()[0] == 3 and circle.get_ydata()[0] == -0.3
    assert "suggested window = 3" in [text.get_text() for text in axes[1].get_legend().get_texts()]
    plt.close("all")


def test_acf_pacf_without_a_window_marks_nothing():
    axes = plots.acf_pacf([1.0, 0.1], [1.0, 0.1], bound=0.5)
    labels = [text.get_text() for text in axes[1].get_legend().get_texts()]
    assert not any("suggested" in label for label in labels)
    plt.close("all")
