"""Tests for da_report.report."""

import pytest

from da_report import report
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_report():
    r = report(CSV, "Staff")
    assert r.splitlines()[:2] == ["Staff", "====="]
    assert r.splitlines()[2].startswith("age: mean=39.75")

def test_report_without_numbers():
    assert report("a\n", "T") == "T\n="
