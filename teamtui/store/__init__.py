"""The run database: its schema, connections, the one writer, the live recorder, reading runs and replaying them."""
