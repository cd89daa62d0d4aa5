"""Tests for mu_poly_trim.poly_trim."""

import pytest

from mu_poly_trim import poly_trim

def test_trailing_zeros_go():
    assert poly_trim([1, 2, 0, 0]) == [1, 2]

def test_zero_polynomial():
    assert poly_trim([0, 0]) == [0]
    assert poly_trim([]) == [0]

def test_input_is_not_modified():
    p = [3, 0]
    assert poly_trim(p) == [3]
    assert p == [3, 0]

def test_inner_zeros_stay():
    assert poly_trim([0, 0, 5]) == [0, 0, 5]
