"""Sphinx extension: make the HTML book complete offline and its downloads download.

Loaded from ``_config.yml`` (``sphinx.local_extensions``). It

- copies the RequireJS loader and the Jupyter widgets HTML manager from the npm
  packages pinned in ``_vendor/package.json`` into ``_static/vendor/`` of the
  output (``_config.yml`` points myst-nb's ``nb_ipywidgets_js`` there). They are
  installed with the rest, at install time (``npm ci --prefix _vendor``): the build
  itself never reaches the network, and stops with that command if they are missing. MathJax comes
  from the PyPI package ``sphinx-mathjax-offline`` (``_static/mathjax/``).
  Nothing is copied through ``html_static_path``: Jupyter Book 1 would add
  every ``*.js`` found there to every page.
- switches off sphinx-thebe, which Jupyter Book 1 always loads. There is no
  launch target, and its inline ``const THEBE_JS_URL`` script ends up twice
  in each page (Sphinx writes body-only scripts added at
  ``env-before-read-docs`` once more per page), a SyntaxError on every page.
  To use thebe later, remove this block and set ``launch_buttons.thebe``.
- sets the theme's ``default_mode`` (an ``html_context`` value) to ``auto`` (left empty, the theme logs
  "Got invalid theme mode" on a reader's first visit),
- gives the page's ``.ipynb`` download link a ``download`` attribute (the
  theme opens it in a new tab, so browsers showed the JSON), and
- writes two archives at the site root, each with every chapter notebook plus the
  ``lstm_course`` package, the experiments' results and the files to install it (npm's too):
  ``lstm-course-notebooks.zip`` holds the exercise notebooks as they are in the
  repository (with solutions) in the normal edition, and as released to students
  in the student edition; ``lstm-course-student-notebooks.zip`` holds the released
  copies (``course_editions.released_copy``) in both, for self-learners without nbgrader.
"""
import re
import shutil
import zipfile
from pathlib import Path

from course_editions import student_file
from sphinx.errors import ExtensionError

VENDOR = Path(__file__).resolve().parent.parent / "_vendor"
ASSETS = {  # output path under _static/vendor -> source under _vendor/node_modules
    "require.js": "requirejs/require.js",
    "html-manager": "@jupyter-widgets/html-manager/dist",
}
ARCHIVE = "lstm-course-notebooks.zip"
STUDENT_ARCHIVE = "lstm-course-student-notebooks.zip"
# The npm manifest brings Chapter 8's corpus (``npm ci --prefix _vendor``); Chapter 8 reads the experiment's results.
ARCHIVE_FILES = ("chapters/**/*.ipynb", "lstm_course/**/*.py", "_vendor/package.json", "_vendor/package-lock.json",
                 "experiments/results/*", "pyproject.toml", "requirements.txt", "README.md", "LICENSE")
WIDGETS_SETUP = """// Written by _ext/offline_book.py, loaded between require.js and the widget manager.
// 1. The manager lives next to this file: map its module path here, so the fonts its CSS
//    asks for are found (the default is relative to the page).
require.config({paths: {"@jupyter-widgets/html-manager/dist":
                        document.currentScript.src.replace(/[^/]*$/, "") + "html-manager"}});
// 2. Widget labels are typeset with MathJax 2's MathJax.Hub.Queue; the book loads MathJax 3.
window.addEventListener("DOMContentLoaded", function () {
  if (window.MathJax && !window.MathJax.Hub) {
    window.MathJax.Hub = {Queue: function (job) {
      var element = job && job[2];
      if (element && window.MathJax.startup) {
        window.MathJax.startup.promise.then(function () { return window.MathJax.typesetPromise([element]); });
      }
    }};
  }
});
"""
_DOWNLOAD_LINK = re.compile(r'(<a href="[^"]+\.ipynb") target="_blank"')


def _node_modules():
    modules = VENDOR / "node_modules"
    if not all((modules / source).exists() for source in ASSETS.values()):
        raise ExtensionError("The book serves require.js and the widget manager from the npm packages pinned "
                             "in _vendor/package.json; install them first: `npm ci --prefix _vendor` "
                             "(needs Node.js's npm).")
    return modules


def _drop_thebe(app):
    for event, listeners in app.events.listeners.items():
        app.events.listeners[event] = [listener for listener in listeners
                                       if getattr(listener.handler, "__module__", "") != "sphinx_thebe"]
    app.registry.css_files = [(name, attrs) for name, attrs in app.registry.css_files
                              if name != "sphinx-thebe.css"]


def _copy_vendor(app):
    modules = _node_modules()
    target = Path(app.outdir) / "_static" / "vendor"
    for name, source in ASSETS.items():
        source = modules / source
        if source.is_dir():
            shutil.copytree(source, target / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("*.map", "embed.js", "libembed-amd.js"))
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / "widgets-setup.js").write_text(WIDGETS_SETUP, encoding="utf8")


def _theme_mode(app, config):
    config.html_context.setdefault("default_mode", "auto")


def _write_archive(srcdir, path, folder, released):
    """Zip the course's files under ``folder/``; with ``released``, exercise notebooks as students get them."""
    srcdir = Path(srcdir)
    files = sorted({path for pattern in ARCHIVE_FILES for path in srcdir.glob(pattern)
                    if ".ipynb_checkpoints" not in path.parts and "__pycache__" not in path.parts})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for source in files:
            info = zipfile.ZipInfo(f"{folder}/{source.relative_to(srcdir).as_posix()}", (2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            content = (student_file(source) if released else None) or source.read_bytes()
            archive.writestr(info, content)


def _finish(app, exc):
    if exc is not None or app.builder.format != "html":
        return
    _copy_vendor(app)
    outdir = Path(app.outdir)
    _write_archive(app.srcdir, outdir / ARCHIVE, "lstm-course", released=app.config.course_edition == "student")
    _write_archive(app.srcdir, outdir / STUDENT_ARCHIVE, "lstm-course-student", released=True)
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf8")
        fixed = _DOWNLOAD_LINK.sub(r"\1 download", text)
        if fixed != text:
            page.write_text(fixed, encoding="utf8")


def setup(app):
    _drop_thebe(app)
    app.connect("config-inited", _theme_mode)
    app.connect("build-finished", _finish)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
