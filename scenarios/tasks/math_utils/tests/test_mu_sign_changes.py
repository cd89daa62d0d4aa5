"""Tests for mu_sign_changes.sign_changes."""

import pytest

from mu_sign_changes import sign_changes

def test_two_roots_of_quadratic():
    # x^2 - 2 has roots at +-1.414
    assert sign_changes([-2, 0, 1], -3, 3, 1) == [(-2, -1), (1, 2)]

def test_no_change():
    assert sign_changes([1, 0, 1], -3, 3, 0.5) == []

def test_touching_zero_is_not_a_change():
    assert sign_changes([0, 0, 1], -1, 1, 1) == []
    assert sign_changes([-1, 1], 0, 2, 2) == [(0, 2)]
