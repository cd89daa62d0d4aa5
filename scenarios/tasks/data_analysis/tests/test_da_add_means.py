"""Tests for da_add_means.add_means."""

import pytest

from da_add_means import add_means
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_means():
    m = add_means(CSV)["means"]
    assert m["age"] == pytest.approx(39.75)
    assert m["salary"] == pytest.approx(175)

def test_no_numeric_no_means():
    assert add_means("a\nx\n")["means"] == {}
