"""Tests for svg_bar.bar."""

import pytest

from svg_bar import bar

def test_up():
    assert bar(0, 100, 10, 30) == '<rect x="0" y="70" width="10" height="30"/>'

def test_down():
    assert bar(5, 50, 10, -20, fill="blue") == '<rect x="5" y="50" width="10" height="20" fill="blue"/>'
