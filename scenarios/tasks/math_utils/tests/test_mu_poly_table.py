"""Tests for mu_poly_table.poly_table."""

import pytest

from mu_poly_table import poly_table

def test_table_of_square():
    assert poly_table([0, 0, 1], -1, 1, 1) == [(-1, 1), (0, 0), (1, 1)]

def test_fractional_step_reaches_stop():
    xs = [x for x, _ in poly_table([1], 0, 1, 0.1)]
    assert len(xs) == 11
    assert xs[-1] == pytest.approx(1.0)

def test_bad_step():
    with pytest.raises(ValueError):
        poly_table([1], 0, 1, 0)
    assert poly_table([2], 0, 0, 1) == [(0, 2)]
