"""Tests for da_clean_frame.clean_frame."""

import pytest

from da_clean_frame import clean_frame
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_clean_rows():
    assert [r["name"] for r in clean_frame(CSV)["clean"]] == ["ann", "bob", "dee"]

def test_nothing_removed_with_high_threshold():
    assert len(clean_frame(CSV, threshold=9)["clean"]) == 4
