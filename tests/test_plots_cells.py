"""Tests for lstm_course.plots.gates: the Chapter 5 figures draw what they are given."""
import matplotlib.pyplot as plt
import numpy as np

from lstm_course import plots
from lstm_course.lab import gradient_flow


def test_chapter_figures_draw():
    diagram = plots.lstm_cell_diagram()
    labels = {text.get_text() for text in diagram.texts}
    assert not diagram.axison and labels, labels                 # a drawing, not a chart, with labels
    flows = {"rnn": gradient_flow.gradient_flow("rnn", np.ones((1, 5, 2)), hidden_size=3, rng=0),
             "lstm": gradient_flow.gradient_flow("lstm", np.ones((1, 5, 2)), hidden_size=3, rng=0)}
    assert len(plots.gradient_flow_curves(flows)) == 2
    rows = [{"cell": "rnn", "length": 10, "success_rate": 0.2}, {"cell": "lstm", "length": 10, "success_rate": 1.0}]
    assert plots.adding_results(rows, chance=0.16).get_ylabel().startswith("fraction")
    plt.close("all")
