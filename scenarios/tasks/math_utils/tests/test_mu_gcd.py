"""Tests for mu_gcd.gcd."""

import pytest

from mu_gcd import gcd

def test_basic():
    assert gcd(12, 18) == 6

def test_signs():
    assert gcd(-12, 18) == 6
    assert gcd(12, -18) == 6

def test_zero():
    assert gcd(0, 5) == 5
    assert gcd(0, 0) == 0
