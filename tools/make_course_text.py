"""Regenerate ``lstm_course/data/course_text.txt``, the text Chapter 8's language model trains on.

The text is the course's own prose (``intro.md`` and the markdown cells of the
Chapter 1-7 notebooks, without the exercise notebooks: the package a student installs
must not carry their written answers), extracted by
:func:`lstm_course.data.corpus.extract_course_text`.
Like the rest of the repository it is under the MIT licence (see ``LICENSE``).

Run from the repository root: ``python tools/make_course_text.py``. Chapter 8's
figures and asserted numbers were computed on the committed snapshot; regenerating
it after the chapters change may move them.
"""
import os

from lstm_course.data import corpus

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

if __name__ == "__main__":
    text = corpus.extract_course_text(ROOT)
    path = os.path.join(ROOT, "lstm_course", "data", corpus.DATA_FILE)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"wrote {len(text):,} characters ({len(set(text))} distinct) to {os.path.relpath(path, ROOT)}")
