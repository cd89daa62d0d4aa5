"""Tests for da_summary_rows.summary_rows."""

import pytest

from da_summary_rows import summary_rows
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_rows_sorted_by_column():
    rows = summary_rows(CSV)
    assert [r[0] for r in rows] == ["age", "salary"]
    assert rows[1][1] == pytest.approx(175) and rows[1][2] == pytest.approx(100)

def test_no_numeric():
    assert summary_rows("a\nx\n") == []
