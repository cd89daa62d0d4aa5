"""SIGINT and SIGTERM during a run: the first ends it as interrupted (exit 130 or 143), a second exits at once.

`interruptible(on_signal)` installs both handlers for the duration of a run. The first signal calls
`on_signal(signum)`, which asks the run to stop (the engine cancels, removes its workspace, and the recording
ends as `interrupted`); the command then raises `teamtui.core.errors.Interrupted`, which the CLI turns into
one line and exit code 128 + the signal's number. A second signal does not wait: it removes this process's
workspaces and exits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


def name(signum: int) -> str:
    return signal.Signals(signum).name


@contextlib.contextmanager
def interruptible(on_signal: Callable[[int], None]) -> Iterator[None]:
    """See the module docstring. Only the main thread can own signals; elsewhere this does nothing."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    seen: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if seen:
            from teamtui.runtime.engine import remove_workdirs

            remove_workdirs()
            sys.stderr.write(f"teamtui: {name(signum)} again: stopped at once\n")
            sys.stderr.flush()
            os._exit(128 + signum)
        seen.append(signum)
        on_signal(signum)

    old = {s: signal.signal(s, handler) for s in SIGNALS}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
