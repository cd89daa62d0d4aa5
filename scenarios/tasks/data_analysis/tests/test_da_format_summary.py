"""Tests for da_format_summary.format_summary."""

import pytest

from da_format_summary import format_summary
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_lines():
    assert format_summary(CSV) == ["age: mean=39.75 clean=36.00 sd=8.70",
                                   "salary: mean=175.00 clean=100.00 sd=130.67"]

def test_empty():
    assert format_summary("a\n") == []
