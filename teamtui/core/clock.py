"""Run clocks: a virtual clock that jumps to the next timer, and a scaled wall clock with pause and speed.

The engine reads time only through a `Clock`: `now()` (run seconds since the clock started),
`sleep(seconds)` and `hold()`. Two implementations:

* `VirtualClock` runs the engine on `VirtualEventLoop`, an asyncio loop whose time is virtual: when no
  callback is ready, instead of blocking in `select` it advances its time straight to the next timer
  (like trio's `MockClock(autojump_threshold=0)`). Every `asyncio.sleep`, `wait_for` and timeout is
  virtual, so a 30-minute run takes milliseconds and, given the same seed, happens in the same order
  every time. Real work in another thread (running pytest on a workspace) happens inside
  `clock.hold()`, during which virtual time stands still and the loop waits for the thread for real.
* A paced `VirtualEventLoop(pace=Pace(speed))` keeps virtual time, but before each jump it waits for
  real: `speed` run seconds per wall second, or not at all while paused. What happens, and in which
  order, is decided by virtual time alone, so a paced run of the sim is the same run as an unpaced one,
  event for event, however loaded the machine is; only an outside call (a fault injected from the
  monitor) lands at the run time the pace has reached. The monitor watches sim and cassette runs this way.
  A `manual` pace never waits for real: run time moves only when the test says, `advance_to(t)` (loop time)
  or `grant(seconds)` (from where the run stands), at once, up to that horizon and exactly to it, and the
  loop then parks there (`reached` is set) until the next grant. Keys, prompts and injected faults act
  while it stands still. Every UI test drives its live run this way (and a replay's player by a
  `ManualTime`), so what a test sees never depends on how fast the machine is.
* `WallClock(speed)` follows real time scaled by `speed`, and can be paused, resumed and re-speeded
  while sleepers are waiting; it runs on any asyncio loop (real models, which wait on the network).
"""

from __future__ import annotations

import asyncio
import contextlib
import selectors
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Cancellable(Protocol):
    def cancel(self) -> Any: ...


class Clock(Protocol):
    """What the engine needs from time."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...

    def call_later(self, seconds: float, fn: Callable[[], None]) -> Cancellable: ...

    def hold(self) -> contextlib.AbstractAsyncContextManager[None]: ...


class VirtualDeadlock(RuntimeError):
    """Raised when every task waits forever and no timer is pending: an engine bug, not a hang."""


class _VirtualSelector(selectors.BaseSelector):
    """Wraps a real selector; where the loop would block, it advances the loop's virtual time instead."""

    def __init__(self, loop: VirtualEventLoop) -> None:
        self._inner = selectors.DefaultSelector()
        self._loop = loop

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._inner.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.modify(fileobj, events, data)

    def get_map(self) -> Any:
        return self._inner.get_map()

    def close(self) -> None:
        self._inner.close()

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._inner.select(0)
        if ready or timeout == 0:
            return ready
        if self._loop.holds > 0:
            # Real work is under way in another thread: wait for it for real, time stands still.
            return self._inner.select(None)
        pace = self._loop.pace
        if pace is not None:
            return pace.wait(self._loop, self._inner, timeout)
        if timeout is None:
            raise VirtualDeadlock("virtual clock: every task is waiting and no timer is pending")
        self._loop.advance(timeout)
        return []


