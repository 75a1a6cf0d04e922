"""Two editions of one book: the student edition hides every solution, the normal one hides the markers.

Both HTML builds are real (``jupyter-book build`` and ``tools/build_student_edition.py``).
The test collects, from every exercise notebook, the lines of solution code, hidden tests
and solution prose, and looks for them in the text of every page. The normal edition must
contain them (so the search can succeed) and the student edition must not.
"""
import html as html_lib
import re
from html.parser import HTMLParser

import nbformat
import pytest
from _book import ROOT, built_html

EXERCISE_NOTEBOOKS = sorted(ROOT.glob("chapters/*/exercises.ipynb"))
REGIONS = [("### BEGIN SOLUTION", "### END SOLUTION"), ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def normalise(text):
    """Words only: markdown, math delimiters and code punctuation render differently in HTML."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def page_text(path):
    parser = _Text()
    parser.feed(path.read_text())
    return normalise(html_lib.unescape(" ".join(parser.parts)))


def secret_lines(notebook):
    """Distinctive lines a student must not see: solution code, hidden tests, solution prose.

    A line that the notebook also shows outside those regions (a visible test that repeats a
    hidden one's setup, or the exercise's text quoting a loop, say) is no secret.
    """
    secrets, visible = [], []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and meta.get("solution"):
            secrets += [line for line in cell.source.splitlines()[1:] if not line.startswith((":", "```"))]
            continue
        source = cell.source
        for begin, end in REGIONS:
            pattern = re.escape(begin) + r"\n(.*?)\n\s*" + re.escape(end)
            for region in re.findall(pattern, source, re.S):
                secrets += region.splitlines()
            source = re.sub(pattern, "", source, flags=re.S)
        visible += source.splitlines()
    shown = " | ".join(normalise(line) for line in visible)
    # Short lines ("return dx", "pass") could legitimately appear elsewhere.
    return sorted({normalise(line) for line in secrets
                   if len(normalise(line).split()) >= 6 and normalise(line) not in shown})


def chapter_pages(html_root):
    return {path: page_text(path) for path in sorted((html_root / "chapters").rglob("*.html"))}


@pytest.fixture(scope="module")
def normal_pages():
    return chapter_pages(built_html("normal"))


@pytest.fixture(scope="module")
def student_pages():
    return chapter_pages(built_html("student"))


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=lambda p: p.parent.name)
def test_student_edition_has_no_solution_code_hidden_tests_or_prose(path, normal_pages, student_pages):
    secrets = secret_lines(nbformat.read(path, as_version=4))
    assert secrets, "the exercise notebook has solutions to hide"
    page = f"chapters/{path.parent.name}/exercises.html"
    normal = next(text for html_path, text in normal_pages.items() if html_path.as_posix().endswith(page))
    shown = [line for line in secrets if line in normal]
    assert len(shown) >= 0.8 * len(secrets), "the normal edition should show the solutions the test looks for"
    # Chapter pages print the package's own code, which an implement-exercise asks the student to
    # rewrite, and generic lines recur across notebooks; what must not leak is this page's solutions.
    student = next(text for html_path, text in student_pages.items() if html_path.as_posix().endswith(page))
    leaked = [line for line in secrets if line in student]
    assert not leaked, f"the student edition shows solution text: {leaked[:5]}"


def test_student_edition_keeps_the_exercises(student_pages):
    exercise_pages = [text for path, text in student_pages.items() if path.name == "exercises.html"]
    assert len(exercise_pages) == len(EXERCISE_NOTEBOOKS)
    assert all("objective" in text and "raise notimplementederror" in text for text in exercise_pages)


def test_normal_edition_shows_no_nbgrader_markers(normal_pages):
    for path, text in normal_pages.items():
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in text, f"{path.name} shows {marker!r} to readers"
