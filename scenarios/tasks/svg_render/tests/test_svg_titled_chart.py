"""Tests for svg_titled_chart.titled_chart."""

import pytest

from svg_titled_chart import titled_chart

def test_title_after_open_tag():
    doc = titled_chart([1], "Sales & <costs>")
    assert '"><title>Sales &amp; &lt;costs&gt;</title><g class="bars">' in doc

def test_still_a_document():
    assert titled_chart([], "t").endswith("</svg>")
