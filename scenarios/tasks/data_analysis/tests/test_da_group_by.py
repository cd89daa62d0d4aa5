"""Tests for da_group_by.group_by."""

import pytest

from da_group_by import group_by

def test_groups():
    rows = [{"d": "a", "x": 1}, {"d": "b", "x": 2}, {"d": "a", "x": 3}]
    g = group_by(rows, "d")
    assert list(g) == ["a", "b"]
    assert [r["x"] for r in g["a"]] == [1, 3]

def test_missing_key():
    with pytest.raises(KeyError):
        group_by([{"a": 1}], "b")
    assert group_by([], "a") == {}
