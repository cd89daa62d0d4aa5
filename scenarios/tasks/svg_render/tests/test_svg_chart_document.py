"""Tests for svg_chart_document.chart_document."""

import pytest

from svg_chart_document import chart_document

def test_prolog():
    doc = chart_document([1], "t")
    assert doc.splitlines()[0] == '<?xml version="1.0" encoding="UTF-8"?>'
    assert doc.splitlines()[1].startswith("<svg ")

def test_sizes_pass_through():
    assert 'width="45"' in chart_document([1, 1], "t", width=20, gap=5)
