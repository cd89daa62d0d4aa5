"""Tests for da_inner_join.inner_join."""

import pytest

from da_inner_join import inner_join

def test_join():
    left = [{"id": 1, "a": "x"}, {"id": 2, "a": "y"}]
    right = [{"id": 2, "b": "z"}, {"id": 1, "b": "w"}, {"id": 1, "b": "v"}]
    assert inner_join(left, right, "id") == [{"id": 1, "a": "x", "b": "w"}, {"id": 1, "a": "x", "b": "v"},
                                             {"id": 2, "a": "y", "b": "z"}]

def test_no_match():
    assert inner_join([{"id": 1}], [{"id": 2}], "id") == []
