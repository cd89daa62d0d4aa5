"""Tests for mu_poly_add.poly_add."""

import pytest

from mu_poly_add import poly_add

def test_add_different_lengths():
    assert poly_add([1, 2], [3, 4, 5]) == [4, 6, 5]

def test_cancellation_is_trimmed():
    assert poly_add([1, 2, 3], [0, 0, -3]) == [1, 2]
    assert poly_add([1], [-1]) == [0]

def test_empty_is_zero():
    assert poly_add([], [2]) == [2]
