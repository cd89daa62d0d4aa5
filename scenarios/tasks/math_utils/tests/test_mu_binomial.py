"""Tests for mu_binomial.binomial."""

import pytest

from mu_binomial import binomial

def test_small():
    assert binomial(5, 2) == 10
    assert binomial(5, 0) == 1

def test_out_of_range_k():
    assert binomial(5, 6) == 0
    assert binomial(5, -1) == 0

def test_big_exact():
    assert binomial(60, 30) == 118264581564861424

def test_negative_n():
    with pytest.raises(ValueError):
        binomial(-1, 0)
