"""Tests for da_drop_incomplete.drop_incomplete."""

import pytest

from da_drop_incomplete import drop_incomplete
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_cy_is_dropped():
    f = drop_incomplete(CSV)
    assert [r["name"] for r in f["rows"]] == ["ann", "bob", "dee", "eve"]
    assert f["dropped"] == 1

def test_nothing_to_drop():
    assert drop_incomplete("a\n1\n")["dropped"] == 0
