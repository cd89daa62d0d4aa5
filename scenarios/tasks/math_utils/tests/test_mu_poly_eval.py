"""Tests for mu_poly_eval.poly_eval."""

import pytest

from mu_poly_eval import poly_eval

def test_quadratic():
    assert poly_eval([1, 2, 3], 2) == 17

def test_at_zero_is_constant_term():
    assert poly_eval([5, 9, 9], 0) == 5

def test_empty_is_zero():
    assert poly_eval([], 3) == 0

def test_negative_x():
    assert poly_eval([0, 0, 0, 1], -2) == -8
