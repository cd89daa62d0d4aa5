"""Tests for svg_hex_color.hex_to_rgb."""

import pytest

from svg_hex_color import hex_to_rgb

def test_long_and_short():
    assert hex_to_rgb("#ff8000") == (255, 128, 0)
    assert hex_to_rgb("#FFF") == (255, 255, 255)

def test_bad():
    for bad in ("ff8000", "#12345", "#gggggg"):
        with pytest.raises(ValueError):
            hex_to_rgb(bad)
    assert hex_to_rgb("#000") == (0, 0, 0)
