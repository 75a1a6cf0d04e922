"""The exercises work for teachers: nbgrader format, and tests that catch a missing answer.

For every chapter notebook, the nbgrader student version (made by
``tools/make_student_version.py``) is executed; each autograded test cell must
fail there, because the solution it checks has been removed. On the full
notebook the same cells pass (nbval runs it), so the tests really test.
"""
import importlib.util
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(path for path in (ROOT / "chapters").rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts)

spec = importlib.util.spec_from_file_location("make_student_version", ROOT / "tools" / "make_student_version.py")
make_student_version = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_student_version)


def nbgrader_cells(notebook, key):
    return [cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get(key)]


def solution_code_cells(notebook):
    return [cell for cell in nbgrader_cells(notebook, "solution") if cell.cell_type == "code"]


@pytest.mark.parametrize("chapter", sorted({path.parent for path in NOTEBOOKS}), ids=lambda p: p.name)
def test_every_chapter_has_at_least_two_exercises(chapter):
    notebooks = [nbformat.read(path, as_version=4) for path in sorted(chapter.glob("*.ipynb"))]
    assert sum(len(solution_code_cells(notebook)) for notebook in notebooks) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercises_use_the_nbgrader_format(path):
    notebook = nbformat.read(path, as_version=4)
    solutions = solution_code_cells(notebook)
    tests = nbgrader_cells(notebook, "grade")
    assert solutions, "every notebook has at least one exercise with a solution cell"
    assert len(tests) >= len(solutions), "every solution cell has an autograded test cell"
    for cell in solutions:
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
    grade_ids = [cell.metadata.nbgrader.grade_id for cell in nbgrader_cells(notebook, "grade_id")]
    assert len(grade_ids) == len(set(grade_ids)), "nbgrader grade_ids must be unique"
    exercises = sum(cell.source.count("```{exercise}") for cell in notebook.cells if cell.cell_type == "markdown")
    assert exercises >= len(solutions)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_autograder_cells_fail_on_the_student_version(path):
    student = make_student_version.student_version(nbformat.read(path, as_version=4))
    assert not any("### BEGIN SOLUTION" in cell.source for cell in student.cells)
    assert not any("{solution}" in cell.source for cell in student.cells)
    NotebookClient(student, timeout=300, allow_errors=True, resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nbgrader_cells(student, "grade"):
        errors = [output for output in cell.outputs if output.output_type == "error"]
        assert errors, f"test cell {cell.metadata.nbgrader.grade_id} passes without a solution"
