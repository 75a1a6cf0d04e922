"""The lecture slides (tools/build_slides.py): one reveal.js deck per chapter notebook, offline.

The browser tests open every deck in headless Chromium with every request not to 127.0.0.1
blocked, step through every slide and fragment, and find math typeset (MathJax output, no raw TeX
left, no TeX error), every figure decoded and no console error. One test proves that the same
check fails on a deck with a broken figure, raw math and a figure from the network.

The decks live in the built book (``_build/html/slides/``): with BOOK_HTML set (``.ci/run``
builds the book and then the slides), the tests use the decks found there; otherwise they build
the book (``tests/_book.py``) and the decks (from the book build's execution cache).
"""
import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from _book import built_html
from browser_support import block_network, serve

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_slides  # noqa: E402

DECK_STATE = """() => {
  const deck = document.querySelector(".reveal .slides");
  const images = [...deck.querySelectorAll("img")].filter(img => !img.complete || img.naturalWidth === 0)
      .map(img => (img.getAttribute("src") || "").slice(0, 60));
  const raw = [];
  const walker = document.createTreeWalker(deck, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("mjx-container, pre, code, script, style")) continue;
    if (/\\$|\\\\\\(|\\\\\\[|\\\\begin\\{/.test(node.textContent)) raw.push(node.textContent.trim().slice(0, 60));
  }
  return {images, raw, maths: deck.querySelectorAll("mjx-container").length,
          // MathJax 3 shows a TeX error as merror, an undefined macro as red text (its noundefined extension).
          texErrors: [...deck.querySelectorAll("mjx-merror, mjx-mtext[style*='color: red']")]
              .map(el => el.closest("mjx-container").querySelector("math").textContent.slice(0, 60)),
          figures: deck.querySelectorAll("img").length, total: Reveal.getTotalSlides()};
}"""
STEP = """() => { const at = Reveal.getIndices();
  const images = [...Reveal.getCurrentSlide().querySelectorAll("img")].filter(img => img.naturalWidth === 0).length;
  const done = Reveal.isLastSlide() && !Reveal.availableFragments().next;
  Reveal.next(); return {h: at.h, v: at.v, images, done}; }"""


@pytest.fixture(scope="module")
def decks():
    """{docname: deck path} of the built book, building the decks unless BOOK_HTML names a finished build."""
    html = built_html("normal")
    docnames = build_slides.chapter_notebooks()
    if not (os.environ.get("BOOK_HTML") and all((html / build_slides.deck_file(name)).exists() for name in docnames)):
        build_slides.build_all(html, html.parent / ".jupyter_cache")
    return html, {name: html / build_slides.deck_file(name) for name in docnames}


