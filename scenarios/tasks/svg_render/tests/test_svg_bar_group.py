"""Tests for svg_bar_group.bar_group."""

import pytest

from svg_bar_group import bar_group

def test_group():
    assert bar_group([2], 5, 0, 10) == '<g class="bars"><rect x="0" y="0" width="5" height="10"/></g>'

def test_empty_group():
    assert bar_group([], 5, 0, 10) == '<g class="bars"></g>'
