"""Tests for svg_attrs.attrs_str."""

import pytest

from svg_attrs import attrs_str

def test_names_and_numbers():
    assert attrs_str({"x": 1.0, "stroke_width": 0.5, "class_": "bar"}) == ' x="1" stroke-width="0.5" class="bar"'

def test_none_skipped_and_escaping():
    assert attrs_str({"a": None, "title": 'x<"y">&'}) == ' title="x&lt;&quot;y&quot;&gt;&amp;"'

def test_empty():
    assert attrs_str({}) == ""
    assert attrs_str({"n": 2}) == ' n="2"'
