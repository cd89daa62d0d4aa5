"""teamtui: language-model teams as distributed systems."""
__version__ = "0.1.0"
