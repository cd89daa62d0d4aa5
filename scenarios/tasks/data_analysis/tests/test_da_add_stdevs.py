"""Tests for da_add_stdevs.add_stdevs."""

import pytest

from da_add_stdevs import add_stdevs
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_stdevs():
    sd = add_stdevs(CSV)["stdevs"]
    assert sd["salary"] == pytest.approx(130.67, abs=0.01)
    assert sd["age"] == pytest.approx(8.70, abs=0.01)

def test_constant_column():
    assert add_stdevs("a\n2\n2\n")["stdevs"] == {"a": 0.0}
