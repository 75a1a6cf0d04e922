"""Sphinx extension: the two editions of the book, made from the same nbgrader-format notebooks.

It is also the one place that says what is **secret** in an exercise notebook
(:func:`secret_texts`): the solution code (between ``### BEGIN SOLUTION`` and
``### END SOLUTION``, or a whole solution cell without markers), the written answers
(markdown cells marked ``solution: true`` in nbgrader's metadata: the ``{solution}``
blocks) and the hidden tests (between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``).

* The **normal edition** shows every exercise with its solution (folded) and hidden
  tests, but never the nbgrader markers: they mean something to nbgrader, nothing to a reader.
* The **student edition** (``course_edition = "student"``, built by
  ``tools/build_student_edition.py``) holds no secret in any file. Its pages show
  :func:`student_page` of each exercise notebook; its ``_sources`` (the "Download source
  file" button) and its notebooks archive hold :func:`released_copy`, the notebook
  nbgrader's ``generate_assignment`` releases; the instructor guide is replaced by a
  short page, since its rubrics paraphrase the written answers.

Pages are rewritten at Sphinx's ``source-read`` event, before myst-nb parses (and
executes) them; ``_sources`` at ``build-finished``, since Sphinx copies the file on disk.
"""
import re
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_TESTS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
MARKERS = (*SOLUTION, *HIDDEN_TESTS)
TEACHERS_ONLY = {"teaching/instructor_guide": """# Instructor guide

The instructor guide (the list of exercises with their points, the grading rubrics and the
nbgrader workflow) is part of the teachers' edition of this book, built with `jupyter-book build .`.
"""}
# Lines shorter than this (normalised) are too generic to identify a solution ("return dx").
MIN_SECRET_LENGTH = 12


def is_exercise_notebook(notebook):
    return any("nbgrader" in cell.metadata for cell in notebook.cells)


def _is_solution(cell):
    return bool(cell.metadata.get("nbgrader", {}).get("solution"))


def _regions(source, begin, end):
    return re.findall(re.escape(begin) + r"[^\n]*\n(.*?)^[ \t]*" + re.escape(end), source, re.S | re.M)


def _without_directive_markup(source):
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith((":", "```")))


def secret_texts(notebook):
    """Every piece of text of ``notebook`` that a student must not receive."""
    secrets = []
    for cell in notebook.cells:
        if _is_solution(cell) and cell.cell_type == "markdown":
            secrets.append(_without_directive_markup(cell.source))  # a written answer, without its fences
        elif _is_solution(cell) and SOLUTION[0] not in cell.source:
            secrets.append(cell.source)  # a solution cell that nbgrader replaces whole
        elif cell.cell_type == "code":
            secrets += _regions(cell.source, *SOLUTION)
        if cell.cell_type == "code":
            secrets += _regions(cell.source, *HIDDEN_TESTS)
    return secrets


def normalise(text):
    """Lower-case words and numbers only: pages render markdown, math and code punctuation differently."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def public_text(root):
    """The normalised text the course publishes: chapters, pages, the package's source, the released exercises.

    A secret line that also occurs here (a solution line that is a line of the package a student
    installs, a phrase of a chapter's prose, a visible line of another exercise) gives nothing away.
    """
    root = Path(root)
    parts = [path.read_text(encoding="utf8") for pattern in ("*.md", "reference/*.md", "lstm_course/**/*.py")
             for path in sorted(root.glob(pattern))]
    for path in sorted(root.glob("chapters/*/*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        released = released_copy(notebook) if is_exercise_notebook(notebook) else notebook
        parts += [cell.source for cell in released.cells]
    return normalise("\n".join(parts))


def secret_lines(notebook, public=""):
    """The normalised secret lines worth searching for: long enough, not in the released copy nor in ``public``."""
    released = normalise("\n".join(cell.source for cell in released_copy(notebook).cells))
    lines = {normalise(line) for text in secret_texts(notebook) for line in text.splitlines()}
    return sorted(line for line in lines
                  if len(line) >= MIN_SECRET_LENGTH and line not in released and line not in public)


def without_markers(notebook):
    """Drop the nbgrader marker lines from every code cell, keeping what they delimit."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and any(marker in cell.source for marker in MARKERS):
            lines = cell.source.splitlines()
            cell.source = "\n".join(line for line in lines if line.strip() not in MARKERS)
    return notebook


def released_copy(notebook):
    """What ``nbgrader generate_assignment`` releases: stubs for solutions, no hidden tests, no outputs."""
    notebook = nbformat.from_dict(notebook)  # a copy: the caller's notebook is left as it is
    resources = {"language": "python"}
    for preprocessor in (ClearSolutions(), ClearHiddenTests()):
        notebook, resources = preprocessor.preprocess(notebook, resources)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook


def student_page(notebook):
    """The released copy as a page: without the empty answer cells, the stubs unfolded."""
    notebook = released_copy(notebook)
    notebook.cells = [cell for cell in notebook.cells if not (cell.cell_type == "markdown" and _is_solution(cell))]
    for cell in notebook.cells:
        if _is_solution(cell) and "tags" in cell.metadata:
            # The folded solution became the stub to fill in: show it.
            cell.metadata.tags = [tag for tag in cell.metadata.tags if tag != "hide-input"]
    return notebook


def student_file(path):
    """The bytes a student may receive for the source file at ``path``, or None when it is not secret."""
    path = Path(path)
    if path.suffix != ".ipynb":
        return None
    notebook = nbformat.read(path, as_version=4)
    return nbformat.writes(released_copy(notebook)).encode("utf8") if is_exercise_notebook(notebook) else None


def _rewrite_source(app, docname, source):
    edition = app.config.course_edition
    if edition == "student" and docname in TEACHERS_ONLY:
        source[0] = TEACHERS_ONLY[docname]
        return
    if not app.env.doc2path(docname).endswith(".ipynb"):
        return
    notebook = nbformat.reads(source[0], as_version=4)
    if not is_exercise_notebook(notebook):
        return
    notebook = student_page(notebook) if edition == "student" else without_markers(notebook)
    source[0] = nbformat.writes(notebook)


def _student_sources(app, exc):
    """Sphinx copies each source file as it is on disk to ``_sources``: replace the secret ones."""
    if exc is not None or app.builder.format != "html" or app.config.course_edition != "student":
        return
    for docname in app.env.found_docs:
        source = Path(app.env.doc2path(docname))
        name = f"{docname}{source.suffix}"
        if source.suffix != app.config.html_sourcelink_suffix:  # Sphinx's naming of the copy
            name += app.config.html_sourcelink_suffix
        target = Path(app.outdir) / "_sources" / name
        if not target.exists():
            continue
        if docname in TEACHERS_ONLY:
            target.write_text(TEACHERS_ONLY[docname], encoding="utf8")
        elif (released := student_file(source)) is not None:
            target.write_bytes(released)


def setup(app):
    app.add_config_value("course_edition", "normal", "env")
    app.connect("source-read", _rewrite_source)
    app.connect("build-finished", _student_sources)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
