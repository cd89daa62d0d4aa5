"""Tests for mu_poly_compose.poly_compose."""

import pytest

from mu_poly_compose import poly_compose

def test_square_of_shift():
    # p(x) = x^2, q(x) = x + 1 -> x^2 + 2x + 1
    assert poly_compose([0, 0, 1], [1, 1]) == [1, 2, 1]

def test_constant_p():
    assert poly_compose([4], [1, 2, 3]) == [4]

def test_identity_q():
    assert poly_compose([1, 2, 3], [0, 1]) == [1, 2, 3]

def test_constant_q():
    assert poly_compose([1, 1, 1], [2]) == [7]
