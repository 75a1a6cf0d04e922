"""nbgrader plumbing for the course: the preprocessors that ``nbgrader_config.py`` loads.

``tools/release_exercises.py`` writes a course configuration that uses them:

- :class:`RestoreHiddenTests` replaces nbgrader's ``OverwriteCells`` in autograding. nbgrader
  stores a locked cell's checksum *before* it removes the hidden tests, so every untouched test
  cell of every submission differs from its record and nbgrader logs "checksum ... has changed"
  while it puts the hidden tests back. This class puts them back without the warning when the
  submitted cell is exactly the released one, and keeps the warning for a cell a student edited.
- :class:`LimitOutputSize` is nbgrader's ``LimitOutput`` (which counts stream lines) plus a cap on
  the characters of every output, so one huge line or a huge ``repr`` cannot bloat the feedback.
- :class:`FeedbackWithoutTestSource` keeps what the hidden tests *said* (pass or fail, the error
  message) and drops their code, including the code lines a traceback quotes.
- :class:`RenderMyST` turns the exercise statements' MyST (``{exercise}`` fences, admonitions,
  ``{doc}``/``{term}``/``{ref}`` roles) into Markdown and HTML that the feedback page shows.
- :func:`mathjax_script`, a template filter, embeds the MathJax that the PyPI package
  ``sphinx-mathjax-offline`` installs into the feedback page: nbgrader's exchange copies the HTML
  file alone, so a file beside it would not reach the student, and a CDN is not offline.
"""
import html
import importlib.util
import re
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbformat import v4 as nbformat_v4
from nbgrader import utils
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, LimitOutput, OverwriteCells
from traitlets import Bool, Integer

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


class RestoreHiddenTests(OverwriteCells):
    """``OverwriteCells`` that restores the hidden tests of an untouched locked cell silently."""

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if utils.is_locked(cell) and grade_id:
            try:
                recorded = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                recorded = None
            if recorded is not None and cell.source == released_source(recorded.source):
                cell.source = recorded.source
        return super().preprocess_cell(cell, resources, cell_index)


def released_source(source):
    """What ``generate_assignment`` leaves of a cell's ``source``: the hidden tests removed."""
    cell = nbformat_v4.new_code_cell(source)
    ClearHiddenTests()._remove_hidden_test_region(cell)
    return cell.source


class LimitOutputSize(LimitOutput):
    """``LimitOutput`` plus at most ``max_chars`` characters in each output of a cell."""

    max_chars = Integer(20_000, help="maximum characters of one output (-1 means no limit)").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if self.max_chars != -1 and cell.cell_type == "code":
            for output in cell.outputs:
                self._limit_output(output)
        return cell, resources

    def _cut(self, text):
        if len(text) <= self.max_chars:
            return text
        return (text[:self.max_chars] + f"\n... Output truncated: {len(text):,} characters, "
                f"the limit is {self.max_chars:,} ...")

    def _limit_output(self, output):
        if output.output_type == "stream":
            output.text = self._cut(output.text)
        elif output.output_type == "error":
            output.evalue = self._cut(output.evalue)
            output.traceback = [self._cut(line) for line in output.traceback]
        elif "data" in output:
            for mime, value in list(output.data.items()):
                text = value if isinstance(value, str) else "".join(value)
                if mime == "text/plain":
                    output.data[mime] = self._cut(text)
                elif len(text) > self.max_chars:
                    # half an HTML table or image would not display: keep the plain text, or a note
                    del output.data[mime]
                    output.data.setdefault("text/plain", f"... {mime} output removed: {len(text):,} characters, "
                                                         f"the limit is {self.max_chars:,} ...")


class _FeedbackPreprocessor(Preprocessor):
    """An nbconvert preprocessor that is on once listed (nbgrader's base class warns in HTML export)."""

    enabled = Bool(True).tag(config=True)


class FeedbackWithoutTestSource(_FeedbackPreprocessor):
    """Drop the hidden tests' code from the feedback and keep their results.

    A cell that had hidden tests loses them; its error output keeps ``Error: message`` and loses
    the traceback, whose context lines would quote the hidden code. The solution markers that a
    student may have left in a cell are dropped too.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code":
            return cell, resources
        if ClearHiddenTests().begin_test_delimeter in cell.source:
            cell.source = released_source(cell.source).rstrip("\n")
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        cell.source = "\n".join(line for line in cell.source.split("\n")
                                if line.strip() not in SOLUTION_MARKERS)
        return cell, resources


class RenderMyST(_FeedbackPreprocessor):
    """Rewrite every Markdown cell's MyST into Markdown and HTML (see :func:`myst_to_markdown`)."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "markdown":
            cell.source = myst_to_markdown(cell.source)
        return cell, resources


FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\} *(?P<argument>.*)$")
OPTION = re.compile(r"^ *:[\w-]+:")
ROLE = re.compile(r"\{(?P<name>[\w:-]+)\}`(?P<content>[^`]*)`")
LABEL = re.compile(r"^ *\([\w:.-]+\)= *$")
SECRET_DIRECTIVES = {"solution", "solution-start", "solution-end"}


def myst_to_markdown(text):
    """Markdown and HTML for MyST ``text``: directives become titled boxes, roles their text.

    ``{solution}`` blocks are dropped (a student's page never shows one), ``{math}`` becomes
    ``$$ ... $$`` for MathJax, ``(label)=`` targets and ``%`` comments disappear.
    """
    lines, output = text.split("\n"), []
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = FENCE.match(line)
        if fence is None:
            if not LABEL.match(line) and not line.startswith("%"):
                output.append(ROLE.sub(_role_text, line))
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].strip() != fence["fence"]:
            end += 1
        body = lines[index + 1:end]
        if body[:1] == ["---"] and "---" in body[1:]:
            body = body[body.index("---", 1) + 1:]  # a YAML block of options
        while body and OPTION.match(body[0]):
            body = body[1:]
        output.append(_directive(fence["name"], fence["argument"].strip(), myst_to_markdown("\n".join(body))))
        index = end + 1
    return "\n".join(output)


def _directive(name, argument, body):
    if name in SECRET_DIRECTIVES:
        return ""
    if name == "math":
        return f"$$\n{body}\n$$"
    if name in {"code", "code-block", "code-cell"}:
        return f"```{argument}\n{body}\n```"
    kind = "admonition" if name == "admonition" else name
    title = argument if name == "admonition" else " ".join(filter(None, [name.capitalize(), argument]))
    title = ROLE.sub(_role_text, title)
    return (f'<div class="alert alert-info admonition {html.escape(kind)}">\n'
            f'<p class="admonition-title"><strong>{html.escape(title)}</strong></p>\n\n{body}\n\n</div>')


def _role_text(match):
    name, content = match["name"], match["content"]
    explicit = re.fullmatch(r"(?P<text>.*?)\s*<(?P<target>[^<>]+)>", content, re.S)
    text = explicit["text"] if explicit else content
    if name == "math":
        return f"${content}$"
    if name.startswith("cite"):
        return f"[{content}]"
    if name == "doc" and not explicit:
        return "*" + content.rstrip("/").rsplit("/", 1)[-1].replace("_", " ") + "*"
    if name in {"doc", "term", "ref", "numref", "eq"}:
        return f"*{text}*"
    return text



NBGRADER_TEMPLATES = str(Path(utils.__file__).parent / "server_extensions" / "formgrader" / "templates")
# This ``mathjax.html.j2`` replaces nbconvert's macro, which nbgrader's feedback page calls and
# which loads MathJax 2 from a CDN.
MATHJAX_MACRO = r"""{%- macro mathjax(url=None) -%}
<script>
window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']],
        processEscapes: true, processEnvironments: true, tags: 'ams'},
  svg: {fontCache: 'global'},
  options: {enableMenu: false}  // the menu's speech options would fetch files from a CDN
};
</script>
<script>{{ "tex-svg-full.js" | offline_mathjax }}</script>
{%- endmacro %}
"""


def write_feedback_template(directory):
    """Write, under ``directory``, the part of nbgrader's ``feedback`` template that loads MathJax.

    List ``directory`` before nbgrader's templates in ``HTMLExporter.extra_template_basedirs``:
    nbconvert then finds this ``feedback/mathjax.html.j2`` first and everything else in nbgrader's
    ``feedback`` template. The template keeps its name because the formgrader asks for it by name.
    """
    folder = Path(directory) / "feedback"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mathjax.html.j2").write_text(MATHJAX_MACRO)
    return folder


def mathjax_script(name="tex-svg-full.js"):
    """The text of MathJax 3's ``name`` from the package sphinx-mathjax-offline, for a ``<script>``.

    The default, TeX input with SVG output, loads no font files, so it works from inside the page.
    """
    package = importlib.util.find_spec("sphinx-mathjax-offline")
    if package is None:
        raise ValueError("the feedback pages need MathJax from the package sphinx-mathjax-offline: "
                         "pip install -r requirements.txt")
    script = Path(next(iter(package.submodule_search_locations))) / "static" / "mathjax" / name
    return script.read_text(encoding="utf-8").replace("</script", "<\\/script")
