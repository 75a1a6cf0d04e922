"""Nothing secret reaches a student: every file of the student edition, and the installed package's data.

What is secret is defined once, in ``_ext/course_editions.py`` (``secret_texts``: solution
code, written answers, hidden tests; ``secret_lines``: their lines, normalised to words, that
are long enough to identify a solution, that the released notebook does not show anyway, and
that the course does not publish elsewhere: a line of the package's source or of a chapter).
The scanner here opens every file under a folder, zip archives and their members included
(an archive inside an archive too), reads HTML as its text and JSON (notebooks) as its strings,
and reports each secret line it finds.

Both HTML builds are real (``jupyter-book build`` and ``tools/build_student_edition.py``, which
reuses the normal build's execution cache). ``BOOK_HTML`` and ``STUDENT_BOOK_HTML`` name editions
built just before the tests, which are then used as they are.
"""
import html as html_lib
import importlib.resources
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from _book import ROOT, built_html

sys.path.insert(0, str(ROOT / "_ext"))
from course_editions import normalise, public_text, released_copy, secret_lines  # noqa: E402

EXERCISE_NOTEBOOKS = sorted(ROOT.glob("chapters/*/exercises.ipynb"))
ARCHIVE, STUDENT_ARCHIVE = "lstm-course-notebooks.zip", "lstm-course-student-notebooks.zip"


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def readings(name, data):
    """(name, text) for each way a reader could see ``data``; a zip archive yields its members' readings."""
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield from readings(f"{name}!{member}", archive.read(member))
        return
    text = data.decode("utf8", errors="ignore")
    yield name, text
    if name.endswith((".html", ".htm")):
        parser = _Text()
        parser.feed(text)
        yield name, html_lib.unescape("\n".join(parser.parts))
    if name.endswith((".ipynb", ".json")):
        try:
            yield name, "\n".join(_strings(json.loads(text)))
        except ValueError:
            pass


def scan(root, secrets):
    """Scan the file ``root`` or every file under it: (files and archive members read, archives opened, leaks)."""
    read, archives, leaks = set(), 0, []
    paths, base = ([root], root.parent) if root.is_file() else (sorted(root.rglob("*")), root)
    for path in paths:
        if not path.is_file():
            continue
        data = path.read_bytes()
        archives += data[:4] == b"PK\x03\x04"
        for name, text in readings(path.relative_to(base).as_posix(), data):
            read.add(name)
            words = normalise(text)
            present = set(words.split())
            leaks += [(name, line) for line in secrets if present.issuperset(line.split()) and line in words]
    return len(read), archives, sorted(set(leaks))


@pytest.fixture(scope="module")
def secrets():
    public = public_text(ROOT)
    return {path: secret_lines(nbformat.read(path, as_version=4), public) for path in EXERCISE_NOTEBOOKS}


@pytest.fixture(scope="module")
def all_secrets(secrets):
    return sorted({line for lines in secrets.values() for line in lines})


@pytest.fixture(scope="module")
def normal_html():
    return built_html("normal")


@pytest.fixture(scope="module")
def student_html():
    return Path(os.environ["STUDENT_BOOK_HTML"]) if os.environ.get("STUDENT_BOOK_HTML") else built_html("student")


def test_the_scanner_finds_a_secret_in_a_page_a_notebook_and_an_archive_in_an_archive(tmp_path):
    secret = "dh_prev = dh @ Wh.T * (1 - h_prev ** 2)"
    (tmp_path / "page.html").write_text('<pre><span class="n">dh_prev</span> <span class="o">=</span> dh '
                                        '<span class="o">@</span> Wh.T * (1 - h_prev ** 2)</pre>')
    notebook = json.dumps({"cells": [{"source": ["x = 1\n", "dh_prev = dh @ Wh.T \\\n", "  * (1 - h_prev ** 2)"]}]})
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("deep/exercises.ipynb", notebook)
    with zipfile.ZipFile(tmp_path / "outer.zip", "w") as archive:
        archive.writestr("inner.zip", inner.getvalue())
    (tmp_path / "clean.js").write_text("var dh_prev = 0; // nothing else")
    read, archives, leaks = scan(tmp_path, [normalise(secret)])
    assert read == 3 and archives == 1  # clean.js, page.html (read twice: as markup and as text), the notebook
    assert {name for name, _ in leaks} == {"page.html", "outer.zip!inner.zip!deep/exercises.ipynb"}


