"""The exercises work for teachers: counts, format, student releases that fail where they should.

Exercises live in one ``exercises.ipynb`` per chapter. Student copies are made by
``tools/release_exercises.py`` (nbgrader's ``generate_assignment``); each is executed
here, and it must fail exactly at the exercise cells: at a solution stub or at an
autograded test, never earlier, and every autograded test must fail.
"""
import importlib
import importlib.util
import inspect
import pkgutil
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import lstm_course
from lstm_course import checks

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(path for path in (ROOT / "chapters").iterdir() if path.is_dir() and path.name[:2].isdigit())
EXERCISE_NOTEBOOKS = sorted(ROOT.glob("chapters/*/exercises.ipynb"))

spec = importlib.util.spec_from_file_location("release_exercises", ROOT / "tools" / "release_exercises.py")
release_exercises = importlib.util.module_from_spec(spec)
spec.loader.exec_module(release_exercises)

EXERCISE = re.compile(r"```\{exercise\}(.*?)\n```", re.S)


def exercises(path):
    notebook = nbformat.read(path, as_version=4)
    return [match.group(1) for cell in notebook.cells if cell.cell_type == "markdown"
            for match in EXERCISE.finditer(cell.source)]


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


def test_at_least_32_exercises_and_10_implement_exercises():
    blocks = [block for path in EXERCISE_NOTEBOOKS for block in exercises(path)]
    implement = [block for block in blocks if "**Kind:** implement" in block]
    assert len(blocks) >= 32, f"{len(blocks)} exercises"
    assert len(implement) >= 10, f"{len(implement)} implement-exercises"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_every_chapter_has_four_exercises_in_its_own_notebook(chapter):
    path = chapter / "exercises.ipynb"
    assert path.exists(), f"{chapter.name} has no exercises.ipynb"
    assert len(exercises(path)) >= 4
    for other in chapter.glob("*.ipynb"):
        if other != path:
            cells = nbformat.read(other, as_version=4).cells
            assert not any("nbgrader" in cell.metadata for cell in cells), f"{other.name} has nbgrader cells"


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=lambda p: p.parent.name)
def test_every_exercise_states_kind_difficulty_objective_and_time(path):
    for block in exercises(path):
        title = block.splitlines()[0].strip()
        assert re.search(r"\*\*Kind:\*\* (derive|implement|experiment)", block), title
        assert re.search(r"\*\*Difficulty:\*\* [★☆]{3}", block), title
        assert re.search(r"\*\*Time:\*\* \d+ min", block), title
        assert "**Objective:**" in block, title


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=lambda p: p.parent.name)
def test_implement_exercises_have_a_checker_and_hidden_tests(path):
    notebook = nbformat.read(path, as_version=4)
    implement = sum("**Kind:** implement" in block for block in exercises(path))
    graded = [cell for cell in notebook.cells if cell.cell_type == "code" and nbgrader_meta(cell).get("grade")]
    with_checker = [cell for cell in graded if "checks.check_" in cell.source
                    and "### BEGIN HIDDEN TESTS" in cell.source]
    assert len(with_checker) >= implement, "each implement-exercise: a checker call and hidden tests"
    solutions = [cell for cell in notebook.cells if cell.cell_type == "code" and nbgrader_meta(cell).get("solution")]
    assert len(graded) >= len(solutions), "every solution cell has an autograded test cell"


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=lambda p: p.parent.name)
def test_released_copy_fails_exactly_at_the_exercises(path, tmp_path):
    (released,) = release_exercises.release(tmp_path, [path.parent.name])
    text = released.read_text()
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "{solution}"):
        assert marker not in text
    student = nbformat.read(released, as_version=4)
    NotebookClient(student, timeout=300, allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in student.cells:
        failed = any(output.output_type == "error" for output in cell.get("outputs", []))
        meta = nbgrader_meta(cell)
        if failed:
            assert meta.get("solution") or meta.get("grade"), f"a cell before the exercises fails:\n{cell.source}"
        if cell.cell_type == "code" and meta.get("grade"):
            assert failed, f"test cell {meta['grade_id']} passes without a solution"


def package_functions():
    """Every function of the core package by name: not ``checks``, and not the
    ``plots`` or ``widgets`` layers, which draw what the core computed and may
    reuse a core name (``plots.tbptt_schedule`` draws ``tbptt_schedule``'s output)."""
    found = {}
    display_layers = ("lstm_course.checks", "lstm_course.plots", "lstm_course.widgets")
    for module_info in pkgutil.walk_packages(lstm_course.__path__, "lstm_course."):
        if module_info.name.startswith(display_layers):
            continue
        module = importlib.import_module(module_info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__:
                found.setdefault(name, function)
    return found


CHECKERS = sorted(name for name in dir(checks) if name.startswith("check_"))


@pytest.mark.parametrize("checker", CHECKERS)
def test_every_checker_rejects_a_call_to_its_reference(checker, capsys):
    reference = package_functions()[checker.removeprefix("check_")]
    verdict = getattr(checks, checker)(lambda *args: reference(*args))
    assert not verdict and "ran the course's" in verdict.message
    assert capsys.readouterr().out == ""                      # the verdict carries the message; nothing printed


@pytest.mark.parametrize("checker", CHECKERS)
def test_every_checker_has_mutation_tests(checker):
    sources = "".join(path.read_text() for path in (ROOT / "tests").glob("test_checks_*.py"))
    assert sources.count(checker) >= 2, f"{checker} needs tests that reject plausible wrong implementations"


LIST_MARKER = re.compile(r"\s*(\d+[.)]|[-*+])\s")


def accidental_list_items(statement):
    """Lines of an exercise statement that Markdown would start a list with in mid-sentence.

    A line that begins with ``1)``, ``1.``, ``-``, ``*`` or ``+`` interrupts the paragraph above it
    and renders as a list item, unless the paragraph was introducing a list (it ends with a colon).
    """
    lines = statement.split("\n")
    return [line for previous, line in zip(lines, lines[1:])
            if LIST_MARKER.match(line) and previous.strip() and not previous.rstrip().endswith(":")
            and not LIST_MARKER.match(previous) and not previous.startswith("  ")]


def test_the_list_check_finds_a_number_wrapped_to_the_start_of_a_line():
    assert accidental_list_items("an array of length K (entry 0 equal to\n1) computed by least squares")
    assert not accidental_list_items("Return three arrays:\n- `dx`, shape (N, D)\n- `dh`, shape (N, H)")


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=lambda path: path.parent.name)
def test_no_exercise_statement_renders_a_list_in_mid_sentence(path):
    cells = nbformat.read(path, as_version=4).cells
    statements = [match.group(1) for cell in cells if cell.cell_type == "markdown"
                  for match in re.finditer(r"```\{exercise\}[^\n]*\n(.*?)\n```", cell.source, re.S)]
    assert statements
    wrapped = [line for statement in statements for line in accidental_list_items(statement)]
    assert not wrapped, f"these lines start a Markdown list in mid-sentence; rewrap them: {wrapped}"
