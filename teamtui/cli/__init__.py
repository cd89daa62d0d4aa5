"""The `teamtui` command line (click): the group `main`, with every command registered on it here.

`teamtui FILE.toml ...` means `teamtui watch FILE.toml ...`. The command modules import only click and
`teamtui.cli.common`, so `teamtui --help` is instant; none of them imports this module back.
"""

from __future__ import annotations

import click

from teamtui import __version__
from teamtui.cli import doctor, experiments, run, runs, serve, whatif


class _DefaultToRun(click.Group):
    """A group where `teamtui FILE.toml ...` means `teamtui watch FILE.toml ...`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["watch", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultToRun, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="teamtui")
def main() -> None:
    """teamtui: run a team of language-model agents as a distributed system, watch it, break it, measure it.

    \b
    teamtui scenarios/quickstart.toml             watch a run live
    teamtui run scenarios/quickstart.toml --headless --json
    teamtui validate scenarios/*.toml
    """


for command in (run.run, run.watch, run.validate, runs.runs, runs.replay, runs.export, runs.rerun, whatif.fork,
                whatif.diff,
                experiments.sweep, experiments.sweeps, experiments.report, experiments.compare,
                experiments.import_runs, experiments.calibrate, doctor.doctor, serve.serve):
    main.add_command(command)

__all__ = ["main"]
