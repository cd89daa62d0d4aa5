"""Tests for da_flag_outliers.flag_outliers."""

import pytest

from da_flag_outliers import flag_outliers
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_eve_is_an_outlier():
    assert flag_outliers(CSV)["outliers"] == [3]

def test_threshold():
    assert flag_outliers(CSV, threshold=5)["outliers"] == []
