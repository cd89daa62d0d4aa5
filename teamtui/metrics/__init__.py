"""Metrics: a run's figures as one record (`summary`), read from the one reducer, and how they are written (`text`)."""
