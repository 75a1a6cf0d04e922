"""Checks on the book's notebooks as files: table of contents, stored outputs, and
the guarantee that a failing cell fails ``pytest`` (nbval runs the notebooks themselves)."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(path for path in (ROOT / "chapters").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in path.parts and "_build" not in path.parts)


def toc_files(entries):
    """Every ``file:`` in a _toc.yml subtree, recursively."""
    for entry in entries:
        if "file" in entry:
            yield entry["file"]
        for key in ("chapters", "sections", "parts"):
            yield from toc_files(entry.get(key, []))


def test_every_chapter_notebook_is_in_the_toc_and_every_toc_entry_exists():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = set(toc_files([toc]))
    on_disk = {str(path.relative_to(ROOT).with_suffix("")) for path in NOTEBOOKS}
    assert on_disk - listed == set(), "notebooks missing from _toc.yml"
    missing = {entry for entry in listed
               if not any((ROOT / f"{entry}{suffix}").exists() for suffix in (".ipynb", ".md"))}
    assert missing == set(), "_toc.yml lists files that do not exist"


def test_there_are_chapter_notebooks():
    assert NOTEBOOKS, "no notebooks found under chapters/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_committed_without_outputs(path):
    notebook = json.loads(path.read_text())
    dirty = [index for index, cell in enumerate(notebook["cells"])
             if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))]
    assert dirty == [], f"cells {dirty} store outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_checks_its_claims_with_asserts(path):
    notebook = nbformat.read(path, as_version=4)
    asserting = [cell for cell in notebook.cells if cell.cell_type == "code" and "assert " in cell.source]
    assert len(asserting) >= 3, "a chapter states numbers, so it needs assert cells that check them"


def run_pytest_on_notebook(tmp_path, cells):
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(notebook, tmp_path / "probe.ipynb")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    return subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "probe.ipynb"], cwd=tmp_path, capture_output=True, text=True)


def test_a_broken_notebook_cell_fails_pytest(tmp_path):
    cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("assert x == 2, 'claim is false'")]
    result = run_pytest_on_notebook(tmp_path, cells)
    assert result.returncode == 1, result.stdout
    assert "claim is false" in result.stdout


def test_a_cell_tagged_raises_exception_may_raise(tmp_path):
    cells = [nbformat.v4.new_code_cell(textwrap.dedent("raise ValueError('shown on purpose')"),
                                       metadata={"tags": ["raises-exception"]}),
             nbformat.v4.new_code_cell("assert True")]
    result = run_pytest_on_notebook(tmp_path, cells)
    assert result.returncode == 0, result.stdout
