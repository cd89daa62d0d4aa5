"""Tests for svg_chart.svg_chart."""

import pytest

from svg_chart import svg_chart

def test_document():
    doc = svg_chart([1, 2, 3], width=10, gap=2, height=50)
    assert doc.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="34" height="50" viewBox="0 0 34 50">')
    assert doc.endswith("</svg>")
    assert doc.count("<rect") == 3

def test_style_passes_through():
    assert 'fill="teal"' in svg_chart([1], fill="teal")
