"""Tests for svg_chart_size.chart_size."""

import pytest

from svg_chart_size import chart_size

def test_size():
    assert chart_size([1, 2, 3], "t", width=10, gap=2, height=50) == (34, 50)

def test_empty_chart():
    assert chart_size([], "t") == (0, 100)
