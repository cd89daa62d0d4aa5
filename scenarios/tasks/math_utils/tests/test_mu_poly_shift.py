"""Tests for mu_poly_shift.poly_shift."""

import pytest

from mu_poly_shift import poly_shift

def test_shift_square():
    assert poly_shift([0, 0, 1], 1) == [1, 2, 1]

def test_shift_by_zero():
    assert poly_shift([3, 2, 1], 0) == [3, 2, 1]

def test_shift_line():
    assert poly_shift([1, 2], 3) == [7, 2]
