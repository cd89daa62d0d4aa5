"""The monitor's screens other than the run itself: help, prompts and the end-of-run summary."""
