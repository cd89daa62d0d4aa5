"""Tests for svg_bars.bars."""

import pytest

from svg_bars import bars

def test_positions():
    out = bars([1, 2], 10, 5, 10)
    assert out == ['<rect x="0" y="9" width="10" height="1"/>', '<rect x="15" y="8" width="10" height="2"/>']

def test_empty():
    assert bars([], 10, 5, 10) == []
