"""Exercise 8.4's grade cells, hidden tests included, fail made-up answers for the right reason.

The nbgrader round trip (``tests/test_nbgrader_workflow.py``) proves the instructor's answers earn
full marks; this file proves the other side: a ``decide`` with a plausible wrong rule, and results
typed in rather than measured, are each caught, and by the assertion meant to catch them.
"""
from pathlib import Path

import nbformat
import numpy as np
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "chapters" / "08_char_language_model" / "exercises.ipynb"


def grade_cell(grade_id):
    (source,) = [cell.source for cell in nbformat.read(NOTEBOOK, as_version=4).cells
                 if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return source


def run_cell(grade_id, **namespace):
    exec(compile(grade_cell(grade_id), grade_id, "exec"), {"np": np, **namespace})


def decide_by_mean(results):
    """Ranks by the mean over seeds: right when the seeds agree, wrong when they overlap."""
    means = {setting: np.mean(scores) for setting, scores in results.items()}
    return min(means, key=means.get)


def decide_by_best_seed(results):
    """Compares best seeds only, so a lucky seed wins."""
    best = {setting: min(scores) for setting, scores in results.items()}
    leader = min(best, key=best.get)
    return leader if all(best[leader] < value for key, value in best.items() if key != leader) else None


def decide_honestly(results):
    for setting, scores in results.items():
        if max(scores) < min(min(other) for key, other in results.items() if key != setting):
            return setting
    return None


def test_the_honest_decide_passes_its_hidden_tests():
    run_cell("decide-tests", decide=decide_honestly)


@pytest.mark.parametrize("wrong", [decide_by_mean, decide_by_best_seed])
def test_a_decide_that_ignores_the_spread_fails(wrong):
    with pytest.raises(AssertionError):
        run_cell("decide-tests", decide=wrong)


# Plausible numbers, typed in: the right shape, the right ranking, the right characters read.
TYPED_IN = {10: [3.27, 3.27, 3.23], 40: [3.51, 3.56, 3.46]}
READ = {10: 150_080, 40: 60_320}


def test_typed_in_results_fail_the_hidden_re_run():
    with pytest.raises(AssertionError, match="is not what that run measures"):
        run_cell("k2-tests", results=TYPED_IN, characters_read=READ, winner=10, decide=decide_honestly, V=78)


def test_a_made_up_verdict_fails_the_visible_test():
    with pytest.raises(AssertionError):
        run_cell("k2-tests", results=TYPED_IN, characters_read=READ, winner=None, decide=decide_honestly, V=78)
