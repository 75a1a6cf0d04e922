"""Shared fixtures and hypothesis settings for the test suite."""
import os

# One BLAS thread per process, set before numpy loads and inherited by nbval's kernels:
# xdist already runs one worker per core, and OpenBLAS threads that spin while they wait
# are counted as CPU time by the notebooks' process_time measurements.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import matplotlib  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

matplotlib.use("Agg")

# Gradient checks are slow per example; a modest count still explores many shapes.
settings.register_profile("course", max_examples=25, deadline=None)
settings.load_profile("course")


@pytest.fixture
def rng():
    """A seeded generator, so every test is reproducible."""
    return np.random.default_rng(1234)


class NotebookTimes:
    """Adds up the time of every cell of each notebook that nbval runs, and prints the totals.

    Registered as a plugin (not a conftest hook) so that it also sees the notebooks under
    chapters/ when xdist is off; under xdist only the controller, which receives every
    report, records and prints.
    """

    budget_seconds = 90

    def __init__(self):
        self.seconds = {}

    def pytest_runtest_logreport(self, report):
        notebook, separator, _ = report.nodeid.partition(".ipynb::")
        if separator:
            name = notebook + ".ipynb"
            self.seconds[name] = self.seconds.get(name, 0.0) + report.duration

    def pytest_terminal_summary(self, terminalreporter):
        if not self.seconds:
            return
        terminalreporter.section("time per notebook (kernel start and every cell)")
        for name, seconds in sorted(self.seconds.items(), key=lambda item: -item[1]):
            flag = "  over budget" if seconds > self.budget_seconds else ""
            terminalreporter.write_line(f"{seconds:7.1f} s  {name}{flag}")
        slowest = max(self.seconds.values())
        terminalreporter.write_line(f"slowest notebook {slowest:.1f} s (budget {self.budget_seconds} s); "
                                    f"with -n, workers share the CPU, so run alone for a clean figure")


def pytest_configure(config):
    if not hasattr(config, "workerinput"):          # the xdist controller, or a run without xdist
        config.pluginmanager.register(NotebookTimes(), "notebook-times")


# The browser tests share one headless Chromium per module and one local server for the built book.
@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (skips, or fails under REQUIRE_BROWSER_TESTS=1, when missing)."""
    from browser_support import CHROMIUM_ARGS, chromium_path, sync_playwright
    executable = chromium_path()
    start = sync_playwright()
    with start() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def book(browser):
    """(html folder, base URL) of the normal edition, built in this run or given by BOOK_HTML, served on 127.0.0.1."""
    from _book import built_html
    from browser_support import serve
    html = built_html("normal")
    assert (html / "index.html").exists(), f"no built book in {html}"
    base, server = serve(html)
    yield html, base
    server.shutdown()
