"""Release the exercise notebooks to students with nbgrader's own ``generate_assignment``.

Every notebook under ``chapters/`` that has nbgrader cells (one ``exercises.ipynb`` per
chapter) becomes an nbgrader assignment named after its chapter folder. The command lays
out an nbgrader course directory (``source/<chapter>/exercises.ipynb`` and an
``nbgrader_config.py``), runs nbgrader's ``generate_assignment`` on each assignment, and
copies the released notebooks to the output folder. A released notebook has
``raise NotImplementedError()`` where solution code was, "YOUR ANSWER HERE" where a
written answer was, no hidden tests, and no outputs.

Usage (from the repository root)::

    python tools/release_exercises.py                          # student copies -> student/
    python tools/release_exercises.py --course-dir ~/course    # also keep the nbgrader course directory
    python tools/release_exercises.py 06_tbptt_configurations  # one chapter
    python tools/release_exercises.py --force                  # replace an earlier release

Keep the course directory to autograde submissions later (``nbgrader autograde <chapter>``):
its ``gradebook.db`` holds the checksums and the hidden tests. Its ``nbgrader_config.py`` gets
the course's grading settings (timeout, output limit, feedback without hidden-test code, offline
MathJax) in a marked block at the top; a teacher's own settings in that file are kept, below it.
An earlier release of a chapter (in the course directory or the output folder) is replaced only
with ``--force``. See ``teaching/grading.md``.
"""
import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import PyFileConfigLoader

from lstm_course._nbgrader_course import write_feedback_template

ROOT = Path(__file__).resolve().parents[1]


def exercise_notebooks(root=ROOT):
    """Notebooks under ``chapters/`` with nbgrader cells, by chapter folder name."""
    notebooks = {}
    for path in sorted((root / "chapters").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        if any("nbgrader" in cell.metadata for cell in nbformat.read(path, as_version=4).cells):
            notebooks.setdefault(path.parent.name, []).append(path)
    return notebooks


# The slowest cell of the nine instructor notebooks took 13 to 15 s (Chapter 6's search for the
# smallest k2, on the course's 2-core test machine); a cell that runs three times as long is stuck.
CELL_TIMEOUT = 45
BLOCK_BEGIN = "# >>> lstm_course grading settings (tools/release_exercises.py rewrites this block) >>>"
BLOCK_END = "# <<< lstm_course grading settings <<<"
COURSE_SETTINGS = f"""{BLOCK_BEGIN}
# Put your own settings (course_id, Exchange.root, late penalties) below this block: they win.
import os as _os

from lstm_course import _nbgrader_course as _course

c = get_config()  # noqa: F821 (nbgrader provides get_config)
c.CourseDirectory.root = _os.path.dirname(_os.path.abspath(__file__))
# A per-cell limit sized to the course (see teaching/grading.md), so one endless loop costs 45 s.
c.ExecutePreprocessor.timeout = {CELL_TIMEOUT}
# Feedback of readable size: 1000 lines of printed output, 20,000 characters in any one output.
c.LimitOutput.max_lines = 1000
c.LimitOutputSize.max_chars = 20_000
# Untouched locked cells get their hidden tests back without a "checksum has changed" warning.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput", "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec", "lstm_course._nbgrader_course.RestoreHiddenTests",
    "nbgrader.preprocessors.CheckCellMetadata"]
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute", "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor", "lstm_course._nbgrader_course.LimitOutputSize",
    "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata"]
# Feedback: the hidden tests' results without their code, the statements rendered, MathJax inside.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades", "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "lstm_course._nbgrader_course.FeedbackWithoutTestSource", "lstm_course._nbgrader_course.RenderMyST"]
# templates/feedback/mathjax.html.j2 comes first and replaces the macro that loads MathJax from a CDN
c.HTMLExporter.extra_template_basedirs = [
    _os.path.join(c.CourseDirectory.root, "templates"), _course.NBGRADER_TEMPLATES]
c.HTMLExporter.filters = {{"offline_mathjax": "lstm_course._nbgrader_course.mathjax_script"}}
{BLOCK_END}
"""


def write_course_config(course):
    """Write or update ``course/nbgrader_config.py``; return what was done, for the teacher.

    A teacher's own settings are kept: the course's block goes first (so a setting below it
    wins), and a later run replaces only that block.
    """
    path = course / "nbgrader_config.py"
    write_feedback_template(course / "templates")
    if not path.exists():
        path.write_text(COURSE_SETTINGS)
        return f"wrote {path}"
    text = path.read_text()
    if BLOCK_BEGIN in text:
        if BLOCK_END not in text.split(BLOCK_BEGIN, 1)[1]:
            raise ValueError(f"{path} has the line {BLOCK_BEGIN!r} but not {BLOCK_END!r}: "
                             "restore the end line or delete the block, then run again")
        before, rest = text.split(BLOCK_BEGIN, 1)
        after = rest.split(BLOCK_END, 1)[1].removeprefix("\n")
        path.write_text(before + COURSE_SETTINGS + after)
        return f"updated the lstm_course block of {path}; the rest is as you left it"
    path.write_text(COURSE_SETTINGS + "\n# --- your settings, as they were ---\n" + text)
    return f"added the lstm_course block at the top of {path}; your settings below it are kept and win"


def existing_releases(course, output, chapters):
    """The released folders that releasing ``chapters`` would overwrite."""
    folders = [course / "release" / chapter for chapter in chapters]
    folders += [Path(output) / chapter for chapter in chapters]
    return [folder for folder in folders if folder.is_dir() and any(folder.iterdir())]


def prepare_course(course, notebooks):
    """Lay out an nbgrader course directory holding ``notebooks`` as the assignments' sources."""
    message = write_course_config(course)
    for chapter, paths in notebooks.items():
        source = course / "source" / chapter
        source.mkdir(parents=True, exist_ok=True)
        for path in paths:
            shutil.copy(path, source / path.name)
    return message


def generate_assignment(course, chapter):
    """Run nbgrader's ``generate_assignment`` for one chapter; return the released folder.

    It runs in this process, through the API that nbgrader's formgrader uses, with the course's
    ``nbgrader_config.py``: one start of nbgrader for every chapter instead of one each.
    """
    # nbgrader runs alembic by name when it creates the gradebook: this interpreter's bin folder first.
    bin_folder = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_folder:
        os.environ["PATH"] = f"{bin_folder}{os.pathsep}{os.environ.get('PATH', '')}"
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    result = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config).generate_assignment(chapter)
    print(result.get("log", ""), end="", file=sys.stderr)
    if not result["success"]:
        raise ValueError(f"nbgrader generate_assignment {chapter} failed:\n{result.get('error', '')}")
    return course / "release" / chapter


