"""The teacher's workflow, run for real with the nbgrader CLI on every exercise notebook.

For each notebook with nbgrader cells, in a temporary course directory laid out with the course's
``nbgrader_config.py`` (``tools/release_exercises.py``): ``nbgrader generate_assignment``
succeeds; the released copy contains no solution and no hidden test; ``nbgrader autograde`` of
the untouched released copy scores below the maximum, and of the instructor's source scores the
maximum with no cell raising (this is the exercise notebooks' run: nbval skips them), with no
"checksum has changed" and no SQLAlchemy warning in its log; ``nbgrader
generate_feedback`` writes a feedback page for both, which shows no line of the hidden tests.

Also: ``tools/release_exercises.py`` keeps a teacher's ``nbgrader_config.py`` settings and
refuses to replace an earlier release without ``--force``.
"""
import html
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from traitlets.config import PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("release_exercises", ROOT / "tools" / "release_exercises.py")
release_exercises = importlib.util.module_from_spec(spec)
spec.loader.exec_module(release_exercises)
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
    course.mkdir()
    release_exercises.prepare_course(course, {assignment: [notebook]})

    nbgrader(course, "generate_assignment", assignment, "--force")
    released = course / "release" / assignment / notebook.name
    text = released.read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "{solution}"):
        assert marker not in text, f"the released copy still contains {marker!r}"

    for student, copy_from in (("untouched", released), ("instructor", notebook)):
        target = course / "submitted" / student / assignment
        target.mkdir(parents=True)
        shutil.copy(copy_from, target / notebook.name)
    log = nbgrader(course, "autograde", assignment, "--force")
    log = log.stdout + log.stderr
    assert "checksum" not in log, f"autograde warns about checksums of untouched cells:\n{log}"
    assert "SAWarning" not in log and "sqlalchemy" not in log.lower(), f"SQLAlchemy warns:\n{log}"

    untouched, maximum = submission_score(course, assignment, "untouched")
    instructor, _ = submission_score(course, assignment, "instructor")
    assert maximum > 0
    assert untouched < maximum, "the untouched student copy should not earn full marks"
    assert instructor == maximum, f"the instructor's solutions score {instructor} of {maximum}"
    # nbval does not run the exercise notebooks (pytest.ini): this execution is their run, so any
    # cell that raises fails here as it would under --nbval-lax.
    graded = nbformat.read(course / "autograded" / "instructor" / assignment / notebook.name, as_version=4)
    assert not raising_cells(graded), f"cells of the instructor's notebook raise: {raising_cells(graded)}"

    nbgrader(course, "generate_feedback", assignment, "--force")
    hidden = hidden_test_lines(notebook)
    for student in ("untouched", "instructor"):
        page = (course / "feedback" / student / assignment / notebook.with_suffix(".html").name).read_text()
        text = page_text(page)
        assert "BEGIN HIDDEN TESTS" not in text
        shown = [line for line in hidden if line in text]
        assert not shown, f"{student}'s feedback shows hidden test lines: {shown}"


def raising_cells(notebook):
    """Ids of the code cells whose outputs hold an error, except cells tagged ``raises-exception``."""
    return [cell.get("id") for cell in notebook.cells if cell.cell_type == "code"
            and "raises-exception" not in cell.metadata.get("tags", [])
            and any(output.output_type == "error" for output in cell.get("outputs", []))]


def test_a_raising_cell_is_found_unless_it_is_tagged():
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="x", traceback=[])
    quiet, loud, allowed = (nbformat.v4.new_code_cell("pass"), nbformat.v4.new_code_cell("raise ValueError"),
                            nbformat.v4.new_code_cell("raise ValueError", metadata={"tags": ["raises-exception"]}))
    loud.outputs, allowed.outputs = [error], [error]
    notebook = nbformat.v4.new_notebook(cells=[quiet, loud, allowed])
    assert raising_cells(notebook) == [loud.id]


