"""A whole class, round trip, through nbgrader's own exchange on one machine.

A teacher's course directory (set up by ``tools/release_exercises.py`` around the teacher's own
``nbgrader_config.py``) and a local exchange directory live in ``tmp_path``. Three chapters go
``release_assignment`` -> ``fetch_assignment`` -> edit -> ``submit`` -> ``collect`` ->
``autograde`` -> ``generate_feedback`` -> ``release_feedback`` -> ``fetch_feedback`` for three
students, each with a home and working folder of their own:

- *perfect* fills every solution cell with the instructor's code and writes every answer;
- *slips* does the same with one typical mistake per chapter (an autocorrelation without the
  mean removed, a cross-entropy gradient averaged instead of summed, an RTRL sensitivity without
  its carried term);
- *blank* submits the fetched notebooks untouched.

The instructor's side is nbgrader's ``NbGraderAPI`` (what the formgrader runs) and the students'
side nbgrader's exchange classes (what the Assignments tab runs), both configured from the
course's ``nbgrader_config.py``. One OS user plays everyone, so each student names themselves with
``CourseDirectory.student_id`` (nbgrader takes the id from the OS account, not from ``USER``),
keeps their submission cache in their own home (``Exchange.cache``, under ``$HOME`` by default),
and ``collect`` does not compare the id with the submission's owner.
"""
import html
import importlib.util
import re
import warnings
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeFactory
from traitlets.config import Config, PyFileConfigLoader

from lstm_course import _nbgrader_course as nbgrader_course

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("release_exercises", ROOT / "tools" / "release_exercises.py")
release_exercises = importlib.util.module_from_spec(spec)
spec.loader.exec_module(release_exercises)

# The three fastest exercise notebooks to autograde, and the slip the mistaken student makes in each.
SLIPS = {
    "07_preparing_sequences": ("acf-solution", "x = np.asarray(series) - np.mean(series)", "x = np.asarray(series)"),
    "08_char_language_model": ("ce-backward-solution", "return p", "return p / len(targets)"),
    "09_beyond_truncation": ("sensitivity-solution", "(direct + carried)", "direct"),
}
STUDENTS = ("perfect", "slips", "blank")
COURSE_ID = "lstm-course"
WRITTEN_ANSWER = "My answer, in my own words."
OFFLINE_MATHJAX = nbgrader_course.mathjax_script()[:200]


def solution_cells(notebook):
    """The instructor's solution cells by grade id, without nbgrader's markers (what a student writes)."""
    cells = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            lines = [line for line in cell.source.split("\n") if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line]
            cells[meta["grade_id"]] = "\n".join(lines) if cell.cell_type == "code" else WRITTEN_ANSWER
    return cells


def edit(notebook, chapter, student):
    """What ``student`` does to the fetched ``notebook`` before submitting it."""
    if student == "blank":
        return
    answers = solution_cells(ROOT / "chapters" / chapter / notebook.name)
    if student == "slips":
        grade_id, right, wrong = SLIPS[chapter]
        assert right in answers[grade_id], f"{chapter}: the solution of {grade_id} no longer has {right!r}"
        answers[grade_id] = answers[grade_id].replace(right, wrong)
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = answers[grade_id]
    nbformat.write(nb, notebook)


def student_exchange(action, config, student, home, chapter):
    """Run one of nbgrader's exchange actions (``FetchAssignment``, ``Submit``, ...) as ``student``."""
    config = Config(config)
    config.CourseDirectory.student_id = student
    config.Exchange.assignment_dir = str(home)
    config.Exchange.cache = str(home / ".local" / "share" / "jupyter" / "nbgrader_cache")
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = chapter
    factory = ExchangeFactory(config=config)
    getattr(factory, action)(coursedir=coursedir, authenticator=Authenticator(config=config), config=config).start()


