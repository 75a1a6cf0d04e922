"""Build the lecture slides: one reveal.js deck per chapter notebook, from the book build's executed notebooks.

Usage (from the repository root, after ``jupyter-book build .``)::

    python tools/build_slides.py                      # -> _build/html/slides/NN_topic/<notebook>.html
    python tools/build_slides.py 05_cec_and_gates     # one chapter's decks

Which cells a deck shows is cell metadata in the chapter notebooks, the field JupyterLab's
property inspector calls "Slide Type" (RISE reads the same): ``slideshow.slide_type`` is
``slide`` (a new slide), ``subslide`` (a slide below the previous one), ``fragment`` (appears on
the next key press), ``-`` (continues the slide) or ``skip``. A cell without it is left out, so a
cell added to a chapter never lands on a slide by accident. On a slide, a code cell's ``assert``
statements are left out (decks show results, not the checks that guard them), and its code is left
out entirely, leaving the output (the figure, the printed result), when it is tagged ``hide-input``
or ``remove-input`` or holds nothing but asserts.

Outputs come from the book build's execution cache (``_build/.jupyter_cache``, the jupyter-cache
records myst-nb keeps), so no notebook runs twice. (The copies in ``_build/jupyter_execute/`` would
not do: myst-nb 1.4 writes them without outputs when it takes a notebook from that cache.) A notebook
whose code changed since the build has no record there, and stops the build: rebuild the book first.
MyST roles become plain Markdown ({term} its text, {cite} "[Author et al., year]", {doc}
a link to the book page); a role or directive this script does not know stops the build.

The decks work offline and only inside the book's HTML folder: reveal.js is copied from the npm
package pinned in ``_vendor/package.json`` (``npm ci --prefix _vendor``) to ``slides/reveal.js/``;
require.js and MathJax 3 are the book's own copies under ``_static/``.
"""
import argparse
import ast
import copy
import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import yaml
from jinja2 import DictLoader
from jupyter_cache import get_cache
from nbconvert import SlidesExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from pybtex.database import parse_file
from pybtex.richtext import Text

ROOT = Path(__file__).resolve().parents[1]
REVEAL = ROOT / "_vendor" / "node_modules" / "reveal.js"
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}
HIDE_INPUT_TAGS = {"hide-input", "remove-input"}
ADMONITIONS = {"note", "tip", "warning", "important", "hint", "caution", "attention", "seealso", "admonition"}
_ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
_DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<argument>[^\n]*)\n"
                        r"(?P<body>.*?)^(?P=fence)[ \t]*$", re.S | re.M)
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

TEMPLATE = r"""{%- extends 'reveal/index.html.j2' -%}
{%- block html_head_js -%}
<script src="{{ resources.require_js_url }}"></script>
{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}
<script>window.MathJax = {{ resources.course.mathjax_config }};</script>
<script defer src="{{ resources.mathjax_url }}"></script>
<style type="text/css">
.reveal { font-size: 28px; }
.reveal .slides { text-align: left; }
.reveal .slides section { height: 100%; overflow-y: auto; }
.reveal .slides h1, .reveal .slides h2, .reveal .slides h3 { text-transform: none; }
.reveal h1 { font-size: 1.8em; } .reveal h2 { font-size: 1.4em; } .reveal h3 { font-size: 1.15em; }
.reveal p, .reveal li { line-height: 1.35; }
.reveal .jp-RenderedImage { display: flex; justify-content: center; }
.reveal .jp-RenderedImage img { height: 470px; width: auto; max-width: 100%; object-fit: contain; margin: 0.2em auto; }
.reveal blockquote { width: 92%; font-style: normal; padding: 0.4em 0.8em; }
.reveal table { font-size: 0.8em; }
.jp-OutputArea-output pre, .jp-InputArea pre { font-size: 17px; line-height: 1.3; }
.course-book-link { position: fixed; left: 12px; bottom: 8px; font: 14px sans-serif; z-index: 30; }
</style>
{%- endblock html_head_js_mathjax -%}
{% block body_footer %}
</div>
</div>
<a class="course-book-link" href="{{ resources.course.page_url }}">
  {{ resources.course.page_title }}: the chapter in the book</a>
</main>
</body>
{% endblock body_footer %}
{% block footer_js %}
<script>
require(["{{ resources.reveal.url_prefix }}/dist/reveal.js", "{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"],
  function (Reveal, RevealNotes) {
    window.Reveal = Reveal;
    Reveal.initialize({controls: true, progress: true, history: true, center: false, slideNumber: "c/t",
                       transition: "{{ resources.reveal.transition }}", plugins: [RevealNotes],
                       width: {{ resources.reveal.width }}, height: {{ resources.reveal.height }}});
    // MathJax 3 typesets the whole deck once; the slides' sizes change with it. require.js can call back
    // before the deferred MathJax script has run (seen on a loaded machine), so wait for the page's load then.
    function layoutAfterMath() {
      if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        MathJax.startup.promise.then(function () { Reveal.layout(); });
      } else {
        window.addEventListener("load", layoutAfterMath, {once: true});
      }
    }
    layoutAfterMath();
  });
</script>
{% endblock footer_js %}
"""


