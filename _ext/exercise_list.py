"""Sphinx extension: ``{exercise-list}``, a table of every exercise read from the notebooks.

The instructor guide shows it, so the list of exercises, with kind, difficulty, time,
objective and points, can never drift from the exercises themselves. An exercise's points
are the nbgrader points of the graded cells between its statement and the next one (its
autograded tests and its written answer); each chapter's table ends with its total, and a
line after the last one gives the course's.
"""
import re
from pathlib import Path

import nbformat
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

EXERCISE = re.compile(r"```\{exercise\}\s*(?P<title>[^\n]*)\n(?P<body>.*?)\n```", re.S)
FIELD = r"\*\*{}:\*\*\s*(?P<value>[^·\n]+)"


def _field(name, body):
    match = re.search(FIELD.format(name), body)
    return match.group("value").strip() if match else ""


def exercises(notebook_path):
    """(label, title, kind, difficulty, time, objective, points) for each exercise in the notebook."""
    notebook = nbformat.read(notebook_path, as_version=4)
    found = []
    for cell in notebook.cells:
        for match in EXERCISE.finditer(cell.source) if cell.cell_type == "markdown" else ():
            body = match.group("body")
            label = re.search(r":label:\s*(\S+)", body)
            found.append([label.group(1) if label else "", match.group("title").strip(), _field("Kind", body),
                          _field("Difficulty", body), _field("Time", body), _field("Objective", body), 0])
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("grade") and found:
            found[-1][-1] += grading.get("points") or 0
    return [tuple(exercise) for exercise in found]


def _points(value):
    return f"{value:g}"


class ExerciseList(SphinxDirective):
    """Render one table per chapter of the exercises in ``chapters/*/exercises.ipynb``."""

    def run(self):
        root = Path(self.env.srcdir)
        lines, course_total, count = [], 0, 0
        for path in sorted(root.glob("chapters/*/exercises.ipynb")):
            self.env.note_dependency(str(path))
            docname = path.relative_to(root).with_suffix("").as_posix()
            lines += [f"**{{doc}}`/{docname}`**", "",
                      "| exercise | kind | difficulty | time | objective | points |", "|---|---|---|---|---|---|"]
            found = exercises(path)
            for label, title, kind, difficulty, time, objective, points in found:
                link = f"{{ref}}`{title} <{label}>`" if label else title
                lines.append(f"| {link} | {kind} | {difficulty} | {time} | {objective} | {_points(points)} |")
            total = sum(exercise[-1] for exercise in found)
            lines += [f"| **chapter total** | | | | | **{_points(total)}** |", ""]
            course_total, count = course_total + total, count + len(found)
        lines += [f"**Course total: {_points(course_total)} points** over {count} exercises.", ""]
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source="exercise-list"), self.content_offset, container)
        return container.children


def setup(app):
    app.add_directive("exercise-list", ExerciseList)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
