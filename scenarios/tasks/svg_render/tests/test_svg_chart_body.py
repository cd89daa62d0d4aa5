"""Tests for svg_chart_body.chart_body."""

import pytest

from svg_chart_body import chart_body

def test_body_has_group_and_baseline():
    body = chart_body([1, 1], 10, 5, 20)
    assert body.startswith('<g class="bars">')
    assert body.endswith('<line x1="0" y1="20" x2="25" y2="20" stroke="black"/>')

def test_empty_body():
    assert chart_body([], 10, 5, 20) == '<g class="bars"></g><line x1="0" y1="20" x2="0" y2="20" stroke="black"/>'
