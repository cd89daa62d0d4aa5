"""Tests for da_clean_means.clean_means."""

import pytest

from da_clean_means import clean_means
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_clean_salary_mean():
    assert clean_means(CSV)["clean_means"]["salary"] == pytest.approx(100)

def test_clean_age_mean():
    assert clean_means(CSV)["clean_means"]["age"] == pytest.approx(36)
