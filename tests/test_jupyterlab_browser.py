"""MyST in JupyterLab: an {exercise} renders as an exercise block and its {solution} starts collapsed.

Starts JupyterLab (with jupyterlab-myst) on 127.0.0.1 without a token, with its settings, runtime
and workspace folders in a temporary directory, opens one chapter's exercises in headless
Chromium with every request not to 127.0.0.1 blocked, and reads the rendered markdown. A second test runs an explorer cell in a live kernel and moves a
slider. Skips without Chromium or Playwright unless REQUIRE_BROWSER_TESTS=1.
"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import CHROMIUM_ARGS, block_network, chromium_path, free_port, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PREFERRED = ROOT / "chapters" / "01_backpropagation" / "exercises.ipynb"
EXERCISE = re.compile(r"```+\{exercise\}\s*(?P<title>[^\n]*)\n(?::[^\n]*\n)*?:label:\s*(?P<label>\S+)")
SOLUTION = re.compile(r"```+\{solution\}\s*(?P<target>\S+)\n(?P<options>(?::[^\n]*\n)*)")


LIVE_NOTEBOOK = {
    "cells": [{"cell_type": "code", "id": "live", "metadata": {}, "outputs": [], "execution_count": None,
               "source": ["from lstm_course import widgets\n",
                          "widgets.gradient_norm_explorer(hidden_size=4, n_sequences=2, radii=(0.5, 1.0), "
                          "lengths=(20,), length=20)"]}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5}


def exercise_with_dropdown_solution(path):
    """(title, exercise label, solution label) of the first exercise whose solution has :class: dropdown."""
    cells = json.loads(path.read_text(encoding="utf8"))["cells"]
    text = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    solutions = {match["target"]: match["options"] for match in SOLUTION.finditer(text)}
    for match in EXERCISE.finditer(text):
        options = solutions.get(match["label"], "")
        if re.search(r":class:.*\bdropdown\b", options):
            label = re.search(r":label:\s*(\S+)", options)
            return match["title"].strip(), match["label"], label.group(1) if label else None
    return None


def pick_notebook():
    candidates = [PREFERRED] + sorted(ROOT.glob("chapters/*/*.ipynb"))
    for path in candidates:
        if path.exists() and (found := exercise_with_dropdown_solution(path)):
            return path, found
    pytest.fail("no chapter notebook has an {exercise} with a `:class: dropdown` {solution}")


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    executable = chromium_path()
    start = sync_playwright()
    home = tmp_path_factory.mktemp("jupyterlab")
    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Render every cell at once (no virtual scrolling), so the exercise is in the DOM wherever it is.
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    # JupyterLab's root: the chapters (a link) and a one-cell notebook that builds a small explorer.
    root = home / "root"
    root.mkdir()
    (root / "chapters").symlink_to(ROOT / "chapters")
    (root / "explorer.ipynb").write_text(json.dumps(LIVE_NOTEBOOK), encoding="utf8")
    port = free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--IdentityProvider.token=", "--ServerApp.password=",
               f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = open(home / "server.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status", timeout=2)
                break
            except OSError:
                assert server.poll() is None, (home / "server.log").read_text()[-3000:]
                time.sleep(0.5)
        with start() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield browser, base
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_exercise_renders_with_its_title_and_its_solution_starts_collapsed(jupyterlab):
    browser, base = jupyterlab
    path, (title, label, solution_label) = pick_notebook()
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    blocked = []
    block_network(context, blocked)
    page = context.new_page()
    page.goto(f"{base}/lab/tree/{path.relative_to(ROOT).as_posix()}?reset")
    exercise = page.locator(f"aside.myst-exercise#{label}")
    exercise.wait_for(state="attached", timeout=90000)
    heading = exercise.locator(".myst-exercise-title").inner_text()
    assert "Exercise" in heading and title in heading, heading
    # The directive's options are consumed, not shown as text.
    assert ":label:" not in exercise.inner_text()
    solution = page.locator(f"details.myst-exercise#{solution_label}") if solution_label else \
        page.locator(f'details.myst-exercise:has(a[href="#{label}"])')
    assert solution.count() == 1
    assert solution.first.evaluate("element => element.open") is False      # collapsed
    body = solution.first.locator(":scope > :not(summary)").first
    assert not body.is_visible()
    solution.first.locator("summary").click()
    assert solution.first.evaluate("element => element.open") is True
    assert not blocked, blocked
    context.close()


def test_an_explorer_built_in_a_live_kernel_switches_its_figure(jupyterlab):
    browser, base = jupyterlab
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    blocked = []
    block_network(context, blocked)
    page = context.new_page()
    page.goto(f"{base}/lab/tree/explorer.ipynb?reset")   # a fresh workspace: only this notebook
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90000)
    page.locator(".jp-CodeCell .cm-content").first.click()
    page.keyboard.press("Shift+Enter")
    image = page.locator(".lstm-explorer img.lstm-explorer-frame")
    image.wait_for(timeout=90000)
    before = image.get_attribute("src")
    page.locator(".lstm-explorer input[type=range]").first.fill("0")     # radius 1.0 -> 0.5
    assert image.get_attribute("src") != before
    assert page.locator(".lstm-explorer output").first.inner_text() == "0.50"
    assert not blocked, blocked
    context.close()
