"""What the instructor guide tells a teacher holds: points and totals, a rubric per written answer, the roster steps.

The points are checked on the built normal edition against the nbgrader metadata of the
notebooks (the sum of every graded cell's points, per chapter and for the course); the rubric
against the exercises that have a written answer; the roster and due-date commands by running
the guide's block in a fresh directory.
"""
import html as html_lib
import re
import subprocess
import sys
from pathlib import Path

import nbformat
from _book import ROOT, built_html

GUIDE = ROOT / "teaching" / "instructor_guide.md"
EXERCISE_NOTEBOOKS = sorted(ROOT.glob("chapters/*/exercises.ipynb"))
EXERCISE_TITLE = re.compile(r"```\{exercise\}\s*([^\n]*)")


def _graded_points(notebook):
    return sum(cell.metadata["nbgrader"].get("points") or 0 for cell in notebook.cells
               if cell.metadata.get("nbgrader", {}).get("grade"))


def _titles_with_written_answers(notebook):
    titles, current = [], None
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and EXERCISE_TITLE.search(cell.source):
            current = EXERCISE_TITLE.search(cell.source).group(1).strip()
        grading = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and grading.get("solution") and current not in titles:
            titles.append(current)
    return titles


def test_the_exercise_table_shows_points_and_totals_per_chapter_and_for_the_course():
    page = (built_html("normal") / "teaching" / "instructor_guide.html").read_text(encoding="utf8")
    text = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    notebooks = [nbformat.read(path, as_version=4) for path in EXERCISE_NOTEBOOKS]
    totals = [float(value) for value in re.findall(r"chapter total (\d+(?:\.\d+)?)", text)]
    assert totals == [_graded_points(notebook) for notebook in notebooks]
    count = sum(len(EXERCISE_TITLE.findall(cell.source)) for notebook in notebooks for cell in notebook.cells)
    course = re.search(r"Course total: (\d+(?:\.\d+)?) points over (\d+) exercises", text)
    assert course and (float(course.group(1)), int(course.group(2))) == (sum(totals), count)
    assert "objective points" in text  # the column's header


def test_the_guide_has_a_rubric_of_two_to_four_criteria_for_every_written_answer():
    rows = {}
    for line in GUIDE.read_text(encoding="utf8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if line.startswith("| ") and len(cells) == 2 and cells[0] != "exercise":
            rows[cells[0]] = cells[1].split("; ")
    expected = [title for path in EXERCISE_NOTEBOOKS
                for title in _titles_with_written_answers(nbformat.read(path, as_version=4))]
    assert expected and sorted(rows) == sorted(expected)
    assert all(2 <= len(criteria) <= 4 for criteria in rows.values()), rows


def test_the_roster_and_due_date_commands_work_as_shown(tmp_path):
    block = re.search(r"<!-- roster-and-due-dates:.*?-->\n```bash\n(.*?)```", GUIDE.read_text(encoding="utf8"), re.S)
    bin_folder = Path(sys.executable).parent  # nbgrader runs alembic by name
    result = subprocess.run(["bash", "-ec", block.group(1)], cwd=tmp_path, capture_output=True, text=True,
                            env={"PATH": f"{bin_folder}:/usr/bin:/bin", "HOME": str(tmp_path)}, check=True)
    assert "ada (Lovelace, Ada)" in result.stdout and "alan (Turing, Alan)" in result.stdout
    assert "06_tbptt_configurations (due: 2026-03-02 22:59:00)" in result.stdout
