"""Tests for mu_is_prime.is_prime."""

import pytest

from mu_is_prime import is_prime

def test_small_primes():
    assert [n for n in range(20) if is_prime(n)] == [2, 3, 5, 7, 11, 13, 17, 19]

def test_composites_and_negatives():
    assert is_prime(91) is False
    assert is_prime(-7) is False

def test_larger_prime():
    assert is_prime(7919) is True
