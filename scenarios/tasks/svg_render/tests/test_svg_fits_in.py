"""Tests for svg_fits_in.fits_in."""

import pytest

from svg_fits_in import fits_in

def test_fits():
    assert fits_in([1, 2], "t", 45, 100) is True

def test_too_wide_or_tall():
    assert fits_in([1, 2], "t", 44, 100) is False
    assert fits_in([1], "t", 100, 99) is False
