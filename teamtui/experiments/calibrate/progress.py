"""A rich progress bar for a calibration's simulated runs (a line now and then when stderr is not a terminal)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


@dataclass
class Bar:
    """`runs(k)` counts finished runs; `note(text)` changes the line beside the bar."""

    progress: Progress | None
    task: int = 0
    total: int = 0
    done: int = 0
    last: float = field(default_factory=time.monotonic)
    text: str = ""
    quiet: bool = False

    def runs(self, k: int) -> None:
        self.done += k
        if self.progress is not None:
            self.progress.update(self.task, advance=k)  # type: ignore[arg-type]
        elif not self.quiet and time.monotonic() - self.last > 30:
            self.last = time.monotonic()
            print(f"  {self.done}/{self.total} runs {self.text}", file=sys.stderr, flush=True)

    def note(self, text: str) -> None:
        self.text = text
        if self.progress is not None:
            self.progress.update(self.task, note=text)  # type: ignore[arg-type]


@contextmanager
def bar(title: str, total: int, quiet: bool = False) -> Iterator[Bar]:
    """A progress bar over `total` runs (an upper bound: a search may stop early)."""
    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        if not quiet:
            print(f"{title}: up to {total} simulated runs", file=sys.stderr, flush=True)
        yield Bar(None, total=total, quiet=quiet)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn(), TextColumn("{task.fields[note]}"))
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(title, total=total, note="")
        yield Bar(progress, int(task), total)