class Pace:
    """How fast a paced virtual loop lets run time pass; changed from any thread, noticed by the loop at once."""

    def __init__(self, speed: float = 1.0, *, manual: bool = False) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.paused = False
        self.manual = manual
        """Whether run time moves only when `advance_to` says (tests), not with the wall clock."""
        self.until = 0.0
        """A manual pace's limit: the loop time up to which run time may move."""
        self.reached = threading.Event()
        """Set when a manual pace's loop has parked: nothing is due before `until` (or it is paused)."""
        self._lock = threading.Lock()
        self._waiting: tuple[float, float, float, float] | None = None
        """While the loop waits: (virtual time, wall time, speed) at the start of the wait, and its virtual target."""
        self._loop: VirtualEventLoop | None = None
        self.parked = False
        """Whether the loop has stopped at a pause (a pause asked for takes effect at the loop's next wait)."""
        self.at = 0.0
        """The loop's time when it last waited (a manual pace's `grant` counts from there)."""

    def set(self, *, speed: float | None = None, paused: bool | None = None) -> None:
        """Change the speed or pause; a loop waiting under the old pace re-plans its wait."""
        if speed is not None and speed <= 0:
            raise ValueError("speed must be positive")
        with self._lock:
            self.speed = self.speed if speed is None else speed
            self.paused = self.paused if paused is None else paused
            loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(_nothing)

    def advance_to(self, loop_time: float) -> None:
        """A manual pace: let run time move on at once up to `loop_time` (loop time, as `VirtualEventLoop.time()`);
        `reached` is set when the loop has got there and parked."""
        with self._lock:
            self.until = max(self.until, loop_time)
            self.reached.clear()
        self.set()

    def grant(self, seconds: float) -> None:
        """A manual pace: let `seconds` more of run time pass, from where the run stands (`advance_to`)."""
        with self._lock:
            start = max(self.until, self.at)
        self.advance_to(start + seconds)

    def now(self, loop: VirtualEventLoop) -> float:
        """The loop's virtual time, moving smoothly with the wall clock while the loop waits for its next timer."""
        with self._lock:
            waiting = self._waiting
        if waiting is None:
            return loop._vtime
        v0, w0, speed, target = waiting
        return min(target, v0 + (time.monotonic() - w0) * speed)

    def wait(self, loop: VirtualEventLoop, inner: selectors.BaseSelector,
             timeout: float | None) -> list[tuple[selectors.SelectorKey, int]]:
        """Wait for real until the next timer is due at this pace (then jump to it), or until something from
        outside arrives (then move virtual time on by the wall time waited, never past the timer)."""
        if self.manual:
            return self._wait_manual(loop, inner, timeout)
        with self._lock:
            self._loop = loop
            speed, paused = self.speed, self.paused
            if timeout is None or paused:
                self._waiting = None
            else:
                self._waiting = (loop._vtime, time.monotonic(), speed, loop._vtime + timeout)
        if timeout is None or paused:
            self.parked = paused
            try:
                return inner.select(None)  # only a control change or real work can move things on
            finally:
                self.parked = False
        started = time.monotonic()
        ready = inner.select(timeout / speed)
        with self._lock:
            self._waiting = None
        if ready:
            loop.advance_by(min(timeout, (time.monotonic() - started) * speed))
        else:
            loop.advance(timeout)
        return ready


    def _wait_manual(self, loop: VirtualEventLoop, inner: selectors.BaseSelector,
                     timeout: float | None) -> list[tuple[selectors.SelectorKey, int]]:
        with self._lock:
            self._loop, self._waiting, self.at = loop, None, loop._vtime
            room = self.until - loop._vtime
            go = not self.paused and timeout is not None and room > 0
            if not go:
                self.parked = self.paused
                self.reached.set()
        if go:
            assert timeout is not None
            if timeout <= room:
                loop.advance(timeout)  # on to the next timer, inside the horizon
            else:
                loop._vtime = max(loop._vtime, self.until)  # exactly to the horizon (the next timer is after it)
            return []
        try:
            return inner.select(None)  # parked until a control change (advance_to, grant, pause) or real work
        finally:
            self.parked = False


def _nothing() -> None:
    """A callback that only wakes a waiting loop."""


class VirtualEventLoop(asyncio.SelectorEventLoop):
    """An asyncio loop on virtual time (see the module docstring); paced by `pace` if one is given."""

    def __init__(self, pace: Pace | None = None) -> None:
        self._vtime = 0.0
        self.holds = 0
        self.pace = pace
        super().__init__(selector=_VirtualSelector(self))

    def time(self) -> float:
        return self._vtime

    def advance(self, seconds: float) -> None:
        """Jump `seconds` on, and at least to the next timer."""
        nxt = self._scheduled[0].when() if self._scheduled else self._vtime + seconds  # type: ignore[attr-defined]
        self._vtime = max(self._vtime + seconds, nxt)

    def advance_by(self, seconds: float) -> None:
        """Move `seconds` on, but never past the next timer (which then fires at exactly its time)."""
        nxt = self._scheduled[0].when() if self._scheduled else self._vtime + seconds  # type: ignore[attr-defined]
        self._vtime = min(self._vtime + seconds, max(self._vtime, nxt))


