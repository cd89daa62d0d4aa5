"""Tests for mu_poly_mul.poly_mul."""

import pytest

from mu_poly_mul import poly_mul

def test_binomial_square():
    assert poly_mul([1, 1], [1, 1]) == [1, 2, 1]

def test_difference_of_squares():
    assert poly_mul([1, 1], [-1, 1]) == [-1, 0, 1]

def test_zero_factor():
    assert poly_mul([0], [1, 2, 3]) == [0]

def test_constants():
    assert poly_mul([3], [2, 5]) == [6, 15]
