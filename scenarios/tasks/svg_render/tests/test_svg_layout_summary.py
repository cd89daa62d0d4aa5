"""Tests for svg_layout_summary.layout_summary."""

import pytest

from svg_layout_summary import layout_summary

def test_summary():
    assert layout_summary([1, 2, 3], "t", 100) == {"bar_width": 30, "fits": True, "total_width": 100}

def test_nothing_fits():
    assert layout_summary([1] * 30, "t", 100) == {"bar_width": 0, "fits": False, "total_width": 0}
