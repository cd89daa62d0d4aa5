"""Tests for da_load_frame.load_frame."""

import pytest

from da_load_frame import load_frame
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_frame():
    f = load_frame(CSV)
    assert f["columns"] == ["name", "dept", "age", "salary"]
    assert len(f["rows"]) == 5

def test_header_only_and_empty():
    assert load_frame("a,b\n") == {"columns": ["a", "b"], "rows": []}
    assert load_frame("") == {"columns": [], "rows": []}
