"""The teacher's workflow, run for real with the nbgrader CLI on every exercise notebook.

For each notebook with nbgrader cells, in a temporary course directory:
``nbgrader generate_assignment`` succeeds; the released copy contains no solution and
no hidden test; ``nbgrader autograde`` of the untouched released copy scores below the
maximum, and of the instructor's source scores the maximum; ``nbgrader
generate_feedback`` writes a feedback page for both.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXERCISE_NOTEBOOKS = sorted(
    path for path in (ROOT / "chapters").rglob("*.ipynb")
    if ".ipynb_checkpoints" not in path.parts
    and any("nbgrader" in cell.metadata for cell in nbformat.read(path, as_version=4).cells))
NBGRADER = str(Path(sys.executable).with_name("nbgrader"))


def nbgrader(course, *args):
    # nbgrader runs alembic and jupyter by name: the venv's bin must be on PATH.
    env = {**os.environ, "PATH": f"{Path(NBGRADER).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([NBGRADER, *args], cwd=course, capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def submission_score(course, assignment, student):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return submission.score, submission.max_score


def test_there_are_exercise_notebooks():
    assert EXERCISE_NOTEBOOKS, "no notebook under chapters/ has nbgrader cells"


@pytest.mark.parametrize("notebook", EXERCISE_NOTEBOOKS, ids=lambda p: p.parent.name)
def test_generate_and_autograde_round_trip(notebook, tmp_path):
    assignment = notebook.parent.name
    course = tmp_path / "course"
    (course / "source" / assignment).mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.ExecutePreprocessor.timeout = 300\n")
    shutil.copy(notebook, course / "source" / assignment / notebook.name)

    nbgrader(course, "generate_assignment", assignment, "--force")
    released = course / "release" / assignment / notebook.name
    text = released.read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "{solution}"):
        assert marker not in text, f"the released copy still contains {marker!r}"

    for student, copy_from in (("untouched", released), ("instructor", notebook)):
        target = course / "submitted" / student / assignment
        target.mkdir(parents=True)
        shutil.copy(copy_from, target / notebook.name)
    nbgrader(course, "autograde", assignment, "--force")

    untouched, maximum = submission_score(course, assignment, "untouched")
    instructor, _ = submission_score(course, assignment, "instructor")
    assert maximum > 0
    assert untouched < maximum, "the untouched student copy should not earn full marks"
    assert instructor == maximum, f"the instructor's solutions score {instructor} of {maximum}"

    nbgrader(course, "generate_feedback", assignment, "--force")
    for student in ("untouched", "instructor"):
        assert (course / "feedback" / student / assignment / notebook.with_suffix(".html").name).exists()