def chapter_notebooks(root=ROOT):
    """Docnames (``chapters/NN_topic/name``) of the table of contents' chapter notebooks, without exercises."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf8"))

    def files(entries):
        for entry in entries:
            if "file" in entry:
                yield entry["file"]
            yield from files(entry.get("sections", []))

    docnames = [name for part in toc["parts"] for name in files(part["chapters"])]
    return [name for name in docnames if name.startswith("chapters/") and not name.endswith("/exercises")
            and (root / f"{name}.ipynb").exists()]


def _title(path):
    text = path.read_text(encoding="utf8")
    if path.suffix == ".ipynb":
        text = "\n".join(cell.source for cell in nbformat.reads(text, as_version=4).cells
                         if cell.cell_type == "markdown")
    match = re.search(r"^# (.+)$", text, re.M)
    return match.group(1).strip() if match else path.stem


class Citations:
    """Author-year labels of the book's bibliography, as sphinxcontrib-bibtex prints them."""

    def __init__(self, bibfiles):
        self.entries = {}
        for bibfile in bibfiles:
            self.entries.update(parse_file(str(bibfile)).entries)

    def _parts(self, key):
        if key not in self.entries:
            raise ValueError(f"citation key {key!r} is not in the bibliography")
        entry = self.entries[key]
        names = [Text.from_latex(" ".join(person.last_names)).render_as("text")
                 for person in entry.persons.get("author", entry.persons.get("editor", []))]
        authors = names[0] + " et al." if len(names) > 2 else " and ".join(names)
        return authors, entry.fields.get("year", "n.d.")

    def parenthetical(self, keys):
        return "[" + "; ".join("{}, {}".format(*self._parts(key)) for key in keys) + "]"

    def textual(self, keys):
        return ", ".join("{} [{}]".format(*self._parts(key)) for key in keys)


def myst_to_markdown(source, docname, citations, root=ROOT):
    """Markdown that nbconvert renders, from a MyST cell of ``docname``; ValueError on unknown markup."""

    def directive(match):
        name, argument, body = match["name"], match["argument"].strip(), match["body"]
        if name not in ADMONITIONS:
            raise ValueError(f"{docname}: the slides cannot show a {{{name}}} directive")
        body = "\n".join(line for line in body.splitlines() if not re.match(r"^:[\w-]+:", line))
        title = argument if name == "admonition" else name.capitalize()
        return "\n".join(["> **" + title + "**", ">"] + ["> " + line for line in body.strip().splitlines()])

    def role(match):
        name, text = match.groups()
        label, target = (text, text)
        if explicit := re.fullmatch(r"(.*?)\s*<([^>]+)>", text, re.S):
            label, target = explicit.groups()
        if name == "term":
            return label
        if name == "doc":
            page = os.path.normpath(os.path.join(os.path.dirname(docname), target))
            source_file = next((root / f"{page}{suffix}" for suffix in (".ipynb", ".md")
                                if (root / f"{page}{suffix}").exists()), None)
            if source_file is None:
                raise ValueError(f"{docname}: {{doc}} target {target!r} does not exist")
            title = _title(source_file) if label == target else label
            url = os.path.relpath(f"{page}.html", os.path.dirname(deck_file(docname)))
            return f"[{title}]({url})"
        keys = [key.strip() for key in text.split(",")]
        if name in ("cite", "cite:p"):
            return citations.parenthetical(keys)
        if name == "cite:t":
            return citations.textual(keys)
        raise ValueError(f"{docname}: the slides cannot show the role {{{name}}}")

    source = _DIRECTIVE.sub(directive, source)
    source = re.sub(r"^\([\w-]+\)=[ \t]*\n", "", source, flags=re.M)        # MyST targets
    source = re.sub(r"(\$\$)[ \t]*\([\w-]+\)[ \t]*$", r"\1", source, flags=re.M)  # equation labels
    return _ROLE.sub(role, source)


