"""Unit tests of the engine's parts: clocks, task graphs, preassignment, board, workspace, bus."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.core.bus import EventBus
from teamtui.core.clock import VirtualClock, VirtualDeadlock, WallClock, run_virtual, wait_for
from teamtui.core.errors import TaskPackError
from teamtui.runtime.architectures import preassign
from teamtui.runtime.board import Board
from teamtui.runtime.workspace import PathRefused, Workspace
from teamtui.scenario.tasks import Subtask, TaskGraph


def test_virtual_clock_jumps_and_orders_sleepers() -> None:
    async def main() -> tuple[list[str], float]:
        clock = VirtualClock()
        order: list[str] = []

        async def sleeper(name: str, s: float) -> None:
            await clock.sleep(s)
            order.append(f"{name}@{clock.now():g}")

        await asyncio.gather(sleeper("late", 1800), sleeper("early", 30), sleeper("mid", 600))
        return order, clock.now()

    order, now = run_virtual(main())
    assert order == ["early@30", "mid@600", "late@1800"]
    assert now == 1800


def test_virtual_clock_wait_for_times_out_on_virtual_time() -> None:
    async def main() -> tuple[bool, float]:
        clock = VirtualClock()
        clock.now()
        finished, _ = await wait_for(clock, asyncio.Event().wait(), 45.0)
        return finished, clock.now()

    assert run_virtual(main()) == (False, 45.0)


def test_virtual_clock_hold_waits_for_real_work_without_advancing() -> None:
    async def main() -> float:
        clock = VirtualClock()
        clock.now()
        async with clock.hold():
            await asyncio.to_thread(sum, range(1000))
        return clock.now()

    assert run_virtual(main()) == 0.0


def test_virtual_clock_reports_a_deadlock_instead_of_hanging() -> None:
    async def main() -> None:
        await asyncio.Event().wait()

    with pytest.raises(VirtualDeadlock):
        run_virtual(main())


def test_wall_clock_pause_freezes_time_and_speed_scales_it() -> None:
    clock = WallClock(speed=10.0)
    clock.pause()
    frozen = clock.now()
    assert clock.now() == frozen and clock.paused
    clock.set_speed(100.0)
    assert clock.now() == frozen
    clock.resume()
    assert clock.now() >= frozen
    with pytest.raises(ValueError, match="positive"):
        clock.set_speed(0)


def test_wall_clock_sleep_waits_while_paused() -> None:
    async def main() -> bool:
        clock = WallClock(speed=1000.0)
        clock.pause()
        sleeper = asyncio.ensure_future(clock.sleep(0.5))
        await asyncio.sleep(0.02)
        still_waiting = not sleeper.done()
        clock.resume()
        await asyncio.wait_for(sleeper, 5)
        return still_waiting

    assert asyncio.run(main()) is True


def chain(n: int, extra: int = 0) -> TaskGraph:
    subs = [Subtask(f"c{i}", f"c{i}.py", (f"c{i - 1}",) if i else ()) for i in range(n)]
    subs += [Subtask(f"i{i}", f"i{i}.py") for i in range(extra)]
    return TaskGraph("g", tuple(subs))


@pytest.mark.parametrize(("chain_len", "extra", "p"), [(16, 4, 0.2), (10, 10, 0.5), (2, 18, 0.9)])
def test_paper_p_from_the_dag(chain_len: int, extra: int, p: float) -> None:
    g = chain(chain_len, extra)
    assert g.critical_path_len == chain_len
    assert g.p == pytest.approx(p)
    assert g.dag_bound == pytest.approx(20 / chain_len)


def test_preassign_keeps_chains_together_and_spreads_the_rest() -> None:
    g = chain(4, 4)
    owner = preassign(g.subtasks, ["w1", "w2", "w3"])
    assert len({owner[f"c{i}"] for i in range(4)}) == 1
    assert set(owner.values()) == {"w1", "w2", "w3"}


def test_graph_refuses_cycles_naming_them() -> None:
    with pytest.raises(TaskPackError, match="a -> b -> a"):
        TaskGraph("g", (Subtask("a", "a.py", ("b",)), Subtask("b", "b.py", ("a",))))


def _board(lease: float | None = None) -> tuple[Board, list[ev.Event]]:
    got: list[ev.Event] = []
    board = Board(chain(2, 1), got.append, lease)
    return board, got


def test_board_claims_block_conflict_and_expire() -> None:
    board, got = _board(lease=10)
    assert not board.claim("a", "c1", 0)  # c0 not done
    assert board.claim("a", "c0", 0)
    assert not board.claim("b", "c0", 1)
    board.expire(9.9)
    assert board.tasks["c0"].holder == "a"
    board.expire(10.0)
    assert board.tasks["c0"].holder == ""
    assert board.claim("b", "c0", 11)
    assert [type(e).__name__ for e in got] == ["ClaimBlocked", "TaskClaimed", "ClaimConflicted", "LeaseExpired",
                                               "TaskClaimed"]
    assert got[-1].reclaimed_from == "a"  # type: ignore[attr-defined]


def test_board_renew_keeps_a_lease() -> None:
    board, _ = _board(lease=10)
    board.claim("a", "i0", 0)
    board.renew("a", 8)
    board.expire(15)
    assert board.tasks["i0"].holder == "a"


@pytest.mark.parametrize("bad", ["../x.py", "/etc/passwd", "a/../../x", "~/.ssh/id", "C:\\x", "", "a\x00b",
                                 "..", "x/../../..", "\\\\server\\share"])
def test_workspace_refuses_paths_that_escape(tmp_path: Path, bad: str) -> None:
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(PathRefused):
        ws.resolve(bad)


def test_workspace_refuses_symlink_escape(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    (tmp_path / "ws" / "link").symlink_to(tmp_path)
    with pytest.raises(PathRefused, match="link"):
        ws.resolve("link/secret.py")


def test_workspace_versions_and_verdicts(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    rel, real = ws.resolve("m.py")
    assert ws.write(rel, real, "x = 1\n", "a", "m", ok=True) == 1
    assert ws.write(rel, real, "x = 2\n", "b", "m", ok=False) == 2
    assert real.read_text() == "x = 2\n"
    assert ws.tested_ok("m.py") is None
    ws.record_test("m.py", passed=False)
    assert ws.tested_ok("m.py") is False
    assert not ws.model_verdict("m.py", [])


def test_bus_bounded_subscription_drops_oldest_and_listeners_see_all() -> None:
    async def main() -> tuple[list[int], int, list[int]]:
        bus = EventBus()
        seen: list[int] = []
        bus.add_listener(lambda e: seen.append(e.seq))
        sub = bus.subscribe(maxsize=3)
        for i in range(5):
            bus.publish(ev.NetworkHealed(seq=i))
        got = [sub.queue.get_nowait().seq for _ in range(3)]
        return got, sub.dropped, seen

    got, dropped, seen = asyncio.run(main())
    assert got == [2, 3, 4] and dropped == 2 and seen == [0, 1, 2, 3, 4]
