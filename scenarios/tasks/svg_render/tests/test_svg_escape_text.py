"""Tests for svg_escape_text.escape_text."""

import pytest

from svg_escape_text import escape_text

def test_all():
    assert escape_text("""<a href="x">Tom & Jerry's</a>""") == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"

def test_plain():
    assert escape_text("plain") == "plain"
