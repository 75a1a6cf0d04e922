"""The explorers: precomputed frames, HTML that needs no kernel, and the figures they switch between."""
import base64
import json
import re

import matplotlib
import numpy as np
import pytest

from lstm_course import widgets
from lstm_course.lab.gated_unit import retention
from lstm_course.widgets._frames import FrameExplorer, _png_size

matplotlib.use("Agg")


def payload(explorer):
    html = explorer._repr_html_()
    data = json.loads(re.search(r'<script type="application/json" class="lstm-explorer-data">(.*?)</script>',
                                html, re.S).group(1).replace("<\\/", "</"))
    return html, data


def test_gradient_norm_explorer_has_a_frame_per_radius_and_length_all_the_same_size():
    explorer = widgets.gradient_norm_explorer(hidden_size=4, n_sequences=2, radii=(0.5, 1.0, 2.0), lengths=(10, 30),
                                              radius=1.0, length=30)
    html, data = payload(explorer)
    assert len(explorer) == len(data["frames"]) == 6
    assert data["labels"] == [["0.50", "1.00", "2.00"], ["10", "30"]]
    assert len({_png_size(png) for png in explorer.frames.values()}) == 1      # no page jump
    assert len(set(explorer.frames.values())) == 6                            # every setting looks different
    assert 'aria-label="spectral radius ρ"' in html and html.count('type="range"') == 2
    # The image shown first is the starting setting, (1.0, 30): index 1 * 2 + 1 in row-major order.
    assert f'src="data:image/png;base64,{data["frames"][3]}"' in html


def test_schedule_explorer_frames_share_one_height_across_k1():
    explorer = widgets.tbptt_schedule_explorer(T=8, k1=2, k2=2, k1_values=(1, 2, 4), k2_values=(2, 4))
    sizes = {_png_size(png) for png in explorer.frames.values()}
    assert len(sizes) == 1 and len(explorer) == 6


def test_gate_explorer_starts_at_the_chapter_setting_and_reports_the_retention():
    explorer = widgets.gate_explorer()
    assert explorer.values == (4.0, 6.0, 2.0)
    readout = explorer.readouts[explorer.values]
    assert f"f<sup>34</sup> = {retention(6.0, 34):.3g}" in readout
    assert abs(retention(6.0, 34) - (1 / (1 + np.exp(-6.0))) ** 34) < 1e-15


def test_gradient_bias_explorer_draws_one_frame_per_k2_with_its_readout():
    rng = np.random.default_rng(0)
    g = rng.normal(size=50)
    truncated = {1: 0.5 * g, 4: 0.9 * g, 16: g}
    explorer = widgets.gradient_bias_explorer([1, 4, 16], g, truncated, [0.9, 0.99, 1.0], [0.5, 0.1, 0.0])
    assert len(explorer) == 3 and explorer.values == (1,)
    assert "relative error 1.00e-01" in explorer.readouts[(4,)]


def test_frame_explorer_rejects_missing_frames_and_escapes_the_script_payload():
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==")
    with pytest.raises(ValueError, match="missing"):
        FrameExplorer("t", [("a", [1, 2], ["1", "2"], 0)], {(1,): png})
    explorer = FrameExplorer("t", [("a", [1], ["1"], 0)], {(1,): png}, {(1,): "<b>x</b></script>"})
    html, data = payload(explorer)
    script = html.split('class="lstm-explorer-data">')[1].split("</script>")[0]
    assert "</" not in script and data["readouts"] == ["<b>x</b></script>"]   # cannot close the script early
