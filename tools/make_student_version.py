"""Make student copies of the chapter notebooks with nbgrader's own preprocessors.

Solution code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes
``raise NotImplementedError()``, markdown cells marked as solutions (the book's
``{solution}`` blocks) become "YOUR ANSWER HERE", outputs are cleared, and the
``hide-input`` tag is dropped so that students see the cell they must fill in.
Autograded test cells are kept, so a teacher can grade with nbgrader directly.

Usage::

    python tools/make_student_version.py                      # every chapter -> student/
    python tools/make_student_version.py --output out chapters/01_backpropagation/backpropagation.ipynb
"""
import argparse
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearOutput, ClearSolutions

ROOT = Path(__file__).resolve().parents[1]


def student_version(notebook):
    """Return a student copy of ``notebook`` (an nbformat NotebookNode); the input is not modified."""
    notebook = nbformat.from_dict(notebook)
    resources = {}
    for preprocessor in (ClearSolutions(), ClearOutput()):
        notebook, resources = preprocessor.preprocess(notebook, resources)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and "tags" in cell.metadata:
            cell.metadata.tags = [tag for tag in cell.metadata.tags if tag != "hide-input"]
    return notebook


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to convert (default: every notebook under chapters/)")
    parser.add_argument("--output", type=Path, default=ROOT / "student",
                        help="folder for the student copies, mirroring chapters/ (default: student/)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "chapters").rglob("*.ipynb"))
    for path in notebooks:
        path = path.resolve()
        if ".ipynb_checkpoints" in path.parts:
            continue
        relative = path.relative_to(ROOT) if path.is_relative_to(ROOT) else Path(path.name)
        target = args.output / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_version(nbformat.read(path, as_version=4)), target)
        print(f"{relative} -> {target}")


if __name__ == "__main__":
    main()
