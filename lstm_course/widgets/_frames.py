"""Explorers made of precomputed figures, switched in the browser by sliders.

An explorer draws one matplotlib figure for every combination of its control
values when it is created, stores them as PNGs, and displays as a small piece
of HTML: one ``<input type="range">`` per control and an ``<img>`` whose
picture a few lines of JavaScript swap when a slider moves. Nothing needs a
Python kernel after that, so the same output works in JupyterLab (where the
cell has been run) and in the static HTML book (where the cell ran at build
time). Every frame has the same pixel size, so the page never jumps.
"""
import base64
import hashlib
import html
import io
import itertools
import json
import numbers

import matplotlib.pyplot as plt

from lstm_course._validation import check_sequence

#: Resolution of the frames: small enough to keep a page light, sharp enough to read.
FRAME_DPI = 80

_SCRIPT = """(function () {
  var root = document.getElementById(%(id)s);
  if (!root || root.dataset.ready) { return; }
  root.dataset.ready = "1";
  var data = JSON.parse(root.querySelector("script.lstm-explorer-data").textContent);
  var sliders = root.querySelectorAll("input[type=range]");
  var outputs = root.querySelectorAll("output");
  var image = root.querySelector("img.lstm-explorer-frame");
  var readout = root.querySelector(".lstm-explorer-readout");
  function show() {
    var index = 0;
    for (var k = 0; k < sliders.length; k++) {
      var position = parseInt(sliders[k].value, 10);
      outputs[k].textContent = data.labels[k][position];
      index = index * data.labels[k].length + position;
    }
    image.src = "data:image/png;base64," + data.frames[index];
    image.alt = data.alts[index];
    if (readout) { readout.innerHTML = data.readouts[index]; }
  }
  for (var k = 0; k < sliders.length; k++) { sliders[k].addEventListener("input", show); }
})();"""


