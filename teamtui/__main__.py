"""`python -m teamtui` is the `teamtui` command."""

from teamtui.cli.main import main

main()