def run_virtual(main: Coroutine[Any, Any, T], pace: Pace | None = None) -> T:
    """Run a coroutine to completion on a fresh `VirtualEventLoop` (paced by `pace`, if given)."""
    runner = asyncio.Runner(loop_factory=lambda: VirtualEventLoop(pace))
    try:
        return runner.run(main)
    finally:
        loop = runner.get_loop()
        if isinstance(loop, VirtualEventLoop):
            loop.holds += 1  # shutting the executor down waits on real threads: let real time pass
        runner.close()


class VirtualClock:
    """Time of the running `VirtualEventLoop`, counted from the clock's first use."""

    def __init__(self) -> None:
        self._t0 = 0.0
        self._bound: VirtualEventLoop | None = None

    def _loop(self) -> VirtualEventLoop:
        if self._bound is None:
            loop = asyncio.get_running_loop()
            if not isinstance(loop, VirtualEventLoop):
                raise RuntimeError("VirtualClock needs VirtualEventLoop: run the engine with clock.run_virtual()")
            self._bound, self._t0 = loop, loop.time()  # the clock starts at its first use, on one loop
        return self._bound

    @property
    def origin(self) -> float:
        """The loop time at which this clock started (run time 0)."""
        return self._t0

    def now(self) -> float:
        bound = self._bound
        if bound is not None:  # the hot path: a dozen calls per agent turn
            return bound._vtime - self._t0
        return self._loop().time() - self._t0

    async def sleep(self, seconds: float) -> None:
        self.now()  # the clock starts at its first use
        await asyncio.sleep(max(0.0, seconds))

    def call_later(self, seconds: float, fn: Callable[[], None]) -> Cancellable:
        """Run `fn` after `seconds` of run time: a bare timer, no task (the engine's cheapest wait)."""
        self.now()
        return self._loop().call_later(max(0.0, seconds), fn)

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        loop = self._loop()
        loop.holds += 1
        try:
            yield
        finally:
            loop.holds -= 1


class WallClock:
    """Real time scaled by `speed`; `pause()`, `resume()` and `set_speed()` take effect on waiting sleepers."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.paused = False
        self._base_run = 0.0
        self._base_real = time.monotonic()
        self._changed: asyncio.Event | None = None

    def now(self) -> float:
        if self.paused:
            return self._base_run
        return self._base_run + (time.monotonic() - self._base_real) * self.speed

    def _rebase(self) -> None:
        self._base_run = self.now()
        self._base_real = time.monotonic()
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    def pause(self) -> None:
        if not self.paused:
            self._rebase()
            self.paused = True

    def resume(self) -> None:
        if self.paused:
            self._base_real = time.monotonic()
            self.paused = False
            self._rebase()

    def set_speed(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._rebase()
        self.speed = speed
        self._rebase()

    async def sleep(self, seconds: float) -> None:
        target = self.now() + max(0.0, seconds)
        while True:
            remaining = target - self.now()
            if remaining <= 0 and not self.paused:
                return
            if self._changed is None:
                self._changed = asyncio.Event()
            changed = self._changed
            timeout = None if self.paused else remaining / self.speed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout)

    def call_later(self, seconds: float, fn: Callable[[], None]) -> Cancellable:
        """Run `fn` after `seconds` of run time, honouring pause and speed changes."""

        async def later() -> None:
            await self.sleep(seconds)
            fn()

        return asyncio.ensure_future(later())

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        yield


async def wait_for(clock: Clock, aw: Awaitable[T], timeout: float) -> tuple[bool, T | None]:
    """Await `aw` for at most `timeout` clock seconds; returns (finished, result) and cancels on time-out.
    The time-out is a bare timer on the clock (no extra task), as this sits on the engine's hot path."""
    task = asyncio.ensure_future(aw)
    timed_out = False

    def expire() -> None:
        nonlocal timed_out
        if not task.done():
            timed_out = True
            task.cancel()

    timer = clock.call_later(timeout, expire)
    try:
        result = await task
    except asyncio.CancelledError:
        if timed_out:
            return False, None
        raise
    finally:
        timer.cancel()
    return True, result


class ManualTime:
    """A ticker (seconds, like `time.monotonic`) that moves only when told: `advance(seconds)`. The replay player
    takes one in tests, as a live run takes a manual `Pace`."""

    def __init__(self, start: float = 0.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time only moves forwards")
        self.t += seconds
