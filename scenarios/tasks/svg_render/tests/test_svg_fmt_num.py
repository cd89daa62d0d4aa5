"""Tests for svg_fmt_num.fmt_num."""

import pytest

from svg_fmt_num import fmt_num

def test_integral():
    assert fmt_num(3.0) == "3"
    assert fmt_num(-2) == "-2"

def test_decimals():
    assert fmt_num(1 / 3) == "0.333"
    assert fmt_num(1.5) == "1.5"

def test_negative_zero():
    assert fmt_num(-0.0) == "0"
    assert fmt_num(-0.0001) == "0"