def test_every_exercise_notebook_has_secrets_and_the_normal_edition_shows_them(secrets, normal_html):
    """The normal edition is the scanner's positive control: its source files hold every secret line."""
    assert all(len(lines) >= 20 for lines in secrets.values()), {p.parent.name: len(v) for p, v in secrets.items()}
    for path, lines in secrets.items():
        relative = path.relative_to(ROOT)
        _, _, in_source = scan(normal_html / "_sources" / relative, lines)
        assert {line for _, line in in_source} == set(lines), f"the scanner misses secrets of {relative}"
        _, _, on_page = scan(normal_html / relative.with_suffix(".html"), lines)
        assert len({line for _, line in on_page}) >= 0.8 * len(lines), f"the page hides solutions of {relative}"


def test_no_file_of_the_student_edition_holds_a_secret(all_secrets, student_html):
    read, archives, leaks = scan(student_html, all_secrets)
    assert read > 500 and archives >= 2, (read, archives)
    assert not leaks, f"{len(leaks)} secret lines in the student edition, for example {leaks[:5]}"


def test_the_student_edition_serves_released_notebooks_and_keeps_the_exercises(student_html):
    for path in EXERCISE_NOTEBOOKS:
        relative = path.relative_to(ROOT)
        download = nbformat.read(student_html / "_sources" / relative, as_version=4)
        assert any("raise NotImplementedError" in cell.source for cell in download.cells), relative
        page = (student_html / relative.with_suffix(".html")).read_text(encoding="utf8")
        assert "Objective" in page and "NotImplementedError" in page, relative
        assert f'href="../../_sources/{relative.as_posix()}" download' in page, "the download button serves it"
    with zipfile.ZipFile(student_html / ARCHIVE) as archive:
        names = set(archive.namelist())
    assert {f"lstm-course/{path.relative_to(ROOT).as_posix()}" for path in EXERCISE_NOTEBOOKS} <= names


def test_the_released_copy_is_what_nbgrader_generate_assignment_releases(tmp_path):
    notebook = max(EXERCISE_NOTEBOOKS, key=lambda path: path.stat().st_size)
    chapter = notebook.parent.name
    (tmp_path / "source" / chapter).mkdir(parents=True)
    shutil.copy(notebook, tmp_path / "source" / chapter / notebook.name)
    (tmp_path / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.root = {str(tmp_path)!r}\n")
    nbgrader = Path(sys.executable).with_name("nbgrader")
    env = {**os.environ, "PATH": f"{nbgrader.parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # alembic by name
    subprocess.run([str(nbgrader), "generate_assignment", chapter], cwd=tmp_path, check=True, env=env,
                   capture_output=True)
    released = nbformat.read(tmp_path / "release" / chapter / notebook.name, as_version=4)
    ours = released_copy(nbformat.read(notebook, as_version=4))
    assert [(cell.cell_type, cell.source) for cell in ours.cells] == \
        [(cell.cell_type, cell.source) for cell in released.cells]


def test_the_normal_edition_offers_the_released_notebooks_without_secrets(all_secrets, normal_html):
    archive = normal_html / STUDENT_ARCHIVE
    with zipfile.ZipFile(archive) as opened:
        names = set(opened.namelist())
        released = [nbformat.reads(opened.read(f"lstm-course-student/{path.relative_to(ROOT).as_posix()}"),
                                   as_version=4) for path in EXERCISE_NOTEBOOKS]
    assert {f"lstm-course-student/{name}" for name in ("lstm_course/__init__.py", "_vendor/package.json",
                                                       "experiments/results/char_lm_runs.csv",
                                                       "requirements.txt", "pyproject.toml")} <= names
    assert all(any("raise NotImplementedError" in cell.source for cell in notebook.cells) for notebook in released)
    _, _, leaks = scan(archive, all_secrets)
    assert not leaks, f"{len(leaks)} secret lines in {STUDENT_ARCHIVE}, for example {leaks[:5]}"


def test_the_installed_package_data_holds_no_secret(all_secrets):
    data = Path(str(importlib.resources.files("lstm_course").joinpath("data")))
    read, _, leaks = scan(data, all_secrets)
    assert read >= 1
    assert not leaks, f"{len(leaks)} secret lines in the package's data, for example {leaks[:5]}"


def test_normal_edition_shows_no_nbgrader_markers(normal_html):
    for path in sorted((normal_html / "chapters").rglob("*.html")):
        text = path.read_text(encoding="utf8")
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in text, f"{path.name} shows {marker!r} to readers"
