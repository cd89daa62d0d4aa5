"""Tests for mu_poly_eval_many.poly_eval_many."""

import pytest

from mu_poly_eval_many import poly_eval_many

def test_many_points():
    assert poly_eval_many([0, 0, 1], [-2, 0, 3]) == [4, 0, 9]

def test_no_points():
    assert poly_eval_many([1, 2], []) == []

def test_constant():
    assert poly_eval_many([7], [1, 2]) == [7, 7]
