"""Tests for da_parse_csv.parse_csv."""

import pytest

from da_parse_csv import parse_csv
CSV = "name,dept,age,salary\nann,eng,34,100\nbob,eng,45,120\ncy,ops,,90\ndee,ops,29,80\neve,eng,51,400\n"

def test_rows_and_header():
    rows = parse_csv(CSV)
    assert len(rows) == 5
    assert rows[0] == {"name": "ann", "dept": "eng", "age": "34", "salary": "100"}

def test_whitespace_and_blank_lines():
    assert parse_csv("a, b\n\n 1 ,2 \n") == [{"a": "1", "b": "2"}]

def test_bad_row_names_the_line():
    with pytest.raises(ValueError, match="line 3"):
        parse_csv("a,b\n1,2\n3\n")
    assert parse_csv("") == []