def deck_problems(browser, url):
    """Open the deck at ``url`` offline and step through it; return (problems, state)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    blocked, console = [], []
    block_network(context, blocked)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and console.append(message.text))
    page.on("pageerror", lambda error: console.append(str(error)))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    page.wait_for_function("() => window.Reveal && Reveal.isReady() && window.MathJax && MathJax.startup",
                           timeout=20000)
    page.evaluate("() => MathJax.startup.promise.then(() => true)")
    state = page.evaluate(DECK_STATE)
    visited, unloaded = set(), 0
    for _ in range(10 * state["total"] + 10):
        step = page.evaluate(STEP)
        visited.add((step["h"], step["v"]))
        unloaded += step["images"]
        if step["done"]:
            break
    context.close()
    problems = [f"{kind}: {found[:3]}" for kind, found in
                (("blocked requests", blocked), ("console errors", console), ("figures not loaded", state["images"]),
                 ("raw TeX", state["raw"]), ("TeX errors", state["texErrors"])) if found]
    if len(visited) != state["total"]:
        problems.append(f"stepped through {len(visited)} of {state['total']} slides")
    if unloaded:
        problems.append(f"{unloaded} figures with no pixels on their slide")
    return problems, {**state, "visited": len(visited)}


def test_every_deck_shows_its_slides_offline(browser, decks):
    html, paths = decks
    assert len(paths) == 10, sorted(paths)
    base, server = serve(html)
    report, counts = [], {}
    try:
        for docname, path in paths.items():
            problems, state = deck_problems(browser, f"{base}/{path.relative_to(html).as_posix()}")
            counts[docname] = (state["visited"], state["figures"], state["maths"])
            report += [f"{docname}: {problem}" for problem in problems]
            if state["figures"] == 0 or state["maths"] == 0:
                report.append(f"{docname}: a lecture needs figures and equations, found {state}")
    finally:
        server.shutdown()
    print("\n".join(f"{name}: {slides} slides, {figures} figures, {maths} formulas"
                    for name, (slides, figures, maths) in counts.items()))
    assert not report, "\n".join(report)


def test_a_deck_whose_mathjax_arrives_late_still_works(browser, decks):
    """reveal.js (through require.js) can be ready before the deferred MathJax script has run."""
    html, paths = decks
    base, server = serve(html, slow={"mathjax/tex-chtml.js": 2.0})   # a loaded machine: MathJax comes late
    try:
        path = paths["chapters/09_beyond_truncation/beyond_truncation"]
        problems, state = deck_problems(browser, f"{base}/{path.relative_to(html).as_posix()}")
    finally:
        server.shutdown()
    assert not problems and state["maths"] > 0, problems


def test_the_check_fails_on_a_broken_deck(browser, decks, tmp_path):
    """A deck with a broken figure, raw TeX, a TeX error and a figure from the network fails every check."""
    html, _ = decks
    root, site = tmp_path / "root", tmp_path / "html"
    (root / "chapters" / "99_broken").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", root / "_config.yml")
    site.mkdir()
    (site / "_static").symlink_to(html / "_static")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Broken\n\n$\\undefinedmacro x$ and an unclosed $\\frac{1}{$\n\n"
                                      "![remote](https://example.org/figure.png)", id="title"),
        nbformat.v4.new_code_cell("figure()", id="figure", outputs=[nbformat.v4.new_output(
            "display_data", data={"image/png": "iVBORw0KGgoAAAA", "text/plain": "<Figure>"})])]
    for cell in notebook.cells:
        cell.metadata["slideshow"] = {"slide_type": "slide"}
    nbformat.write(notebook, root / "chapters" / "99_broken" / "broken.ipynb")
    deck = build_slides.deck_notebook(notebook, notebook, "chapters/99_broken/broken", build_slides.Citations([]), root)
    build_slides.copy_reveal(site / "slides")
    path, slides = build_slides.write_deck(deck, "chapters/99_broken/broken", site, root)
    assert slides == 2
    base, server = serve(site)
    try:
        problems, _ = deck_problems(browser, f"{base}/{path.relative_to(site).as_posix()}")
    finally:
        server.shutdown()
    text = "\n".join(problems)
    for kind in ("blocked requests", "figures not loaded", "raw TeX", "TeX errors", "figures with no pixels"):
        assert kind in text, problems


def test_every_chapter_page_links_its_deck(decks):
    html, paths = decks
    for docname, deck in paths.items():
        page = (html / f"{docname}.html").read_text(encoding="utf8")
        links = re.findall(r'<a class="[^"]*course-slides-link[^"]*" href="([^"]+)"', page)
        assert len(links) == 1, f"{docname}: {links}"
        assert (html / docname).parent.joinpath(links[0]).resolve() == deck.resolve(), links


def test_every_chapter_notebook_chooses_its_slides():
    """Every chapter notebook opens with its title and shows some cells; no shown code is only checks."""
    docnames = build_slides.chapter_notebooks()
    assert len(docnames) == 10
    for docname in docnames:
        notebook = nbformat.read(ROOT / f"{docname}.ipynb", as_version=4)
        shown = [cell for cell in notebook.cells if build_slides.slide_type(cell) not in ("skip", "notes")]
        assert len(shown) >= 8, f"{docname}: only {len(shown)} cells on slides"
        assert shown[0].cell_type == "markdown" and shown[0].source.startswith("# "), docname
        assert build_slides.slide_type(shown[0]) == "slide", docname
        for cell in shown:
            assert cell.cell_type == "markdown" or "hide-input" in cell.metadata.get("tags", []) or \
                build_slides.without_asserts(cell.source).count("\n") < 12, f"{docname}: long code on a slide"


def test_cells_without_slide_metadata_stay_off_the_slides():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Title", id="a"), nbformat.v4.new_code_cell("x = 1", id="b")]
    notebook.cells[0].metadata["slideshow"] = {"slide_type": "slide"}
    deck = build_slides.deck_notebook(notebook, notebook, "chapters/99_x/x", build_slides.Citations([]))
    assert [cell.metadata["slideshow"]["slide_type"] for cell in deck.cells] == ["slide", "skip"]
    assert build_slides.count_slides(deck) == 1


def test_a_stale_executed_notebook_stops_the_build(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("x = 1", id="b", metadata={"slideshow": {"slide_type": "slide"}})]
    executed = nbformat.from_dict(json.loads(json.dumps(notebook)))
    executed.cells[0].source = "x = 2"
    with pytest.raises(ValueError, match="rebuild the book"):
        build_slides.deck_notebook(notebook, executed, "chapters/99_x/x", build_slides.Citations([]))
    with pytest.raises(ValueError, match="build the book first"):
        build_slides.executed_notebook(notebook, "chapters/99_x/x", tmp_path / "no-cache")


def test_shown_code_leaves_out_its_asserts():
    code = "y = f(x)\n# the checks\nassert (y ==\n        1)\nprint(y)\nassert y"
    assert build_slides.without_asserts(code) == "y = f(x)\nprint(y)"
    assert build_slides.without_asserts("assert a\nassert b") == ""
    assert build_slides.without_asserts("%timeit f()") == "%timeit f()"


def test_myst_becomes_markdown_nbconvert_renders():
    citations = build_slides.Citations([ROOT / "reference" / "references.bib"])
    text = build_slides.myst_to_markdown(
        "A {term}`gradient check` and a {term}`cell <memory cell>`, {cite}`rumelhart1986learning`; "
        "{cite:t}`werbos1990backpropagation`; see {doc}`../04_vanishing_gradients/vanishing_gradients`.\n\n"
        "```{note}\nTwo lines\nof note.\n```\n", "chapters/01_backpropagation/backpropagation", citations)
    assert "A gradient check and a cell, [Rumelhart et al., 1986]; Werbos [1990]; see [" in text
    assert "](../../chapters/04_vanishing_gradients/vanishing_gradients.html)." in text
    assert "> **Note**\n>\n> Two lines\n> of note." in text
    with pytest.raises(ValueError, match="role"):
        build_slides.myst_to_markdown("{numref}`fig`", "chapters/01_backpropagation/backpropagation", citations)
    with pytest.raises(ValueError, match="directive"):
        build_slides.myst_to_markdown("```{figure} x.png\n```\n", "chapters/01_backpropagation/backpropagation",
                                      citations)
