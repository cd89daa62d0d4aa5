"""Tests for da_standardize.standardize."""

import pytest

from da_standardize import standardize
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_z_of_eve_salary():
    f = standardize(CSV)
    assert f["z"][3]["salary"] == pytest.approx((400 - 175) / 130.6713, abs=1e-4)

def test_zero_stdev_gives_zero():
    assert standardize("a\n5\n5\n")["z"] == [{"a": 0.0}, {"a": 0.0}]
