"""Metrics: pure functions of an event list."""
