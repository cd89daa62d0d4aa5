"""Tests for mu_roman.to_roman."""

import pytest

from mu_roman import to_roman

def test_subtractive():
    assert to_roman(4) == "IV"
    assert to_roman(1994) == "MCMXCIV"

def test_bounds():
    assert to_roman(1) == "I"
    assert to_roman(3999) == "MMMCMXCIX"

def test_out_of_range():
    with pytest.raises(ValueError):
        to_roman(0)
    assert to_roman(40) == "XL"
