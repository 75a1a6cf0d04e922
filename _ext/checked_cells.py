"""Sphinx extension: code cells tagged ``checks`` fold behind a "✓ checked" marker in the HTML.

A chapter states a number in its prose and asserts it in the next code cell; the asserts
guard the text, but a reader should not have to read them. A cell tagged ``checks`` (it
holds only such checks, no computation the text relies on) is folded like a ``hide-input``
cell of myst-nb, with the summary "✓ checked" that tells the reader the numbers above are
tested, and opens on click. nbval still runs the cell: tags other than ``nbval-*`` mean
nothing to it, so a failing assert fails ``pytest`` as before.

The transform runs just before myst-nb's own ``HideInputCells`` (priority 199), which does
the folding; ``checked.css`` (``_ext/static/``, added to ``html_static_path`` so Sphinx serves it from
``_static/``) styles the marker.
"""
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

TAG = "checks"
PROMPT_SHOW = "✓ checked: show the asserts behind the numbers above"
PROMPT_HIDE = "✓ checked: hide the asserts"
STATIC = Path(__file__).resolve().parent / "static"


class FoldCheckCells(SphinxPostTransform):
    """Give every ``checks`` cell myst-nb's hide-input settings, with the "✓ checked" prompts."""

    default_priority = 198
    formats = ("html",)

    def run(self, **kwargs):
        for cell in self.document.findall(nodes.container):
            if cell.get("nb_element") != "cell_code" or f"tag_{TAG}" not in cell["classes"]:
                continue
            has_output = any(child.get("nb_element") == "cell_code_output" for child in cell.children)
            cell["hide_mode"] = "input+output" if has_output else "input"
            cell["prompt_show"], cell["prompt_hide"] = PROMPT_SHOW, PROMPT_HIDE
            cell["classes"].append("checked-cell")


def _serve_static(app, config):
    # Sphinx copies html_static_path into _static/ for HTML builders only.
    if str(STATIC) not in map(str, config.html_static_path):
        config.html_static_path.append(str(STATIC))


def setup(app):
    app.add_post_transform(FoldCheckCells)
    app.add_css_file("checked.css")
    app.connect("config-inited", _serve_static)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
