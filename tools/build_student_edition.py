"""Build the student edition of the book: exercises without solutions, hidden tests or written answers.

Usage (from the repository root)::

    python tools/build_student_edition.py            # -> _build/student/_build/html/index.html

It builds the same sources as ``jupyter-book build .`` with ``_config.yml`` plus three
settings: ``course_edition: student`` (``_ext/course_editions.py`` passes every exercise
notebook through nbgrader's ``ClearSolutions`` and ``ClearHiddenTests``, drops the
written answers from the pages, serves the released notebooks as the pages' source
downloads and in the notebooks archive, and replaces the instructor guide by a short
page), ``hide_solutions: true`` (sphinx-exercise removes any ``{solution}`` block), and
no execution of the exercise notebooks (their stubs raise ``NotImplementedError`` by
design). Chapter notebooks reuse the normal build's execution cache
(``_build/.jupyter_cache``, or ``--cache``).
"""
import argparse
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def student_config(root=ROOT, cache=ROOT / "_build" / ".jupyter_cache"):
    """The normal ``_config.yml`` with the student edition's settings."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    config["sphinx"]["local_extensions"] = {name: str(root / path)
                                            for name, path in config["sphinx"]["local_extensions"].items()}
    config["sphinx"]["config"].update(course_edition="student", hide_solutions=True)
    config["execute"].update(cache=str(cache), exclude_patterns=["exercises.ipynb"])
    config["title"] = f"{config['title']} (student edition)"
    return config


def build(output=ROOT / "_build" / "student", extra_args=(), cache=ROOT / "_build" / ".jupyter_cache"):
    """Write the config next to the output and run ``jupyter-book build``; return the HTML folder."""
    output.mkdir(parents=True, exist_ok=True)
    config_path = output / "_config_student.yml"
    config_path.write_text(yaml.safe_dump(student_config(cache=cache), sort_keys=False, allow_unicode=True))
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT),
               "--config", str(config_path), "--path-output", str(output), *extra_args]
    subprocess.run(command, check=True)
    return output / "_build" / "html"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "_build" / "student",
                        help="build folder (default: _build/student)")
    parser.add_argument("--cache", type=Path, default=ROOT / "_build" / ".jupyter_cache",
                        help="the normal build's execution cache (default: _build/.jupyter_cache)")
    parser.add_argument("jupyter_book_args", nargs="*", help="passed on, e.g. -- -W -n --keep-going")
    args = parser.parse_args(argv)
    html = build(args.output.resolve(), args.jupyter_book_args, args.cache.resolve())
    print(f"student edition: {html / 'index.html'}")


if __name__ == "__main__":
    main()
