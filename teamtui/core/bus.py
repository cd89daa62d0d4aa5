"""The event bus: fans each event out to listeners (synchronous, see everything) and bounded subscriptions.

Listeners are plain callables run inline on publish; they are for consumers that must not miss an event
(the recorder, metrics). A subscription is a bounded asyncio queue for consumers that may lag (a UI);
when one is full, the oldest event is dropped and counted, so a slow consumer never blocks the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from teamtui.core.events import Event


class Subscription:
    """A bounded view of the stream; `dropped` counts events lost to overflow."""

    def __init__(self, maxsize: int) -> None:
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize)
        self.dropped = 0
        self.closed = False

    def _put(self, event: Event) -> None:
        if self.queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
                self.dropped += 1
        self.queue.put_nowait(event)

    async def __aiter__(self) -> AsyncIterator[Event]:
        while not (self.closed and self.queue.empty()):
            yield await self.queue.get()


@dataclass(frozen=True)
class BusStats:
    published: int
    listeners: int
    subscriptions: int
    dropped: int


class EventBus:
    """See the module docstring."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[Event], None]] = []
        self._subs: list[Subscription] = []
        self.published = 0

    def add_listener(self, callback: Callable[[Event], None]) -> None:
        self._listeners.append(callback)

    def subscribe(self, maxsize: int = 10_000) -> Subscription:
        sub = Subscription(maxsize)
        self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        sub.closed = True
        if sub in self._subs:
            self._subs.remove(sub)

    def publish(self, event: Event) -> None:
        self.published += 1
        for cb in self._listeners:
            cb(event)
        for sub in self._subs:
            sub._put(event)

    def stats(self) -> BusStats:
        return BusStats(self.published, len(self._listeners), len(self._subs), sum(s.dropped for s in self._subs))
