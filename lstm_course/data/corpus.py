"""The text of Chapter 8's language model: the course's own prose.

The course needs a real text of more than 100,000 characters that ships with
the repository under a clear licence. Its own prose is one: the markdown cells
of the Chapter 1-7 notebooks and ``intro.md``, MIT-licensed like the rest of the
repository. The exercise notebooks (those in nbgrader's format) are left out: their
written answers must not ship with the package a student installs. :func:`extract_course_text` turns
the sources into plain text; the snapshot ``lstm_course/data/course_text.txt``
is what the chapter trains on (regenerate it with
``python tools/make_course_text.py``), so the book does not change its data
whenever a chapter is edited.
"""
import glob
import importlib.resources
import json
import os
import re
import unicodedata

SOURCE_CHAPTERS = ("01", "02", "03", "04", "05", "06", "07")
DATA_FILE = "course_text.txt"
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(\S*)")
_DROPPED_LINE = re.compile(r"^\s*(:::|:[a-z-]+:|<!--|\{)")


def _prose_lines(lines):
    """Drop fenced code blocks; keep the body of MyST directive fences (```{exercise} ...) without the fences."""
    open_fences = []  # (marker, keep the body?)
    for line in lines:
        fence = _FENCE.match(line)
        if fence and open_fences and fence.group(1) == open_fences[-1][0] and not fence.group(2):
            open_fences.pop()
            continue
        if fence:
            open_fences.append((fence.group(1), fence.group(2).startswith("{")))
            continue
        if all(keep for _, keep in open_fences) and not _DROPPED_LINE.match(line):
            yield line


def clean_markdown(source):
    """Plain text from one markdown cell.

    Drops what is markup rather than prose (fenced code blocks, the fences and
    ``:option:`` lines of MyST directives, whose bodies are kept, HTML comments), turns MyST roles
    such as ``{term}`` into their text, reduces every character to
    printable ASCII (NFKD, then characters without an ASCII form are dropped)
    and collapses runs of blank lines.
    """
    if not isinstance(source, str):
        raise ValueError(f"source must be the text of a markdown cell (a str), got {type(source).__name__}")
    text = "\n".join(_prose_lines(source.splitlines()))
    text = re.sub(r"\{[a-z]+\}`([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", text)  # {term}`x <y>` -> x
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if ch == "\n" or 32 <= ord(ch) < 127)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _is_exercise_notebook(cells):
    return any("nbgrader" in cell.get("metadata", {}) for cell in cells)


def extract_course_text(root):
    """Concatenate the cleaned prose of ``intro.md`` and the chapter notebooks under ``root``.

    Exercise notebooks (any cell with nbgrader metadata) are skipped.

    Parameters
    ----------
    root : str
        The repository root (the folder holding ``intro.md`` and ``chapters/``).

    Returns
    -------
    str
        Cells in a fixed order (intro, then the notebooks of each chapter in
        file-name order), separated by blank lines.
    """
    if not isinstance(root, (str, os.PathLike)) or not os.path.isfile(os.path.join(root, "intro.md")):
        raise ValueError(f"root must be the repository root holding intro.md, got {root!r}")
    with open(os.path.join(root, "intro.md"), encoding="utf-8") as handle:
        parts = [clean_markdown(handle.read())]
    for chapter in SOURCE_CHAPTERS:
        for path in sorted(glob.glob(os.path.join(root, "chapters", f"{chapter}_*", "*.ipynb"))):
            with open(path, encoding="utf-8") as handle:
                cells = json.load(handle)["cells"]
            if _is_exercise_notebook(cells):
                continue
            parts += [clean_markdown("".join(cell["source"])) for cell in cells if cell["cell_type"] == "markdown"]
    return "\n\n".join(part for part in parts if part) + "\n"


def load_course_text():
    """The shipped snapshot of :func:`extract_course_text` (``lstm_course/data/course_text.txt``)."""
    return importlib.resources.files("lstm_course").joinpath("data", DATA_FILE).read_text(encoding="utf-8")


def train_validation_split(text, validation_fraction=0.1):
    """Split ``text`` into a training stream (the first part) and a validation stream (the rest).

    A contiguous split, not a random one: the validation text is prose the model
    has never seen, and both parts stay streams that can be read in order.

    Returns
    -------
    train, validation : str
    """
    if not isinstance(text, str) or len(text) < 2:
        raise ValueError(f"text must be a string of at least 2 characters, got {type(text).__name__}")
    fraction = validation_fraction
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0.0 < fraction < 1.0:
        raise ValueError(f"validation_fraction must be a number strictly between 0 and 1, got {fraction!r}")
    cut = min(len(text) - 1, max(1, int(round(len(text) * (1.0 - fraction)))))
    return text[:cut], text[cut:]
