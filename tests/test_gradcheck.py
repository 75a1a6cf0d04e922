import numpy as np
import pytest

from lstm_course.nn.gradcheck import check_gradients, format_gradient_table, numerical_gradient, rel_error


def test_numerical_gradient_of_a_quadratic_is_exact(rng):
    A = rng.normal(size=(3, 4))
    x = rng.normal(size=4)
    df = rng.normal(size=3)
    numeric = numerical_gradient(lambda v: A @ v, x.copy(), df)
    assert rel_error(numeric, A.T @ df) < 1e-10


def test_numerical_gradient_restores_its_input(rng):
    x = rng.normal(size=(2, 3))
    before = x.copy()
    numerical_gradient(np.sin, x, np.ones_like(x))
    np.testing.assert_array_equal(x, before)


def test_rel_error_basic_properties():
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert rel_error([1.0], [-1.0]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="must have the shape of a"):
        rel_error(np.zeros(2), np.zeros(3))


def test_check_gradients_passes_a_correct_and_flags_a_wrong_gradient(rng, capsys):
    W = rng.normal(size=(3, 2))
    x = rng.normal(size=(4, 3))
    df = rng.normal(size=(4, 2))
    errors = check_gradients(lambda x, W: x @ W, {"x": x, "W": W}, {"x": df @ W.T, "W": 2 * x.T @ df}, df)
    assert errors["x"] < 1e-9
    assert errors["W"] > 0.1
    table = capsys.readouterr().out
    assert "PASS" in table and "FAIL" in table


def test_check_gradients_rejects_unknown_names(rng):
    with pytest.raises(ValueError, match="unknown inputs"):
        check_gradients(lambda x: x, {"x": np.ones(2)}, {"y": np.ones(2)}, np.ones(2), verbose=False)


def test_numerical_gradient_rejects_integer_arrays():
    with pytest.raises(ValueError, match="floating-point"):
        numerical_gradient(lambda v: v, np.arange(3), np.ones(3))


def test_table_has_one_row_per_parameter():
    table = format_gradient_table({"Wx": 1e-10, "b": 1e-3}, {"Wx": (3, 4), "b": (4,)})
    lines = table.splitlines()
    assert len(lines) == 4 and "Wx" in lines[2] and "FAIL" in lines[3]
