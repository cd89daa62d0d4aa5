"""The engine that runs a team: board, workspace, network, agents, executions and failure detection."""
