"""Faults: what can go wrong with a team, and the schedule that makes it go wrong."""
