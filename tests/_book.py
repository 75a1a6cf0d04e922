"""Build the book once per test run, whichever xdist worker asks first.

``jupyter-book build`` takes about a minute; the student-edition and browser tests
share one build per edition. A file lock serialises the workers, and a stamp holding
the run's id (``PYTEST_XDIST_TESTRUNUID``, the same on every worker of one run) tells
a later worker that this run has already built it.
"""
import os
import subprocess
import sys
import uuid
from pathlib import Path

from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
BUILDERS = {
    "normal": ([str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT)],
               ROOT / "_build" / "html"),
    "student": ([sys.executable, str(ROOT / "tools" / "build_student_edition.py")],
                ROOT / "_build" / "student" / "_build" / "html"),
}


def built_html(edition):
    """Return the HTML folder of ``edition`` ("normal" or "student"), built in this test run.

    ``BOOK_HTML`` names a normal edition built just before the tests (``.ci/run`` builds it
    with warnings as errors), which is then used as it is.
    """
    if edition == "normal" and os.environ.get("BOOK_HTML"):
        return Path(os.environ["BOOK_HTML"])
    command, html = BUILDERS[edition]
    (ROOT / "_build").mkdir(exist_ok=True)
    stamp = ROOT / "_build" / f".{edition}-built-by-run"
    # One lock for both editions: they share the execution cache.
    with FileLock(str(ROOT / "_build" / ".book-build.lock")):
        if not (stamp.exists() and stamp.read_text() == RUN_ID):
            subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
            stamp.write_text(RUN_ID)
    return html