def page_text(page):
    """The text a reader sees on an HTML ``page`` (code highlighting, scripts and styles removed)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def hidden_test_lines(chapter):
    """The lines of the hidden tests that the notebook shows nowhere else (statements, solutions, visible tests)."""
    notebook = nbformat.read(ROOT / "chapters" / chapter / "exercises.ipynb", as_version=4)
    source = "\n".join(cell.source for cell in notebook.cells)
    hidden = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", source, re.S)
    elsewhere = re.sub(r"### BEGIN HIDDEN TESTS\n.*?### END HIDDEN TESTS", "", source, flags=re.S)
    lines = {line.strip() for block in hidden for line in block.split("\n")}
    return sorted(line for line in lines if len(line) > 3 and line not in elsewhere)


def succeeded(result, what):
    assert result["success"], f"{what} failed:\n{result.get('log', '')}\n{result.get('error', '')}"
    return result.get("log", "")


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("class")
    course, exchange = tmp / "course", tmp / "exchange"
    course.mkdir()
    exchange.mkdir()
    # the teacher's own settings, which the release must keep
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n")
    release_exercises.release(tmp / "student_copies", list(SLIPS), course=course)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert config.CourseDirectory.course_id == COURSE_ID

    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    for chapter in SLIPS:
        succeeded(api.release_assignment(chapter), f"release_assignment {chapter}")

    student_config = Config()
    student_config.CourseDirectory.course_id = COURSE_ID
    student_config.Exchange.root = str(exchange)
    homes = {student: tmp / "home" / student for student in STUDENTS}
    for student, home in homes.items():
        home.mkdir(parents=True)
        for chapter in SLIPS:
            student_exchange("FetchAssignment", student_config, student, home, chapter)
            for notebook in (home / chapter).glob("*.ipynb"):
                edit(notebook, chapter, student)
            student_exchange("Submit", student_config, student, home, chapter)

    # one OS user plays all three students here; on a hub the owner check stays on
    config.ExchangeCollect.check_owner = False
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    logs = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for chapter in SLIPS:
            logs.append(succeeded(api.collect(chapter), f"collect {chapter}"))
            for student in STUDENTS:
                logs.append(succeeded(api.autograde(chapter, student), f"autograde {chapter} {student}"))
            logs.append(succeeded(api.generate_feedback(chapter), f"generate_feedback {chapter}"))
            logs.append(succeeded(api.release_feedback(chapter), f"release_feedback {chapter}"))
    for student, home in homes.items():
        for chapter in SLIPS:
            student_exchange("FetchFeedback", student_config, student, home, chapter)

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {(chapter, student): (gradebook.find_submission(chapter, student).score,
                                       gradebook.find_submission(chapter, student).max_score)
                  for chapter in SLIPS for student in STUDENTS}
    feedback = {(chapter, student): [path.read_text() for path in (home / chapter / "feedback").rglob("*.html")]
                for chapter in SLIPS for student, home in homes.items()}
    return {"course": course, "copies": tmp / "student_copies", "scores": scores, "feedback": feedback,
            "log": "\n".join(logs), "warnings": [str(warning.message) for warning in caught]}


def test_the_teachers_settings_survive_the_release(round_trip):
    text = (round_trip["course"] / "nbgrader_config.py").read_text()
    assert f"c.CourseDirectory.course_id = {COURSE_ID!r}" in text
    assert release_exercises.BLOCK_BEGIN in text


@pytest.mark.parametrize("chapter", SLIPS)
def test_scores_are_maximum_in_between_and_zero(round_trip, chapter):
    scores = {student: round_trip["scores"][chapter, student] for student in STUDENTS}
    perfect, maximum = scores["perfect"]
    assert maximum > 0
    assert perfect == maximum, f"the perfect student scores {scores}"
    assert 0 < scores["slips"][0] < maximum, f"one slip should cost some points, not all: {scores}"
    assert scores["blank"][0] == 0, f"a blank notebook earns nothing: {scores}"


@pytest.mark.parametrize("student", STUDENTS)
@pytest.mark.parametrize("chapter", SLIPS)
def test_fetched_feedback_keeps_results_not_hidden_tests(round_trip, chapter, student):
    (page,) = round_trip["feedback"][chapter, student]
    text = page_text(page)
    assert "BEGIN HIDDEN TESTS" not in text and "### BEGIN" not in text and "### END" not in text
    hidden = hidden_test_lines(chapter)
    assert hidden, f"{chapter} has no hidden tests"
    for line in hidden:
        assert line not in text, f"the hidden test line {line!r} is in {student}'s feedback"
    assert "{exercise}" not in page and "{doc}`" not in page and "{term}`" not in page, "raw MyST in the statements"
    assert 'class="admonition-title"' in page, "the exercise statements are not rendered as titled boxes"
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?(https?:)?//", page), "the page loads from the network"
    assert OFFLINE_MATHJAX in page, "the page does not carry the MathJax of sphinx-mathjax-offline"


@pytest.mark.parametrize("chapter", SLIPS)
def test_the_mistaken_student_reads_what_is_wrong(round_trip, chapter):
    grade_id = SLIPS[chapter][0].replace("-solution", "-tests")
    autograded = round_trip["course"] / "autograded" / "slips" / chapter / "exercises.ipynb"
    (cell,) = [cell for cell in nbformat.read(autograded, as_version=4).cells
               if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    (error,) = [output for output in cell.outputs if output.output_type == "error"]
    assert len(error.evalue) > 20, f"the failed test of {grade_id} explains nothing: {error.evalue!r}"
    (page,) = round_trip["feedback"][chapter, "slips"]
    assert html.escape(error.evalue, quote=False) in page or html.escape(error.evalue) in page


def test_the_grading_log_is_clean(round_trip):
    assert "checksum" not in round_trip["log"].lower(), round_trip["log"]
    assert not [message for message in round_trip["warnings"] if "session" in message.lower()
                or "sqlalchemy" in message.lower()], round_trip["warnings"]


def test_the_fetched_feedback_typesets_its_math_offline(round_trip):
    from browser_support import CHROMIUM_ARGS, block_network, chromium_path, serve, sync_playwright

    executable = chromium_path()
    home = round_trip["copies"].parent / "home" / "slips"
    page_path = next((home / "09_beyond_truncation" / "feedback").rglob("*.html"))
    base, server = serve(page_path.parent)
    blocked, errors = [], []
    try:
        with sync_playwright()() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            context = browser.new_context()
            block_network(context, blocked)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{base}/{page_path.name}")
            page.wait_for_selector("mjx-container svg", timeout=30_000)
            typeset = page.locator("mjx-container").count()
            browser.close()
    finally:
        server.shutdown()
    assert typeset > 10, f"only {typeset} formulas typeset"
    assert blocked == [] and errors == [], (blocked, errors)
