"""Tests for da_histogram.histogram."""

import pytest

from da_histogram import histogram

def test_counts():
    assert histogram([0, 1, 2, 3, 4, 10], 2, 0, 4) == [2, 3]

def test_bad_args():
    with pytest.raises(ValueError):
        histogram([], 0, 0, 1)
    assert histogram([], 3, 0, 1) == [0, 0, 0]
