"""Tests for da_add_totals.add_totals."""

import pytest

from da_add_totals import add_totals
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_totals():
    assert add_totals(CSV)["totals"] == {"age": 159, "salary": 700}

def test_empty():
    assert add_totals("a\n")["totals"] == {}
