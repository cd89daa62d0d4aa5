"""Tests for mu_poly_pow.poly_pow."""

import pytest

from mu_poly_pow import poly_pow

def test_cube_of_binomial():
    assert poly_pow([1, 1], 3) == [1, 3, 3, 1]

def test_power_zero_is_one():
    assert poly_pow([5, 7], 0) == [1]

def test_power_one_is_itself():
    assert poly_pow([2, 0, 1], 1) == [2, 0, 1]

def test_negative_power_refused():
    with pytest.raises(ValueError):
        poly_pow([1, 1], -1)
    assert poly_pow([0, 1], 4) == [0, 0, 0, 0, 1]
