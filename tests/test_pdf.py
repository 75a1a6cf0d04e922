"""The PDF edition: ``jupyter-book build . --builder pdflatex`` (XeLaTeX, Debian's TeX Live), offline.

The test reads the PDF with poppler's ``pdftotext`` and ``pdfimages``: a plausible page count,
every chapter's title, the exercises, the bibliography, typeset math (no TeX source left in the
text), the glossary's Chinese terms and the exercises' difficulty stars, and at least as many
embedded images as the executed notebooks have figures.

With BOOK_PDF set (``.ci/run`` builds the PDF after the HTML book) the test reads that file;
otherwise it builds the PDF itself (a few minutes; notebooks come from the execution cache). It
skips when XeLaTeX, latexmk or poppler is missing, unless REQUIRE_PDF_TESTS=1 (``.ci/run`` sets it).
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_slides  # noqa: E402

PDF_NAME = "training-lstms.pdf"
TOOLS = ("xelatex", "latexmk", "pdftotext", "pdfimages")


def _require_tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        reason = (f"{', '.join(missing)} missing: apt-get install texlive-xetex texlive-latex-extra latexmk "
                  "poppler-utils (see .ci/run for the full list)")
        if os.environ.get("REQUIRE_PDF_TESTS") == "1":
            pytest.fail(f"{reason} (REQUIRE_PDF_TESTS=1: the PDF test must run)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def pdf():
    _require_tools()
    if os.environ.get("BOOK_PDF"):
        path = Path(os.environ["BOOK_PDF"])
    else:
        (ROOT / "_build").mkdir(exist_ok=True)
        # The lock tests/_book.py holds while it builds the HTML: both builds share the execution cache.
        with FileLock(str(ROOT / "_build" / ".book-build.lock")):
            subprocess.run([str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT), "--builder",
                            "pdflatex"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        path = ROOT / "_build" / "latex" / PDF_NAME
    assert path.exists(), f"no PDF at {path}"
    return path


@pytest.fixture(scope="module")
def text(pdf):
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                         text=True).stdout
    return re.sub(r"\s+", " ", raw.replace("-\n", ""))


def toc_files(kind):
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf8"))

    def files(entries):
        for entry in entries:
            yield entry["file"]
            yield from files(entry.get("sections", []))

    return [name for part in toc["parts"] for name in files(part["chapters"]) if kind(name)]


def title_of(docname):
    path = next(ROOT.glob(f"{docname}.*"))
    source = path.read_text(encoding="utf8")
    if path.suffix == ".ipynb":
        source = "\n".join("".join(cell["source"]) for cell in json.loads(source)["cells"])
    return re.search(r"^# (.+)$", source, re.M).group(1).strip()


def plain(title):
    """A title as pdftotext prints it: no Markdown code marks, one space between words."""
    return re.sub(r"\s+", " ", title.replace("`", "")).strip()


def test_page_count(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    print(f"{pdf.name}: {pages} pages, {pdf.stat().st_size / 2**20:.1f} MiB")
    assert 150 <= pages <= 1500, pages


def test_every_chapter_title_appears(text):
    chapters = toc_files(lambda name: name.startswith("chapters/"))
    assert len(chapters) >= 19
    missing = [title_of(name) for name in chapters if plain(title_of(name)) not in text]
    assert not missing, missing


def test_exercises_bibliography_and_glossary_are_in(text):
    assert len(re.findall(r"Exercise \d+\.\d+", text)) >= 36, "fewer than four numbered exercises per chapter"
    assert "Backpropagation through time: what it does and how to do it" in text, "the bibliography is missing"
    assert "梯度" in text and "★" in text, "the glossary's Chinese terms or the difficulty stars are missing"


def test_math_is_typeset(text):
    # (\partial does occur as text: a plot function's default title in the API reference.)
    leftovers = re.findall(r"\\(?:frac|mathbb|begin)\{|\$\$", text)
    assert not leftovers, f"TeX source in the PDF text: {leftovers[:5]}"
    assert "∑" in text and ("𝜕" in text or "∂" in text), "no typeset math found"


def test_figures_are_embedded(pdf):
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True).stdout
    images = [line for line in listing.splitlines()[2:] if line.split()[2:3] == ["image"]]
    cache = ROOT / "_build" / ".jupyter_cache"
    figures = sum(1 for docname in build_slides.chapter_notebooks()
                  for cell in build_slides.executed_notebook(
                      nbformat.read(ROOT / f"{docname}.ipynb", as_version=4), docname, cache).cells
                  for output in cell.get("outputs", []) if "image/png" in output.get("data", {}))
    print(f"{len(images)} images embedded, {figures} figures in the chapter notebooks")
    assert figures >= 40 and len(images) >= figures, (len(images), figures)
