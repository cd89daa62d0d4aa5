"""Tests for svg_best_bar_width.best_bar_width."""

import pytest

from svg_best_bar_width import best_bar_width

def test_best_width():
    # 3 bars, gaps of 5: 3w + 10 <= 100 -> w = 30
    assert best_bar_width([1, 2, 3], "t", 100) == 30

def test_none_fits():
    assert best_bar_width([1] * 30, "t", 100) == 0
    assert best_bar_width([1], "t", 500) == 100
