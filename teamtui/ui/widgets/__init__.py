"""The monitor's widgets: agent panes, the incidents list and the event log."""
