"""Tests for mu_poly_max_on.poly_max_on."""

import pytest

from mu_poly_max_on import poly_max_on

def test_interior_maximum():
    # -(x - 0.503)^2 + 3 has its max 3 at 0.503 (off the grid, so the derivative changes sign between points)
    assert poly_max_on([2.746991, 1.006, -1], -2, 2) == pytest.approx(3, abs=1e-9)

def test_endpoint_maximum():
    assert poly_max_on([0, 1], -1, 4) == 4

def test_bad_interval():
    with pytest.raises(ValueError):
        poly_max_on([1], 2, 1)
    assert poly_max_on([5], 0, 1) == 5
