"""The background work of one run in one `asyncio.TaskGroup`: a task that raises fails the run, the rest is cancelled.

The engine runs its execution, the failure detector, the nemesis schedule, the time limit and every fault
timer through `Supervisor.start`/`spawn` inside `async with supervisor:`. A task that raises reports the
error at once (`on_error`, before the group cancels its siblings, so nothing acts on a run that is
already over) and the group then cancels the others and raises the error out of the `async with`.
Work spawned before the group is open starts when it opens; after `cancel()`, spawning is refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")


class Supervisor:
    """See the module docstring."""

    def __init__(self, on_error: Callable[[Exception], None]) -> None:
        self._on_error = on_error
        self._group: asyncio.TaskGroup | None = None
        self._pending: list[Coroutine[Any, Any, object]] = []
        self._running: dict[asyncio.Task[Any], None] = {}
        """The group's unfinished tasks, in the order they were started."""
        self.stopped = False

    async def __aenter__(self) -> Supervisor:
        group = asyncio.TaskGroup()
        await group.__aenter__()
        self._group = group
        pending, self._pending = self._pending, []
        for coro in pending:
            self.start(coro)
        return self

    async def __aexit__(self, et: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        assert self._group is not None
        try:
            await self._group.__aexit__(et, exc, tb)
        finally:
            self._group = None
            self.stopped = True

    def spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        """Run `coro` in the group (or when it opens); refused once the work has been cancelled."""
        if self.stopped:
            coro.close()
            raise RuntimeError("the run is over: it takes no more background work")
        if self._group is None:
            self._pending.append(coro)
        else:
            self.start(coro)

    def start(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run `coro` in the open group now and return its task."""
        if self._group is None or self.stopped:
            coro.close()
            raise RuntimeError("the run's task group is not open")
        task = self._group.create_task(self._guard(coro))
        self._running[task] = None
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        del self._running[task]

    async def _guard(self, coro: Coroutine[Any, Any, T]) -> T:
        try:
            return await coro
        except Exception as exc:
            self._on_error(exc)
            raise

    def cancel(self) -> None:
        """Cancel every task of the group, in the order they were started, and refuse new ones."""
        self.stopped = True
        for task in list(self._running):
            task.cancel()
