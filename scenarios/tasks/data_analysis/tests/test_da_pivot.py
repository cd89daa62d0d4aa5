"""Tests for da_pivot.pivot."""

import pytest

from da_pivot import pivot

def test_pivot_sums():
    rows = [{"r": "x", "c": "p", "v": 1}, {"r": "x", "c": "p", "v": 2}, {"r": "x", "c": "q", "v": 5},
            {"r": "y", "c": "p", "v": None}]
    assert pivot(rows, "r", "c", "v") == {"x": {"p": 3, "q": 5}}

def test_empty():
    assert pivot([], "r", "c", "v") == {}
