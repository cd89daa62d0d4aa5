"""Tests for da_report_markdown.report_markdown."""

import pytest

from da_report_markdown import report_markdown
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_markdown():
    md = report_markdown(CSV, "Staff")
    assert md.splitlines()[0] == "## Staff"
    assert md.splitlines()[2] == "- age: mean=39.75 clean=36.00 sd=8.70"

def test_markdown_empty():
    assert report_markdown("a\n", "T") == "## T\n"