def page_text(page):
    """The text a reader sees on an HTML ``page`` (code highlighting, scripts and styles removed)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def hidden_test_lines(notebook):
    """The lines of the hidden tests that the notebook shows nowhere else (statements, solutions, visible tests)."""
    source = "\n".join(cell.source for cell in nbformat.read(notebook, as_version=4).cells)
    hidden = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", source, re.S)
    elsewhere = re.sub(r"### BEGIN HIDDEN TESTS\n.*?### END HIDDEN TESTS", "", source, flags=re.S)
    lines = {line.strip() for block in hidden for line in block.split("\n")}
    return sorted(line for line in lines if len(line) > 3 and line not in elsewhere)


TEACHERS_CONFIG = 'c = get_config()\nc.CourseDirectory.course_id = "lstm-2027"\nc.ExecutePreprocessor.timeout = 90\n'


def test_release_keeps_the_teachers_config_and_the_teachers_settings_win(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(TEACHERS_CONFIG)
    for _ in range(2):  # a second release replaces the course's block and nothing else
        release_exercises.write_course_config(tmp_path)
    text = (tmp_path / "nbgrader_config.py").read_text()
    assert TEACHERS_CONFIG in text
    assert text.count(release_exercises.BLOCK_BEGIN) == 1 and text.count(release_exercises.BLOCK_END) == 1
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert config.CourseDirectory.course_id == "lstm-2027"
    from nbgrader.preprocessors import Execute

    assert Execute(config=config).timeout == 90, "the teacher's timeout should win over the course's"
    assert config.CourseDirectory.root == str(tmp_path)
    assert config.LimitOutputSize.max_chars > 0


def test_a_broken_course_block_is_refused_with_a_message(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(f"{release_exercises.BLOCK_BEGIN}\n{TEACHERS_CONFIG}")
    with pytest.raises(ValueError, match="restore the end line"):
        release_exercises.write_course_config(tmp_path)
    assert (tmp_path / "nbgrader_config.py").read_text() == f"{release_exercises.BLOCK_BEGIN}\n{TEACHERS_CONFIG}"


def test_an_earlier_release_is_replaced_only_with_force(tmp_path, capsys):
    chapter = EXERCISE_NOTEBOOKS[0].parent.name
    earlier = tmp_path / "course" / "release" / chapter / "exercises.ipynb"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("the release the students already have")
    argv = [chapter, "--course-dir", str(tmp_path / "course"), "--output", str(tmp_path / "student")]
    with pytest.raises(SystemExit) as refused:
        release_exercises.main(argv)
    assert refused.value.code == 1
    assert "--force" in capsys.readouterr().err
    assert earlier.read_text() == "the release the students already have"
    assert not (tmp_path / "student").exists()

    release_exercises.main([*argv, "--force"])
    assert "raise NotImplementedError" in earlier.read_text()
    assert (tmp_path / "student" / chapter / "exercises.ipynb").exists()



def test_one_huge_output_is_cut_to_the_course_limit(tmp_path):
    from nbformat.v4 import new_code_cell, new_output

    from lstm_course._nbgrader_course import LimitOutputSize

    release_exercises.write_course_config(tmp_path)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    limit = config.LimitOutputSize.max_chars
    one_line = "x" * 10_000_000                        # a student's print of a huge array on one line
    cell = new_code_cell(outputs=[
        new_output("stream", name="stdout", text=one_line),
        new_output("execute_result", data={"text/plain": one_line, "text/html": f"<pre>{one_line}</pre>"}),
        new_output("error", ename="ValueError", evalue=one_line, traceback=[one_line])])
    cell, _ = LimitOutputSize(config=config).preprocess_cell(cell, {}, 0)
    stream, result, error = cell.outputs
    assert len(stream.text) < limit + 200 and "truncated" in stream.text
    assert set(result.data) == {"text/plain"} and len(result.data["text/plain"]) < limit + 200
    assert len(error.evalue) < limit + 200 and all(len(line) < limit + 200 for line in error.traceback)


def test_the_late_penalty_plugin_of_the_grading_page_works():
    page = (ROOT / "teaching" / "grading.md").read_text()
    (block,) = [block for block in re.findall(r"```python\n(.*?)```", page, re.S) if "late_submission_penalty" in block]
    from traitlets.config import Config
    namespace = {"c": Config()}
    exec(block, namespace)
    plugin = namespace["c"].AssignLatePenalties.plugin_class()
    assert plugin.late_submission_penalty("ada", 7.0, 2.5 * 3600) == 2       # two and a half hours late
    assert plugin.late_submission_penalty("ada", 1.0, 50 * 3600) == 1.0      # never more than the score
