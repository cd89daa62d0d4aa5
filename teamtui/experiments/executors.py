"""Where the tasks of a sweep or a calibration run: a local process pool (the default) or Ray tasks on a cluster.

Both call sites (`runner.run_cells`, `calibrate.evaluate`) hand an `Executor` picklable tasks, `fn(*args)`, and
get each result back in the driver as it finishes (`on_done(index, result)`), a bounded number in flight. A
per-worker initialiser (`init(*initargs)`, e.g. the sweep's scenario data) runs once in each worker process
before its first task: the process pool's `initializer`, or, on Ray, a wrapper that reads `initargs` from the
object store (put there once per `run`) the first time a worker sees that run. A Ray task whose worker dies is
retried (`RETRIES`: the task's seed makes the retry give the same result), and one that died on every retry is
reported lost (`on_lost`: a sweep records its cells as failed, for --resume); one that raises is not retried, and
its exception reaches the driver as it would from the pool. An interrupted `run` cancels what is in flight.
Only this module imports ray, and only when `--executor ray` is asked for.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from types import ModuleType, TracebackType
from typing import Any

from teamtui.core.errors import TeamtuiError

KINDS = ("process", "ray")
RETRIES = 3
"""Times Ray reruns a task whose worker process died (an exception raised by the task is not retried)."""
IDLE_S = 0.5
INSTALL = "pip install -e '.[cluster]'"

Init = tuple[Callable[..., None], tuple[Any, ...]]
"""A per-worker initialiser and its arguments."""
Done = Callable[[int, Any], None]
"""Called in the driver with a task's index and its result, as each finishes."""
Lost = Callable[[int, str], None]
"""Called in the driver with the index of a task Ray lost, and why in one line."""


class TaskLost(TeamtuiError):
    """A Ray task whose worker died on its first run and on every retry."""


@dataclass(frozen=True)
class Where:
    """`--executor` and `--address`: which pool runs the tasks (`--jobs` says how wide a local one is)."""

    kind: str = "process"
    address: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise TeamtuiError(f"--executor {self.kind}: not one of {', '.join(KINDS)}")
        if self.address is not None and self.kind != "ray":
            raise TeamtuiError(f"--address {self.address}: an address is for a Ray cluster; add --executor ray "
                               "(or drop --address to use local processes)")

    def describe(self, jobs: int) -> str:
        if self.kind == "process":
            return f"{jobs} process(es)"
        address = self.address or os.environ.get("RAY_ADDRESS")
        return f"the Ray cluster at {address}" if address else f"a local Ray instance ({jobs} CPUs)"


class Executor(ABC):
    """Runs tasks somewhere and hands their results to the driver as they finish; see the module docstring."""

    slots = 1
    """Tasks that can run at once."""

    @abstractmethod
    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], on_done: Done,
            init: Init | None = None, window: int | None = None, idle: Callable[[], None] | None = None,
            on_lost: Lost | None = None) -> None:
        """`fn(*tasks[i])` for every i, at most `window` (default: all) in flight; `idle()` when nothing
        finished for `IDLE_S` seconds. A task Ray lost (its worker died on every retry) goes to `on_lost(index,
        why)` when given, else it ends the run with a `TeamtuiError`; a task that raised ends it with its
        exception."""

    @abstractmethod
    def close(self) -> None:
        """Stop the workers (after an interrupted run, without waiting for the tasks it abandoned)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def open_executor(where: Where, jobs: int) -> Executor | None:
    """The executor `where` names, `jobs` wide where it is local; None for one local job (run in this process)."""
    if where.kind == "ray":
        return RayExecutor(jobs, where.address)
    return ProcessExecutor(jobs) if jobs > 1 else None


class ProcessExecutor(Executor):
    """A `ProcessPoolExecutor`, started at the first `run` (with that run's initialiser) and kept for the next."""

    def __init__(self, jobs: int) -> None:
        self.slots = jobs
        self.pool: ProcessPoolExecutor | None = None
        self.init: Init | None = None
        self.abandoned = False

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], on_done: Done,
            init: Init | None = None, window: int | None = None, idle: Callable[[], None] | None = None,
            on_lost: Lost | None = None) -> None:
        if self.pool is None or init != self.init:
            self.close()
            self.pool = ProcessPoolExecutor(self.slots, initializer=init[0] if init else None,
                                            initargs=init[1] if init else ())
            self.init = init
        queue = list(reversed(range(len(tasks))))
        running: dict[Future[Any], int] = {}
        try:
            while queue or running:
                while queue and (window is None or len(running) < window):
                    i = queue.pop()
                    running[self.pool.submit(fn, *tasks[i])] = i
                done, _ = wait(running, timeout=IDLE_S, return_when=FIRST_COMPLETED)
                for fut in done:
                    on_done(running.pop(fut), fut.result())
                if not done and idle is not None:
                    idle()
        finally:
            if running:
                self.abandoned = True
                for fut in running:
                    fut.cancel()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=not self.abandoned, cancel_futures=True)
            self.pool = None


