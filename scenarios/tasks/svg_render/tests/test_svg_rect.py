"""Tests for svg_rect.rect."""

import pytest

from svg_rect import rect

def test_rect():
    assert rect(1, 2, 3, 4, fill="red") == '<rect x="1" y="2" width="3" height="4" fill="red"/>'

def test_negative_size():
    with pytest.raises(ValueError):
        rect(0, 0, -1, 1)
    assert rect(0, 0, 0, 0) == '<rect x="0" y="0" width="0" height="0"/>'