def figure_png(fig, dpi=FRAME_DPI):
    """PNG bytes of ``fig`` at its own size (no tight bounding box, so every frame matches), then close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    plt.close(fig)
    return _palette_png(buffer.getvalue())


def _palette_png(png):
    # Line plots need few colours: a 128-colour palette roughly halves the bytes and looks the same.
    try:
        from PIL import Image
    except ImportError:     # pragma: no cover - Pillow comes with matplotlib
        return png
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=128, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="png", optimize=True)
    return buffer.getvalue()


class FrameExplorer:
    """Sliders over precomputed figures; displays as self-contained HTML.

    Parameters
    ----------
    title : str
        Short description, used as the figure's alt text prefix.
    controls : list of (label, values, labels, initial)
        One slider per control: its label, its values, how each value is
        shown, and the index of the value it starts at.
    frames : dict[tuple, bytes]
        PNG bytes for every tuple of control values (in ``controls`` order).
    readouts : dict[tuple, str], optional
        A line of HTML shown under the figure for each tuple of values.

    Attributes
    ----------
    frames, readouts : as given; ``values`` is the tuple of current values.
    """

    def __init__(self, title, controls, frames, readouts=None):
        if not isinstance(title, str):
            raise ValueError(f"title must be a string, got {type(title).__name__}")
        self.title = title
        self.controls = check_sequence("controls", controls, _control)
        keys = list(itertools.product(*[values for _, values, _, _ in self.controls]))
        for name, table in (("frames", frames), ("readouts", {} if readouts is None else readouts)):
            if not isinstance(table, dict):
                raise ValueError(f"{name} must be a dict keyed by tuples of control values, got {type(table).__name__}")
        missing = [key for key in keys if key not in frames]
        if missing:
            raise ValueError(f"frames is missing the control values {missing[:3]}")
        self.frames = {key: _png("frames", key, frames[key]) for key in keys}
        self.readouts = {key: (readouts or {}).get(key, "") for key in keys}
        if not all(isinstance(line, str) for line in self.readouts.values()):
            raise ValueError("readouts must map tuples of control values to strings of HTML")
        self.values = tuple(values[initial] for _, values, _, initial in self.controls)

    def __len__(self):
        return len(self.frames)

    @property
    def nbytes(self):
        """Total bytes of the PNG frames (the page carries them base64-encoded, 4/3 as many)."""
        return sum(len(png) for png in self.frames.values())

    def _alt(self, key):
        settings = ", ".join(f"{label} = {shown[values.index(value)]}"
                             for (label, values, shown, _), value in zip(self.controls, key))
        return f"{self.title}: {settings}"

    def _repr_html_(self):
        keys = list(self.frames)
        data = {"labels": [shown for _, _, shown, _ in self.controls],
                "frames": [base64.b64encode(self.frames[key]).decode("ascii") for key in keys],
                "alts": [self._alt(key) for key in keys],
                "readouts": [self.readouts[key] for key in keys]}
        payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
        element_id = "lstm-explorer-" + hashlib.sha1(payload.encode()).hexdigest()[:12]
        sliders = []
        for (label, values, shown, _initial), value in zip(self.controls, self.values):
            position = values.index(value)
            sliders.append(
                f'<label style="white-space:nowrap;display:inline-flex;align-items:center;gap:0.4em">'
                f'{html.escape(label)} <input type="range" min="0" max="{len(values) - 1}" step="1" '
                f'value="{position}" aria-label="{html.escape(label)}" style="width:9em">'
                f'<output style="min-width:3.5em;font-family:monospace">{html.escape(shown[position])}</output>'
                f'</label>')
        first = keys.index(self.values)
        width, height = _png_size(self.frames[self.values])
        readout = (f'<div class="lstm-explorer-readout" style="font-size:90%">{self.readouts[self.values]}</div>'
                   if any(self.readouts.values()) else "")
        return (f'<div class="lstm-explorer" id="{element_id}">'
                f'<div class="lstm-explorer-controls" style="display:flex;flex-wrap:wrap;gap:0.3em 1.5em;'
                f'margin-bottom:0.3em">{"".join(sliders)}</div>'
                f'<img class="lstm-explorer-frame" src="data:image/png;base64,{data["frames"][first]}" '
                f'width="{width}" height="{height}" alt="{html.escape(data["alts"][first])}" '
                f'style="max-width:100%;height:auto">'
                f'{readout}'
                f'<script type="application/json" class="lstm-explorer-data">{payload}</script>'
                f'<script>{_SCRIPT % {"id": json.dumps(element_id)}}</script>'
                f'</div>')

    def __repr__(self):
        return f"<FrameExplorer {self.title!r}: {len(self)} frames, {self.nbytes / 1024:.0f} KiB>"


def _control(name, control):
    """One slider (label, values, labels, initial): a string, equally many values and labels, an index into them."""
    if not isinstance(control, (tuple, list)) or len(control) != 4:
        raise ValueError(f"{name} must be a tuple (label, values, labels, initial), got {control!r}")
    label, values, labels, initial = control
    if (not isinstance(label, str) or not isinstance(values, (list, tuple)) or not values
            or not isinstance(labels, (list, tuple)) or len(labels) != len(values)):
        raise ValueError(f"{name} must be (label, values, labels, initial) with a string label and one label per "
                         f"value, got {control!r}")
    if isinstance(initial, bool) or not isinstance(initial, int) or not 0 <= initial < len(values):
        raise ValueError(f"{name}: initial must be an index into its {len(values)} values, got {initial!r}")
    return label, list(values), [str(shown) for shown in labels], initial


def _png(name, key, png):
    if not isinstance(png, bytes) or not png.startswith(b"\x89PNG"):
        raise ValueError(f"{name}[{key!r}] must be PNG bytes (as figure_png returns), got {type(png).__name__}")
    return png


def slider_start(name, value, values_name, values):
    """The index of the starting ``value`` among a slider's numeric ``values``; ValueError naming both otherwise."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        for index, candidate in enumerate(values):
            if candidate == value:
                return index
    raise ValueError(f"{name} must be one of {values_name} {tuple(values)}, got {value!r}")


def _png_size(png):
    # Width and height from the PNG header (bytes 16-24 of the IHDR chunk).
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def explorer(title, controls, draw, readout=None):
    """Build a :class:`FrameExplorer` by calling ``draw(*values)`` for every combination of values.

    ``draw`` returns a matplotlib Figure of a fixed size; ``readout(*values)``
    returns a line of HTML (optional).
    """
    frames, readouts = {}, {}
    for key in itertools.product(*[values for _, values, _, _ in controls]):
        frames[key] = figure_png(draw(*key))
        if readout is not None:
            readouts[key] = readout(*key)
    return FrameExplorer(title, controls, frames, readouts)
