"""The monitor's widgets: agent panes, the incidents list, the event log, the status line and the replay timeline."""
