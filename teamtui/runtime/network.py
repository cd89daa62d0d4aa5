"""The message network between agents: per-message latency, drop, duplication, extra delay and partitions.

`send` records `MessageSent` at once; each recipient then either gets `MessageDropped` (partitioned,
dropped by a link fault, or dead on arrival) or, after the link's latency on the run clock,
`MessageDelivered` and the message in its inbox. Randomness comes from the run's seeded generator,
so a seed fixes which messages are lost.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from teamtui.core import events as ev
from teamtui.core.agent import InboxMessage
from teamtui.core.clock import Cancellable, Clock


class Network:
    """See the module docstring."""

    def __init__(self, clock: Clock, emit: Callable[[ev.Event], object], deliver: Callable[[str, InboxMessage], bool],
                 latency_s: float, seed: int) -> None:
        self.clock = clock
        self._emit = emit
        self._deliver = deliver
        self.latency_s = latency_s
        self.extra_latency = 0.0
        self.drop = 0.0
        self.duplicate = 0.0
        self.groups: list[set[str]] = []
        self._rng = random.Random(f"{seed}:network")
        self._next_id = 0
        self._in_flight: set[Cancellable] = set()

    def partition(self, groups: list[set[str]]) -> None:
        self.groups = groups

    def heal(self) -> None:
        self.groups = []

    def can_talk(self, a: str, b: str) -> bool:
        if not self.groups:
            return True
        ga = next((i for i, g in enumerate(self.groups) if a in g), -1)
        gb = next((i for i, g in enumerate(self.groups) if b in g), -1)
        return ga == gb

    def send(self, sender: str, to: tuple[str, ...], topic: str, text: str, task: str = "") -> int:
        msg = self._next_id
        self._next_id += 1
        self._emit(ev.MessageSent(agent=sender, msg=msg, to=to, topic=topic, text=text, task=task))
        arrivals: list[tuple[str, InboxMessage]] = []
        for dst in to:
            if not self.can_talk(sender, dst):
                self._emit(ev.MessageDropped(agent=dst, msg=msg, sender=sender, reason="partition"))
                continue
            if self.drop and self._rng.random() < self.drop:
                self._emit(ev.MessageDropped(agent=dst, msg=msg, sender=sender, reason="drop"))
                continue
            copies = 2 if self.duplicate and self._rng.random() < self.duplicate else 1
            item = InboxMessage(msg, sender, topic, text, task)
            arrivals += [(dst, item)] * copies
        if arrivals:
            self._schedule(arrivals, self.latency_s + self.extra_latency)
        return msg

    def _schedule(self, arrivals: list[tuple[str, InboxMessage]], delay: float) -> None:
        """One timer for every copy of one message: all its links share the latency, so they arrive together,
        in the order they were sent."""
        handle: list[Cancellable] = []

        def fire() -> None:
            self._in_flight.discard(handle[0])
            for dst, item in arrivals:
                self._arrive(dst, item)

        handle.append(self.clock.call_later(delay, fire))
        self._in_flight.add(handle[0])

    def _arrive(self, dst: str, item: InboxMessage) -> None:
        if self._deliver(dst, item):
            self._emit(ev.MessageDelivered(agent=dst, msg=item.msg, sender=item.sender))
        else:
            self._emit(ev.MessageDropped(agent=dst, msg=item.msg, sender=item.sender, reason="dead"))

    def cancel(self) -> None:
        for t in list(self._in_flight):
            t.cancel()
