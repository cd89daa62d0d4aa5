"""Tests for svg_scaled_bars.scaled_bars."""

import pytest

from svg_scaled_bars import scaled_bars

def test_tallest_fills_height():
    out = scaled_bars([1, 4], 10, 0, 100)
    assert out[1] == '<rect x="10" y="0" width="10" height="100"/>'
    assert out[0] == '<rect x="0" y="75" width="10" height="25"/>'

def test_negative_refused():
    with pytest.raises(ValueError):
        scaled_bars([-1], 1, 1, 1)
    assert scaled_bars([0], 1, 0, 10) == ['<rect x="0" y="10" width="1" height="0"/>']
