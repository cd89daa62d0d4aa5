"""Experiments: sweeps over grids of scenarios, their stored results, statistics and reports."""
