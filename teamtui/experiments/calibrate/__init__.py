"""`teamtui calibrate`: fit a sim profile to recorded runs per model, and validate it on held-out runs.

The direct knobs come from the calls (`direct`), the behavioural ones from simulation-based fitting (`fit`,
with `simulate`, `figures`, `loss`, `search`, `evaluate`, `cache`); `validate` splits the runs and scores the
fitted sim's predictions (`predict`, `findings`, `distance`); `command` ties them to the command line.
"""
