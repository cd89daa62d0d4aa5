"""Tests for mu_critical_points.critical_points."""

import pytest

from mu_critical_points import critical_points

def test_parabola_vertex():
    assert critical_points([-1.3, -2.6, 1], -5, 5, 1) == [pytest.approx(1.3, abs=1e-7)]

def test_cubic_two_critical_points():
    # x^3 - 3x: p' = 3x^2 - 3, zeros at -1 and 1 (avoid grid hits with an odd start)
    got = critical_points([0, -3, 0, 1], -3.05, 3, 0.5)
    assert got == [pytest.approx(-1, abs=1e-7), pytest.approx(1, abs=1e-7)]

def test_line_has_none():
    assert critical_points([1, 2], -5, 5, 1) == []
