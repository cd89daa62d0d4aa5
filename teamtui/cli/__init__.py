"""The `teamtui` command line (click): `main` is the group every command is registered on."""

from teamtui.cli.main import main

__all__ = ["main"]
