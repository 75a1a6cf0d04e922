"""The teacher's template exercise (teaching/exercise_template.ipynb) works: its checker, its notebook, its release.

The template shows a teacher how to add an exercise with a checker of their own, built on
``lstm_course.checks.run_check``. These tests are what a teacher's own exercise should pass too.
"""
import json
import pathlib
import re
import subprocess
import sys
import types

import nbformat
import numpy as np
import pytest
from nbgrader.nbgraderformat import MetadataValidator

TEACHING = pathlib.Path(__file__).resolve().parent.parent / "teaching"
NOTEBOOK = TEACHING / "exercise_template.ipynb"
sys.path.insert(0, str(TEACHING))
import masked_loss_checker  # noqa: E402


def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


def code_cells(released=False):
    """The notebook's code, as the instructor has it or as nbgrader releases it (no solution, no hidden tests)."""
    sources = [cell.source for cell in notebook().cells if cell.cell_type == "code"]
    if released:
        sources = [re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", "raise NotImplementedError()", source,
                          flags=re.S) for source in sources]
        sources = [re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", source, flags=re.S)
                   for source in sources]
    return sources


def solution():
    namespace = {"np": np}
    exec(code_cells()[1].replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""), namespace)
    return namespace["masked_mse_backward"]


def test_the_notebook_is_valid_nbgrader_and_has_no_outputs():
    nb = notebook()
    MetadataValidator().validate_nb(nb)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")
    graded = [cell.metadata.nbgrader for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")]
    assert sum(meta["points"] for meta in graded) == 3


def test_the_checker_accepts_the_solution():
    verdict = masked_loss_checker.check_masked_mse_backward(solution())
    assert verdict, verdict.message


def forgets_the_mask(yhat, y, mask):
    return yhat - y


def averages(yhat, y, mask):
    return solution()(yhat, y, mask) / mask.sum()


def twice(yhat, y, mask):
    return 2 * solution()(yhat, y, mask)


def wrong_sign(yhat, y, mask):
    return solution()(y, yhat, mask)


def upcasts(yhat, y, mask):
    return solution()(yhat, y, mask).astype(np.float64)


@pytest.mark.parametrize("wrong, hint", [
    (forgets_the_mask, "multiply by mask[:, :, None]"),
    (averages, "do not divide by mask.sum()"),
    (twice, "not 2 e"),
    (wrong_sign, "wrong sign"),
    (upcasts, "keep float32"),
])
def test_the_checker_recognises_each_mistake(wrong, hint):
    verdict = masked_loss_checker.check_masked_mse_backward(wrong)
    assert not verdict
    assert hint in verdict.message


@pytest.mark.parametrize("cheat", [
    lambda yhat, y, mask: masked_loss_checker.masked_mse_backward(yhat, y, mask),
    types.FunctionType(masked_loss_checker.masked_mse_backward.__code__, vars(masked_loss_checker)),
])
def test_the_checker_rejects_the_reference(cheat):
    verdict = masked_loss_checker.check_masked_mse_backward(cheat)
    assert not verdict
    assert "masked_loss_checker.masked_mse_backward" in verdict.message


RUN_CELLS = """
import json, sys
sys.path.insert(0, {teaching!r})
outcomes = []
namespace = {{}}
for source in json.loads({cells!r}):
    try:
        exec(source, namespace)
        outcomes.append("ok")
    except Exception as error:
        outcomes.append(type(error).__name__ + ": " + str(error))
print("OUTCOMES" + json.dumps(outcomes))
"""


def run_cells(sources):
    script = RUN_CELLS.format(teaching=str(TEACHING), cells=json.dumps(sources))
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=TEACHING)
    assert "OUTCOMES" in run.stdout, run.stderr
    return json.loads(run.stdout.split("OUTCOMES", 1)[1])


def test_the_instructor_notebook_passes_and_the_released_one_fails():
    assert run_cells(code_cells()) == ["ok", "ok", "ok"]
    released = run_cells(code_cells(released=True))
    assert released[:2] == ["ok", "ok"]
    assert released[2].startswith("NotImplementedError")
