"""Tests for da_numeric_columns.numeric_columns."""

import pytest

from da_numeric_columns import numeric_columns
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_numeric():
    assert numeric_columns(CSV)["numeric"] == ["age", "salary"]

def test_no_rows_no_numeric():
    assert numeric_columns("a,b\n")["numeric"] == []

def test_mixed_column_is_not_numeric():
    assert numeric_columns("a,b\n1,x\n2,3\n")["numeric"] == ["a"]
