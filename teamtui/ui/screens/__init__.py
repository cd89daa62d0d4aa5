"""The monitor's screens: the run's and the replay's (sharing `monitor.MonitorScreen`), and help, prompts, summary."""
