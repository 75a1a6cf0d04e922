"""Release the exercise notebooks to students with nbgrader's own ``generate_assignment``.

Every notebook under ``chapters/`` that has nbgrader cells (one ``exercises.ipynb`` per
chapter) becomes an nbgrader assignment named after its chapter folder. The command lays
out an nbgrader course directory (``source/<chapter>/exercises.ipynb`` and an
``nbgrader_config.py``), runs ``nbgrader generate_assignment`` on each assignment, and
copies the released notebooks to the output folder. A released notebook has
``raise NotImplementedError()`` where solution code was, "YOUR ANSWER HERE" where a
written answer was, no hidden tests, and no outputs.

Usage (from the repository root)::

    python tools/release_exercises.py                          # student copies -> student/
    python tools/release_exercises.py --course-dir ~/course    # also keep the nbgrader course directory
    python tools/release_exercises.py 06_tbptt_configurations  # one chapter

Keep the course directory to autograde submissions later (``nbgrader autograde <chapter>``):
its ``gradebook.db`` holds the checksums and the hidden tests.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

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


def prepare_course(course, notebooks):
    """Write an nbgrader course directory holding ``notebooks`` as the assignments' sources."""
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.ExecutePreprocessor.timeout = 300\n")
    for chapter, paths in notebooks.items():
        source = course / "source" / chapter
        source.mkdir(parents=True, exist_ok=True)
        for path in paths:
            shutil.copy(path, source / path.name)


def generate_assignment(course, chapter):
    """Run ``nbgrader generate_assignment`` for one chapter; return the released folder."""
    nbgrader = Path(sys.executable).with_name("nbgrader")
    # nbgrader runs alembic by name: the interpreter's bin folder must be on PATH.
    env = {**os.environ, "PATH": f"{nbgrader.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run([str(nbgrader), "generate_assignment", chapter, "--force"], cwd=course, check=True, env=env)
    return course / "release" / chapter


def release(output, chapters=None, course=None):
    """Release ``chapters`` (default: all) to ``output``; return the released notebook paths."""
    notebooks = exercise_notebooks()
    unknown = set(chapters or ()) - set(notebooks)
    if unknown:
        raise ValueError(f"no exercise notebook in chapter folder(s) {sorted(unknown)}; "
                         f"known: {sorted(notebooks)}")
    notebooks = {chapter: notebooks[chapter] for chapter in (chapters or notebooks)}
    with tempfile.TemporaryDirectory() as scratch:
        course = Path(course).resolve() if course else Path(scratch) / "course"
        course.mkdir(parents=True, exist_ok=True)
        prepare_course(course, notebooks)
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
    args = parser.parse_args(argv)
    for path in release(args.output, args.chapters, args.course_dir):
        print(path)


if __name__ == "__main__":
    main()