def without_asserts(code):
    """``code`` without its top-level assert statements (and the comment lines just above them)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:     # IPython syntax (magics): shown as it is
        return code
    drop = {line for node in tree.body if isinstance(node, ast.Assert)
            for line in range(node.lineno - 1, node.end_lineno)}
    lines = code.splitlines()
    for first in sorted(drop):
        while first - 1 >= 0 and first - 1 not in drop and lines[first - 1].lstrip().startswith("#"):
            first -= 1
            drop.add(first)
    return "\n".join(line for number, line in enumerate(lines) if number not in drop).rstrip()


def slide_type(cell):
    kind = cell.metadata.get("slideshow", {}).get("slide_type", "skip")
    if kind not in SLIDE_TYPES:
        raise ValueError(f"cell {cell.get('id')}: unknown slide_type {kind!r}")
    return kind


def deck_notebook(source_nb, executed_nb, docname, citations, root=ROOT):
    """The notebook a deck is made of: the source's slide metadata and markdown, the executed outputs."""
    executed = iter([cell for cell in executed_nb.cells if cell.cell_type == "code"])
    deck = copy.deepcopy(source_nb)
    deck.metadata.pop("widgets", None)
    for cell in deck.cells:
        kind = slide_type(cell)
        cell.metadata["slideshow"] = {"slide_type": kind}
        if cell.cell_type == "markdown" and kind != "skip":
            cell.source = myst_to_markdown(cell.source, docname, citations, root)
        if cell.cell_type != "code":
            continue
        ran = next(executed, None)
        if ran is None or ran.source != cell.source:
            raise ValueError(f"{docname}: the executed notebook does not match the source (cell {cell.get('id')}); "
                             "rebuild the book first (jupyter-book build .)")
        cell.outputs = [output for output in ran.outputs
                        if output.get("name") != "stderr" and _WIDGET_VIEW not in output.get("data", {})]
        tags = set(cell.metadata.get("tags", []))
        cell.source = without_asserts(cell.source)
        if tags & HIDE_INPUT_TAGS or not cell.source.strip():
            cell.metadata["tags"] = sorted(tags | {"remove-input"})
    if all(slide_type(cell) == "skip" for cell in deck.cells):
        raise ValueError(f"{docname}: no cell has slide metadata (slideshow.slide_type), so no deck")
    return deck


def count_slides(deck):
    """Slides a reader steps through: each slide and subslide (the first shown cell always starts one)."""
    shown = [slide_type(cell) for cell in deck.cells if slide_type(cell) not in ("skip", "notes")]
    return sum(kind in ("slide", "subslide") for kind in shown[1:]) + bool(shown)


def deck_file(docname):
    """Where the deck of ``docname`` (``chapters/NN_topic/name``) lives in the book: ``slides/NN_topic/name.html``."""
    return Path("slides", *Path(docname).parts[1:]).with_suffix(".html").as_posix()


def mathjax_config(root=ROOT):
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf8"))
    macros = config["sphinx"]["config"].get("mathjax3_config", {}).get("tex", {}).get("macros", {})
    return json.dumps({"tex": {"inlineMath": [["$", "$"], ["\\(", "\\)"]],
                               "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
                               "processEscapes": True, "macros": macros}})


