"""The built HTML book in headless Chromium, with every request not to 127.0.0.1 blocked.

For every page: it loads, logs no console error, needs nothing from the network, every image
decodes, math is typeset wherever there is math, saved widgets render, and every exercise or
solution dropdown opens on click. For every explorer: each slider changes the figure.
Downloads: the .ipynb links download and the course archive holds every chapter notebook.

The book is built once per test run (``tests/_book.py``, shared with the student-edition test;
notebooks come from the execution cache when unchanged); set BOOK_HTML=_build/html to test a
build made just before, as ``.ci/run`` does. Without Chromium or Playwright the tests skip, unless
REQUIRE_BROWSER_TESTS=1.
"""
import hashlib
import zipfile
from pathlib import Path

from browser_support import block_network

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = "lstm-course-notebooks.zip"

PAGE_STATE = """() => {
  const images = [...document.images].filter(img => !img.complete || img.naturalWidth === 0)
      .map(img => img.getAttribute("src").slice(0, 80));
  const maths = [...document.querySelectorAll(".math")];
  const raw = maths.filter(el => !el.querySelector("mjx-container")).map(el => el.textContent.slice(0, 60));
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length;
  return {images, maths: maths.length, raw, views,
          widgets: document.querySelectorAll(".jupyter-widgets, .widget-hbox, .widget-inline-hbox").length,
          explorers: document.querySelectorAll(".lstm-explorer").length,
          dropdowns: document.querySelectorAll(".admonition.dropdown, details.sd-dropdown").length};
}"""


def pages_of(html, decks=True):
    """Every page of the built book; ``decks=False`` leaves out the lecture decks (tests/test_slides.py)."""
    # _static/ holds the theme's template fragments, not pages.
    skipped = {"_static"} if decks else {"_static", "slides"}
    return sorted(path.relative_to(html).as_posix() for path in html.rglob("*.html")
                  if path.relative_to(html).parts[0] not in skipped)


# A lecture deck (reveal.js) shows one slide at a time: go to the slide that holds the node first.
GO_TO_SLIDE = """(node) => {
  const slide = node.closest('.reveal .slides section');
  if (slide && window.Reveal) { const at = Reveal.getIndices(slide); Reveal.slide(at.h, at.v); }
}"""


def bring_into_view(locator):
    """Scroll ``locator`` into view, on a book page or on its slide of a deck."""
    locator.evaluate(GO_TO_SLIDE)
    locator.scroll_into_view_if_needed()


