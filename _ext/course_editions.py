"""Sphinx extension: the two editions of the book, made from the same nbgrader-format notebooks.

* The **normal edition** shows every exercise with its solution (folded) and hidden
  tests, but never the nbgrader markers (``### BEGIN SOLUTION`` and friends): they
  mean something to nbgrader, nothing to a reader.
* The **student edition** (``course_edition = "student"``, built by
  ``tools/build_student_edition.py``) passes each notebook through nbgrader's own
  ``ClearSolutions`` and ``ClearHiddenTests`` preprocessors, as ``nbgrader
  generate_assignment`` does, then drops the written-answer cells and unfolds the stubs. Its pages keep the
  exercise, the function to write and the visible tests, and contain no solution code,
  no hidden test and no solution prose.

Both work on the notebook text at Sphinx's ``source-read`` event, before myst-nb parses
(and executes) it.
"""
import nbformat
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def without_markers(notebook):
    """Drop the nbgrader marker lines from every code cell, keeping what they delimit."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and any(marker in cell.source for marker in MARKERS):
            lines = cell.source.splitlines()
            cell.source = "\n".join(line for line in lines if line.strip() not in MARKERS)
    return notebook


def student_copy(notebook):
    """What a student receives: nbgrader's stubs instead of solutions, no hidden tests, no written answers."""
    resources = {"language": "python"}
    for preprocessor in (ClearSolutions(), ClearHiddenTests()):
        notebook, resources = preprocessor.preprocess(notebook, resources)
    notebook.cells = [cell for cell in notebook.cells
                      if not (cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"))]
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and "tags" in cell.metadata:
            # The folded solution becomes the stub to fill in: show it.
            cell.metadata.tags = [tag for tag in cell.metadata.tags if tag != "hide-input"]
    return notebook


def _rewrite_notebook(app, docname, source):
    if not app.env.doc2path(docname).endswith(".ipynb"):
        return
    notebook = nbformat.reads(source[0], as_version=4)
    if not any("nbgrader" in cell.metadata for cell in notebook.cells):
        return
    edition = app.config.course_edition
    notebook = student_copy(notebook) if edition == "student" else without_markers(notebook)
    source[0] = nbformat.writes(notebook)


def setup(app):
    app.add_config_value("course_edition", "normal", "env")
    app.connect("source-read", _rewrite_notebook)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
