"""Tests for mu_poly_to_str.poly_to_str."""

import pytest

from mu_poly_to_str import poly_to_str

def test_quadratic():
    assert poly_to_str([1, -2, 3]) == "3x^2 - 2x + 1"

def test_unit_coefficients():
    assert poly_to_str([0, -1, 0, 1]) == "x^3 - x"

def test_zero_and_constants():
    assert poly_to_str([]) == "0"
    assert poly_to_str([0, 0]) == "0"
    assert poly_to_str([-1.0]) == "-1"

def test_fraction_coefficient():
    assert poly_to_str([0.5, 1]) == "x + 0.5"
