"""Tests for da_load_rows.load_rows."""

import pytest

from da_load_rows import load_rows
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_types():
    rows = load_rows(CSV)
    assert rows[0]["age"] == 34 and isinstance(rows[0]["age"], int)
    assert rows[2]["age"] is None
    assert rows[0]["name"] == "ann"

def test_floats():
    assert load_rows("x\n2.5\n1e3\n-3\n") == [{"x": 2.5}, {"x": 1000.0}, {"x": -3}]
