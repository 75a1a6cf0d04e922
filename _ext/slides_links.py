"""Sphinx extension: each chapter page of the HTML book links its lecture slides.

``tools/build_slides.py`` writes one reveal.js deck per chapter notebook (not the exercises) to
``slides/NN_topic/<notebook>.html`` inside the built book, after the book build. This extension puts
a link to that deck under the page's title. It is an ordinary relative link (no cross-reference for
Sphinx to resolve, so no warning while the decks do not exist yet) and appears in the HTML only: the
PDF edition has no slides beside it.
"""
from pathlib import Path, PurePosixPath

from docutils import nodes
from sphinx.util.osutil import relative_uri

LINK_CLASS = "course-slides-link"


def deck_file(docname):
    """``chapters/NN_topic/name`` -> ``slides/NN_topic/name.html`` (the same rule as tools/build_slides.py)."""
    return PurePosixPath("slides", *PurePosixPath(docname).parts[1:]).with_suffix(".html").as_posix()


def has_deck(app, docname):
    parts = PurePosixPath(docname).parts
    return (len(parts) == 3 and parts[0] == "chapters" and parts[-1] != "exercises"
            and (Path(app.srcdir) / f"{docname}.ipynb").exists())


def _add_link(app, doctree, docname):
    if app.builder.format != "html" or not has_deck(app, docname):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    uri = relative_uri(app.builder.get_target_uri(docname), deck_file(docname))
    link = nodes.reference("", "Lecture slides for this chapter", refuri=uri, classes=[LINK_CLASS])
    section.insert(1, nodes.paragraph("", "", link, classes=["course-slides"]))


def setup(app):
    app.connect("doctree-resolved", _add_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