def open_page(browser, url):
    """Load ``url`` with the network blocked; returns (page, context, problems)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    problems = {"blocked": [], "console": [], "failed": []}
    block_network(context, problems["blocked"])
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and problems["console"].append(message.text))
    # The stack says which script threw: a page error seen once under load is then traceable.
    page.on("pageerror", lambda error: problems["console"].append(f"{error}\n{getattr(error, 'stack', '')}"))
    page.on("requestfailed", lambda request: problems["failed"].append(request.url))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    if page.evaluate("() => document.querySelector('.math') !== null"):
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                               timeout=20000)
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
    if page.evaluate("""() => document.querySelector('script[type="application/vnd.jupyter.widget-view+json"]')
                              !== null"""):
        page.wait_for_function("() => document.querySelector('.jupyter-widgets') !== null", timeout=20000)
    return page, context, problems


def open_dropdowns(page):
    """Click every exercise/solution dropdown; return the titles of those that did not open."""
    closed = []
    toggles = page.locator(".admonition.dropdown")
    for index in range(toggles.count()):
        box = toggles.nth(index)
        box.scroll_into_view_if_needed()
        box.locator(".toggle-button").first.click()
        body = box.locator(":scope > :not(.admonition-title):not(button)").first
        if "toggle-hidden" in (box.get_attribute("class") or "") or not body.is_visible():
            closed.append(box.locator(".admonition-title").first.inner_text()[:60])
    details = page.locator("details.sd-dropdown")
    for index in range(details.count()):
        item = details.nth(index)
        item.locator("summary").first.click()
        if item.get_attribute("open") is None:
            closed.append(item.locator("summary").first.inner_text()[:60])
    return closed


def image_digest(page, explorer):
    return hashlib.sha1(explorer.locator("img.lstm-explorer-frame").get_attribute("src").encode()).hexdigest()


def source_pages_problems(browser, base, names):
    """Load each highlighted source page (Sphinx's viewcode, ``_modules/``) in one context; list its problems.

    The 67 source pages come from one template with no math, dropdowns or figures, so each
    only has to load with every request outside 127.0.0.1 blocked and no console error:
    one shared context and the load event are enough (the full per-page check costs 1.4 s each).
    """
    context = browser.new_context()
    report, blocked, console = [], [], []
    block_network(context, blocked)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and console.append(message.text))
    page.on("pageerror", lambda error: console.append(str(error)))
    for name in names:
        response = page.goto(f"{base}/{name}", wait_until="load")
        if response is None or not response.ok or blocked or console or "highlight" not in page.content():
            report.append(f"{name}: HTTP {response and response.status}, blocked {blocked[:3]}, "
                          f"console {console[:3]}")
        blocked.clear()
        console.clear()
    context.close()
    return report


def test_every_page_loads_offline_without_errors(browser, book):
    html, base = book
    pages = pages_of(html, decks=False)
    sources = [name for name in pages if name.startswith("_modules/")]
    pages = [name for name in pages if name not in sources]
    assert len(pages) >= 20 and len(sources) >= 20, (pages, sources)
    report = source_pages_problems(browser, base, sources)
    totals = {"pages": len(pages), "source pages": len(sources), "math pages": 0, "dropdowns": 0, "explorers": 0,
              "widget pages": 0}
    for name in pages:
        page, context, problems = open_page(browser, f"{base}/{name}")
        state = page.evaluate(PAGE_STATE)
        closed = open_dropdowns(page)
        totals["math pages"] += state["maths"] > 0
        totals["dropdowns"] += state["dropdowns"]
        totals["explorers"] += state["explorers"]
        totals["widget pages"] += state["views"] > 0
        for kind in ("blocked", "console", "failed"):
            if problems[kind]:
                report.append(f"{name}: {kind}: {problems[kind][:3]}")
        if state["images"]:
            report.append(f"{name}: images that do not decode: {state['images'][:3]}")
        if state["raw"]:
            report.append(f"{name}: {len(state['raw'])} of {state['maths']} math elements not typeset: "
                          f"{state['raw'][:2]}")
        if state["views"] and not state["widgets"]:
            report.append(f"{name}: {state['views']} saved widgets, none rendered")
        if closed:
            report.append(f"{name}: dropdowns that did not open: {closed[:3]}")
        context.close()
    print(totals)
    assert not report, "\n".join(report)
    assert totals["math pages"] >= 5 and totals["dropdowns"] >= 1


def test_every_explorer_changes_its_figure_when_a_slider_moves(browser, book):
    html, base = book
    moved = explorers_seen = 0
    for name in pages_of(html):
        if "lstm-explorer" not in (html / name).read_text(encoding="utf8"):
            continue
        page, context, problems = open_page(browser, f"{base}/{name}")
        explorers = page.locator(".lstm-explorer")
        explorers_seen += explorers.count()
        for index in range(explorers.count()):
            explorer = explorers.nth(index)
            bring_into_view(explorer)
            sliders = explorer.locator("input[type=range]")
            for k in range(sliders.count()):
                slider = sliders.nth(k)
                before, shown = image_digest(page, explorer), explorer.locator("output").nth(k).inner_text()
                value, top = int(slider.input_value()), int(slider.get_attribute("max"))
                slider.fill(str(0 if value == top else top))
                after = image_digest(page, explorer)
                assert after != before, f"{name}: explorer {index}, slider {k} did not change the figure"
                assert explorer.locator("output").nth(k).inner_text() != shown
                assert explorer.locator("img.lstm-explorer-frame").evaluate("img => img.naturalWidth") > 0
                moved += 1
        assert not problems["console"] and not problems["blocked"], f"{name}: {problems}"
        context.close()
    print(f"{explorers_seen} explorers, {moved} sliders moved")
    assert explorers_seen >= 4


def test_notebook_downloads_download_and_the_archive_has_every_chapter(browser, book):
    html, base = book
    page, context, problems = open_page(browser, f"{base}/chapters/03_bptt/bptt.html")
    link = page.locator("a.btn-download-source-button")
    assert link.get_attribute("href").endswith(".ipynb") and link.get_attribute("download") is not None
    with page.expect_download() as download:
        link.dispatch_event("click")
    assert download.value.suggested_filename == "bptt.ipynb"
    page.goto(f"{base}/reference/run_it_yourself.html")
    archive_link = page.locator(f'a[download][href$="{ARCHIVE}"]')
    assert archive_link.count() >= 1, "the Run it yourself page does not link the notebooks archive"
    response = page.request.get(archive_link.first.evaluate("a => a.href"))
    assert response.ok and response.body()[:2] == b"PK"
    context.close()
    with zipfile.ZipFile(html / ARCHIVE) as archive:
        names = set(archive.namelist())
    source = html.parent.parent        # the book that was built (<book>/_build/html)
    chapters = {f"lstm-course/{path.relative_to(source).as_posix()}" for path in source.glob("chapters/*/*.ipynb")}
    assert chapters <= names and "lstm-course/lstm_course/__init__.py" in names
    assert "lstm-course/requirements.txt" in names and "lstm-course/README.md" in names


def test_the_source_page_check_reports_a_request_outside_and_a_script_error(browser, tmp_path):
    from browser_support import serve
    page = '<html><body><div class="highlight">x = 1</div>{}</body></html>'
    (tmp_path / "_modules").mkdir()
    (tmp_path / "_modules" / "clean.html").write_text(page.format(""))
    (tmp_path / "_modules" / "remote.html").write_text(page.format('<script src="https://cdn.example.org/a.js">'
                                                                   '</script>'))
    (tmp_path / "_modules" / "broken.html").write_text(page.format("<script>undefinedName()</script>"))
    base, server = serve(tmp_path)
    try:
        report = source_pages_problems(browser, base, ["_modules/clean.html", "_modules/remote.html",
                                                       "_modules/broken.html", "_modules/missing.html"])
    finally:
        server.shutdown()
    assert [line.split(":")[0] for line in report] == ["_modules/remote.html", "_modules/broken.html",
                                                      "_modules/missing.html"], report
    assert "cdn.example.org" in report[0] and "undefinedName" in report[1] and "404" in report[2]
