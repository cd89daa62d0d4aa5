"""The tests of the opt-in integrations (OTLP export, the web view, the Ray executor): marked `extras`."""
