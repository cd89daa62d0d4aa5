"""Tests for mu_find_roots.find_roots."""

import pytest

from mu_find_roots import find_roots

def test_square_roots_of_two():
    roots = find_roots([-2, 0, 1], -3, 3, 1)
    assert roots == [pytest.approx(-2 ** 0.5, abs=1e-7), pytest.approx(2 ** 0.5, abs=1e-7)]

def test_cubic_three_roots():
    # (x + 1.5)(x - 0.5)(x - 2.5) = x^3 - 1.5x^2 - 3.25x + 1.875
    roots = find_roots([1.875, -3.25, -1.5, 1], -4, 4, 1)
    assert roots == [pytest.approx(r, abs=1e-7) for r in (-1.5, 0.5, 2.5)]

def test_no_roots():
    assert find_roots([1, 0, 1], -5, 5, 0.5) == []
