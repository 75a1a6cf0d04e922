"""Chapter 8's experiment unit (lstm_course.lab.char_lm) on a small synthetic text."""
from pathlib import Path

import numpy as np
import pytest

from lstm_course.lab import char_lm
from lstm_course.models import charlm


@pytest.fixture(scope="module")
def streams():
    # A repeating phrase with some noise: learnable in a few hundred updates.
    rng = np.random.default_rng(0)
    text = "".join(rng.choice(["the cat sat. ", "a dog ran. ", "the dog sat. "], size=400))
    vocab = charlm.build_vocabulary(text)
    codes = vocab.encode(text)
    return codes[:4000], codes[4000:4600], codes[4600:], vocab.size


def test_a_run_keeps_its_best_validation_checkpoint_and_scores_it_on_test(streams):
    train, valid, test, V = streams
    result = char_lm.run_configuration(train, valid, test, V, 10, 20, True, 1, 16, 60_000, batch_size=8,
                                       evaluations=6)
    assert result.params["Wh"].dtype == np.float32
    assert result.best_valid_bpc == pytest.approx(min(result.history.valid_bpc))
    assert result.best_valid_bpc == pytest.approx(charlm.evaluate_bpc(result.params, valid), rel=1e-5)
    assert result.test_bpc == pytest.approx(charlm.evaluate_bpc(result.params, test), rel=1e-5)
    assert result.test_bpc < np.log2(V) - 1.0          # it learned something: a bit below uniform


def test_equal_budgets_spend_equal_compute_and_a_seed_repeats_its_run(streams):
    train, valid, test, V = streams
    budget, N = 30_000, 4
    runs = [char_lm.run_configuration(train, valid, test, V, k1, k2, stateful, 2, 8, budget, batch_size=N,
                                      evaluations=2)
            for k1, k2, stateful in ((5, 5, True), (5, 15, True), (5, 5, False))]
    for run in runs:
        spent = run.history.cell_steps[-1]
        assert budget <= spent < budget + N * (5 + 15 + 5)   # stops within one update past the budget
    # TBPTT(5, 15) pays 15 backward steps per 5 characters, TBPTT(5, 5) 5: it reads about half as many characters.
    assert 0.4 < runs[1].history.updates[-1] / runs[0].history.updates[-1] < 0.6
    again = char_lm.run_configuration(train, valid, test, V, 5, 5, True, 2, 8, budget, batch_size=N, evaluations=2)
    assert again.test_bpc == runs[0].test_bpc


def test_the_schedule_length_counts_updates_the_way_the_budget_is_spent():
    assert char_lm.updates_for(1000, 2, 5, 5) == 50
    assert char_lm.updates_for(1000, 2, 5, 45) == 10
    with pytest.raises(ValueError, match="k2"):
        char_lm.updates_for(1000, 2, 5, 0)


def comparison_row(k1, stateful, seed, bpc):
    return {"phase": "comparison", "k1": k1, "k2": k1, "stateful": stateful, "seed": seed, "best_valid_bpc": bpc}


def test_finalists_keep_what_the_seeds_do_not_separate_from_the_best():
    rows = ([comparison_row(25, True, s, v) for s, v in zip((1, 2, 3), (2.30, 2.32, 2.34))]      # best mean
            + [comparison_row(25, False, s, v) for s, v in zip((1, 2, 3), (2.33, 2.35, 2.36))]   # overlaps at 2.33
            + [comparison_row(50, True, s, v) for s, v in zip((1, 2, 3), (2.35, 2.40, 2.41))]    # all above 2.34
            + [{"phase": "final", "k1": 50, "k2": 50, "stateful": True, "seed": 1, "best_valid_bpc": 1.0}])
    assert char_lm.finalists(rows) == [(25, 25, True), (25, 25, False)]
    # A tie with the best's worst seed is not a clear separation either.
    rows[6]["best_valid_bpc"] = 2.34
    assert (50, 50, True) in char_lm.finalists(rows)


def test_the_repository_csv_has_the_finalists_its_longer_runs_used():
    rows = char_lm.read_results(Path(__file__).resolve().parents[1] / "experiments" / "results" / "char_lm_runs.csv")
    finals = {(r["k1"], r["k2"], r["stateful"]) for r in rows if r["phase"] == "final"}
    assert set(char_lm.finalists(rows)) == finals
    with pytest.raises(ValueError, match="comparison"):
        char_lm.finalists([r for r in rows if r["phase"] == "final"])
