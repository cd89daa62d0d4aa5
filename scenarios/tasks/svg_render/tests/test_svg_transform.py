"""Tests for svg_transform.transform_str."""

import pytest

from svg_transform import transform_str

def test_all_parts():
    assert transform_str((10, 20.0), 2, 45) == "translate(10 20) scale(2) rotate(45)"

def test_some_parts():
    assert transform_str(scale=0.5) == "scale(0.5)"
    assert transform_str() == ""