def release(output, chapters=None, course=None, force=False):
    """Release ``chapters`` (default: all) to ``output``; return the released notebook paths.

    Refuses (``ValueError``) to overwrite an earlier release in ``course`` or ``output`` unless
    ``force``.
    """
    notebooks = exercise_notebooks()
    unknown = set(chapters or ()) - set(notebooks)
    if unknown:
        raise ValueError(f"no exercise notebook in chapter folder(s) {sorted(unknown)}; "
                         f"known: {sorted(notebooks)}")
    notebooks = {chapter: notebooks[chapter] for chapter in (chapters or notebooks)}
    with tempfile.TemporaryDirectory() as scratch:
        course = Path(course).resolve() if course else Path(scratch) / "course"
        existing = existing_releases(course, output, notebooks)
        if existing and not force:
            raise ValueError("already released, not overwritten: "
                             + ", ".join(str(folder) for folder in existing)
                             + "; run again with --force to replace them")
        course.mkdir(parents=True, exist_ok=True)
        print(prepare_course(course, notebooks), file=sys.stderr)
        released = []
        for chapter in notebooks:
            target = Path(output) / chapter
            shutil.copytree(generate_assignment(course, chapter), target, dirs_exist_ok=True)
            released.extend(sorted(target.glob("*.ipynb")))
    return released


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter folder names (default: every chapter with exercises)")
    parser.add_argument("--output", type=Path, default=ROOT / "student", help="student copies (default: student/)")
    parser.add_argument("--course-dir", type=Path, help="keep the nbgrader course directory here")
    parser.add_argument("--force", action="store_true", help="replace an earlier release of these chapters")
    args = parser.parse_args(argv)
    try:
        released = release(args.output, args.chapters, args.course_dir, args.force)
    except ValueError as error:
        parser.exit(1, f"release_exercises: {error}\n")
    for path in released:
        print(path)


if __name__ == "__main__":
    main()
