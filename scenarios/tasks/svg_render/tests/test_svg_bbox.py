"""Tests for svg_bbox.bbox."""

import pytest

from svg_bbox import bbox

def test_box():
    assert bbox([(1, 5), (-2, 3), (4, -1)]) == (-2, -1, 4, 5)

def test_empty():
    with pytest.raises(ValueError):
        bbox([])
    assert bbox([(0, 0)]) == (0, 0, 0, 0)