def exporter(depth):
    """A SlidesExporter whose every script and style sheet is a file ``depth`` folders up (the book's root)."""
    up = "../" * depth
    slides = SlidesExporter(extra_loaders=[DictLoader({"course_slides.html.j2": TEMPLATE})],
                            template_file="course_slides.html.j2",
                            reveal_url_prefix=f"{up}slides/reveal.js", reveal_transition="none", reveal_theme="white",
                            reveal_width="1280", reveal_height="800",
                            require_js_url=f"{up}_static/vendor/require.js",
                            mathjax_url=f"{up}_static/mathjax/tex-chtml.js",
                            exclude_input_prompt=True, exclude_output_prompt=True)
    slides.register_preprocessor(TagRemovePreprocessor(remove_input_tags={"remove-input"},
                                                       remove_cell_tags={"remove-cell"},
                                                       remove_all_outputs_tags={"remove-output", "hide-output"},
                                                       enabled=True), enabled=True)
    return slides


def copy_reveal(slides_dir):
    if not (REVEAL / "dist" / "reveal.js").exists():
        raise ValueError("reveal.js is missing: install the book's JavaScript first, `npm ci --prefix _vendor`")
    target = slides_dir / "reveal.js"
    shutil.copytree(REVEAL / "dist", target / "dist", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
    shutil.copytree(REVEAL / "plugin" / "notes", target / "plugin" / "notes", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
    shutil.copy2(REVEAL / "LICENSE", target / "LICENSE")


def executed_notebook(source_nb, docname, cache):
    """``source_nb`` with the outputs the book build stored for its code in the execution cache ``cache``."""
    if not Path(cache, "global.db").exists():
        raise ValueError(f"no execution cache at {cache}: build the book first (jupyter-book build .)")
    try:
        _, merged = get_cache(str(cache)).merge_match_into_notebook(source_nb, cell_meta=())
    except KeyError:
        raise ValueError(f"{docname}: the book build's execution cache has no run of this notebook's current code; "
                         "rebuild the book first (jupyter-book build .)") from None
    return merged


def write_deck(deck, docname, html, root=ROOT):
    """Write ``deck`` (from :func:`deck_notebook`) into the book's HTML folder ``html``; return (path, slides)."""
    depth = deck_file(docname).count("/")
    title = _title(root / f"{docname}.ipynb")
    page = os.path.relpath(f"{docname}.html", os.path.dirname(deck_file(docname)))
    resources = {"metadata": {"name": title},
                 "course": {"mathjax_config": mathjax_config(root), "page_url": page, "page_title": title}}
    body, _ = exporter(depth).from_notebook_node(deck, resources=resources)
    path = html / deck_file(docname)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf8")
    return path, count_slides(deck)


def build_all(html, cache, root=ROOT, docnames=None):
    """Build every deck into ``html/slides`` from the execution cache ``cache``; return {docname: (path, slides)}."""
    html = Path(html)
    if not (html / "_static" / "mathjax" / "tex-chtml.js").exists():
        raise ValueError(f"{html} holds no built book (no _static/mathjax): run `jupyter-book build .` first")
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf8"))
    citations = Citations([root / name for name in config.get("bibtex_bibfiles", [])])
    copy_reveal(html / "slides")
    decks = {}
    for docname in docnames or chapter_notebooks(root):
        source_nb = nbformat.read(root / f"{docname}.ipynb", as_version=4)
        deck = deck_notebook(source_nb, executed_notebook(source_nb, docname, cache), docname, citations, root)
        decks[docname] = write_deck(deck, docname, html, root)
    return decks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html",
                        help="the built book (default: _build/html)")
    parser.add_argument("--cache", type=Path,
                        help="the book build's execution cache (default: <html>/../.jupyter_cache)")
    parser.add_argument("chapters", nargs="*", help="only these chapter folders or notebooks (default: all)")
    args = parser.parse_args(argv)
    docnames = [name for name in chapter_notebooks()
                if not args.chapters or any(wanted.strip("/") in name.split("/") + [name] for wanted in args.chapters)]
    try:
        decks = build_all(args.html, args.cache or args.html.parent / ".jupyter_cache", docnames=docnames)
    except ValueError as error:
        sys.exit(f"build_slides: {error}")
    for path, slides in decks.values():
        print(f"{slides:3d} slides  {path}")
    print(f"{len(decks)} decks, {sum(slides for _, slides in decks.values())} slides")


if __name__ == "__main__":
    main()
