"""Tests for mu_extrema.extrema."""

import pytest

from mu_extrema import extrema

def test_cubic_has_max_then_min():
    got = extrema([0, -3, 0, 1], -3.05, 3, 0.5)
    assert [k for _, k in got] == ["max", "min"]
    assert got[0][0] == pytest.approx(-1, abs=1e-7)

def test_upward_parabola_min():
    assert extrema([0.3, -0.6, 0.25], -10, 10, 1) == [(pytest.approx(1.2, abs=1e-7), "min")]

def test_downward_parabola_max():
    assert extrema([0, 0.6, -0.25], -10, 10, 1) == [(pytest.approx(1.2, abs=1e-7), "max")]
