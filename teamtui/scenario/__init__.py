"""Scenarios: the vocabulary of a run (architectures, p, faults, sweep axes), the file format and task packs."""
