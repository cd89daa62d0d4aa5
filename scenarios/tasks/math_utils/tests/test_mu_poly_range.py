"""Tests for mu_poly_range.poly_range."""

import pytest

from mu_poly_range import poly_range

def test_parabola_range():
    lo, hi = poly_range([0, 0, 1], -1.003, 2)
    assert lo == pytest.approx(0, abs=1e-9)
    assert hi == pytest.approx(4)

def test_line_range():
    assert poly_range([1, -2], 0, 3) == (pytest.approx(-5), pytest.approx(1))

def test_bad_interval():
    with pytest.raises(ValueError):
        poly_range([1], 1, 0)
    assert poly_range([2], 0, 1) == (pytest.approx(2), pytest.approx(2))
