"""Chapter pages read cleanly: asserts fold behind "✓ checked", and the code a reader reads fits the column.

* In the notebooks, every code cell of a chapter page that asserts is tagged ``checks`` and only
  checks (it prints and displays nothing), so folding it hides no result; exercise notebooks are
  nbgrader's and keep their visible tests.
* nbval still runs a ``checks`` cell: a failing assert in one fails ``pytest``.
* In the built book (``BOOK_HTML``, as for tests/test_browser.py) no chapter page shows an assert
  line outside a folded cell, and every folded cell says "✓ checked".
* Code cells a reader sees (not folded) keep their lines to ``MAX_LINE`` characters, and the
  theme's text column, measured in the page in headless Chromium, holds at least that many
  characters of the code font in both of its layouts: one column (a 1000 px window) and with both
  sidebars (1440 px, where the column is widest).
"""
import ast
import html.parser
import json
import re
from pathlib import Path

import nbformat
import pytest
from _book import built_html
from browser_support import CHROMIUM_ARGS, block_network, chromium_path, serve, sync_playwright
from test_notebooks import run_pytest_on_notebook

ROOT = Path(__file__).resolve().parents[1]
MAX_LINE = 79
TAG = "checks"
CHAPTER_PAGES = sorted(path for path in (ROOT / "chapters").glob("*/*.ipynb") if path.name != "exercises.ipynb")
ASSERT_LINE = re.compile(r"^\s*assert\b")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def code_cells(path):
    return [cell for cell in json.loads(path.read_text(encoding="utf8"))["cells"] if cell["cell_type"] == "code"]


def is_checks_only(source):
    """True for a cell of asserts (and the names they need) that prints and displays nothing."""
    tree = ast.parse(source)
    prints = any(isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("print", "display")
                 for node in ast.walk(tree))
    displays = any(isinstance(statement, ast.Expr) for statement in tree.body)
    return not prints and not displays and any(isinstance(node, ast.Assert) for node in ast.walk(tree))


@pytest.mark.parametrize("path", CHAPTER_PAGES, ids=lambda p: p.name)
def test_every_asserting_cell_is_a_checks_cell_and_only_checks(path):
    for cell in code_cells(path):
        source, tags = "".join(cell["source"]), cell["metadata"].get("tags", [])
        asserts = any(ASSERT_LINE.match(line) for line in source.splitlines())
        assert asserts == (TAG in tags), f"cell {cell['id']}: assert lines {asserts}, tags {tags}"
        if TAG in tags:
            assert is_checks_only(source), f"cell {cell['id']} is tagged {TAG} but computes or shows something"


def test_a_failing_assert_in_a_folded_cell_still_fails_pytest(tmp_path):
    cells = [nbformat.v4.new_code_cell("x = 1"),
             nbformat.v4.new_code_cell("assert x == 2, 'folded claim is false'", metadata={"tags": [TAG]})]
    result = run_pytest_on_notebook(tmp_path, cells)
    assert result.returncode == 1, result.stdout
    assert "folded claim is false" in result.stdout


class CodeCells(html.parser.HTMLParser):
    """Text of every notebook code cell's input in a page, and whether a <details> folds it."""

    def __init__(self):
        super().__init__()
        self.stack, self.cells, self.text, self.markers = [], [], None, 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag not in VOID:
            self.stack.append((tag, classes))
        if tag == "pre" and any("cell_input" in item for _, item in self.stack):
            self.text = []

    def handle_endtag(self, tag):
        if tag == "pre" and self.text is not None:
            folded = any(name == "details" and "hide" in item for name, item in self.stack)
            self.cells.append(("".join(self.text), folded))
            self.text = None
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)
        if "✓ checked" in data and any("collapsed" in item for _, item in self.stack):
            self.markers += 1


def page_cells(html_path):
    parser = CodeCells()
    parser.feed(html_path.read_text(encoding="utf8"))
    return parser


@pytest.fixture(scope="module")
def book_html():
    html = built_html("normal")
    assert (html / "index.html").exists(), f"no built book in {html}"
    return html


def test_no_chapter_page_shows_an_assert_line_and_every_fold_says_checked(book_html):
    report, lines = [], []
    for path in sorted((ROOT / "chapters").glob("*/*.ipynb")):
        parsed = page_cells(book_html / path.relative_to(ROOT).with_suffix(".html"))
        visible = sum(ASSERT_LINE.match(line) is not None
                      for text, folded in parsed.cells if not folded for line in text.splitlines())
        folded = sum(ASSERT_LINE.match(line) is not None
                     for text, folded in parsed.cells if folded for line in text.splitlines())
        checks = sum(TAG in cell["metadata"].get("tags", []) for cell in code_cells(path))
        lines.append(f"{path.parent.name}/{path.stem}: {visible} visible assert lines, {folded} folded, "
                     f"{parsed.markers} '✓ checked' markers")
        if path.name != "exercises.ipynb":
            if visible:
                report.append(f"{path.name}: {visible} assert lines shown")
            if parsed.markers != checks:
                report.append(f"{path.name}: {parsed.markers} '✓ checked' markers for {checks} checks cells")
    print("\n".join(lines))
    assert not report, "\n".join(report)


def test_visible_code_lines_fit_the_column(book_html):
    long = []
    for path in CHAPTER_PAGES:
        for cell in code_cells(path):
            tags = set(cell["metadata"].get("tags", []))
            if tags & {TAG, "hide-input", "remove-input", "remove-cell", "hide-cell"}:
                continue
            long += [f"{path.name} {cell['id']}: {len(line)} > {MAX_LINE}: {line[:60]}"
                     for line in "".join(cell["source"]).splitlines() if len(line) > MAX_LINE]
        parsed = page_cells(book_html / path.relative_to(ROOT).with_suffix(".html"))
        long += [f"{path.stem}.html: {len(line)} > {MAX_LINE}: {line[:60]}"
                 for text, folded in parsed.cells if not folded for line in text.splitlines()
                 if len(line) > MAX_LINE]
    assert not long, "\n".join(long[:20])


COLUMN = """() => {
  const pre = document.querySelector('div.cell_input pre');
  const probe = document.createElement('span');
  probe.textContent = 'x'.repeat(200);
  pre.appendChild(probe);
  const width = probe.getBoundingClientRect().width / 200;
  probe.remove();
  const style = getComputedStyle(pre);
  const inner = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return Math.floor(inner / width);
}"""


def test_the_text_column_holds_the_line_length_in_both_layouts(book_html):
    executable = chromium_path()
    start = sync_playwright()
    base, server = serve(book_html)
    columns = {}
    try:
        with start() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            for width in (1000, 1440):
                context = chromium.new_context(viewport={"width": width, "height": 900})
                block_network(context, [])
                page = context.new_page()
                page.goto(f"{base}/chapters/06_tbptt_configurations/tbptt_configurations.html")
                columns[width] = page.evaluate(COLUMN)
                context.close()
            chromium.close()
    finally:
        server.shutdown()
    print(f"code characters per line of the text column: {columns}")
    assert min(columns.values()) >= MAX_LINE, columns
