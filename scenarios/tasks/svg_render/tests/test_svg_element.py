"""Tests for svg_element.element."""

import pytest

from svg_element import element

def test_empty_element():
    assert element("circle", {"r": 2}) == '<circle r="2"/>'

def test_with_content():
    assert element("text", {"x": 0}, "hi") == '<text x="0">hi</text>'

def test_no_attrs():
    assert element("g", None, "") == "<g></g>"
