"""`python -m teamtui` is the `teamtui` command."""

from teamtui.cli import main

main()