def import_ray() -> ModuleType:
    """ray, or a one-line error naming the extra to install."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report to the network from a sweep
    try:
        import ray
    except ImportError:
        raise TeamtuiError(f"--executor ray needs Ray, which is not installed: {INSTALL}") from None
    module: ModuleType = ray  # typed whether or not Ray (and so its annotations) is installed
    return module


def check_address(address: str) -> None:
    """A Ray address that is refused at once (ray.init would wait minutes, or end the process, on some)."""
    if address in ("auto", "local"):
        return
    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    fix = "give ray://HOST:10001 (Ray Client), HOST:6379 (the head's GCS) or auto (a cluster started on this machine)"
    if not host or not port.isdigit():
        raise TeamtuiError(f"--address {address}: not a Ray address; {fix}")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=5).close()
    except OSError as exc:
        raise TeamtuiError(f"--address {address}: no Ray cluster answers there ({exc.strerror or exc}); "
                           f"start one (ray start --head) or {fix}") from None


class RayExecutor(Executor):
    """Ray tasks on the cluster at `address`, or on a local instance of `jobs` CPUs started for this command."""

    def __init__(self, jobs: int, address: str | None = None) -> None:
        ray = self.ray = import_ray()
        address = address or os.environ.get("RAY_ADDRESS") or None  # as for any Ray driver
        quiet: dict[str, Any] = {"logging_level": logging.ERROR, "log_to_driver": False}
        self.owner = not ray.is_initialized()
        """False inside another RayExecutor of this process (e.g. a calibration's per-fold pools): reuse its Ray."""
        if not self.owner:
            self.slots = max(1, int(ray.cluster_resources().get("CPU", jobs)))
        elif address is not None:
            check_address(address)
            try:
                ray.init(address=address, **quiet)
            except Exception as exc:  # ray's own words, on one line
                raise TeamtuiError(f"--address {address}: cannot join that Ray cluster: {_first_line(exc)}") from None
            self.slots = max(1, int(ray.cluster_resources().get("CPU", jobs)))
        else:
            try:
                ray.init(num_cpus=jobs, include_dashboard=False, **quiet)
            except Exception as exc:
                raise TeamtuiError(f"a local Ray instance did not start: {_first_line(exc)}; see Ray's logs under "
                                   "/tmp/ray, or use --executor process") from None
            self.slots = jobs
        self.retries = RETRIES
        self.task = ray.remote(max_retries=self.retries, retry_exceptions=False)(ray_task)

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], on_done: Done,
            init: Init | None = None, window: int | None = None, idle: Callable[[], None] | None = None,
            on_lost: Lost | None = None) -> None:
        ray = self.ray
        box = [ray.put(init)] if init is not None else []  # the list keeps Ray from resolving it per task
        token = uuid.uuid4().hex
        queue = list(reversed(range(len(tasks))))
        running: dict[Any, int] = {}
        try:
            while queue or running:
                while queue and (window is None or len(running) < window):
                    i = queue.pop()
                    running[self.task.remote(token, box, fn, tasks[i])] = i
                done, _ = ray.wait(list(running), num_returns=1, timeout=IDLE_S)
                for ref in done:
                    i = running.pop(ref)
                    try:
                        result = self._get(ref)
                    except TaskLost as lost:
                        if on_lost is None:
                            raise
                        on_lost(i, str(lost))
                        continue
                    on_done(i, result)
                if not done and idle is not None:
                    idle()
        finally:
            for ref in running:
                with contextlib.suppress(Exception):  # already finished or gone: nothing left to stop
                    ray.cancel(ref, force=True)

    def _get(self, ref: Any) -> Any:
        ray = self.ray
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as exc:  # the task raised: the driver sees its exception
            cause = exc.cause if isinstance(exc.cause, Exception) else exc
            raise cause from None
        except ray.exceptions.RayError as exc:
            raise TaskLost(f"a Ray task was lost after {self.retries} retries ({type(exc).__name__}: "
                           f"{_first_line(exc)}): its worker died each time; what finished is kept") from None

    def close(self) -> None:
        if self.owner:
            self.ray.shutdown()
            self.owner = False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


_READY: list[str] = []
"""The run whose initialiser this Ray worker process has run."""


def ray_task(token: str, box: list[Any], fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """One task in a Ray worker: the run's initialiser first, once per worker process and run."""
    if box and token not in _READY:
        import ray

        init, initargs = ray.get(box[0])
        init(*initargs)
        _READY[:] = [token]
    return fn(*args)
