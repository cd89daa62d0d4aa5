"""Recorder and replay benchmarks: rows/s recorded against raw sqlite3, and opening/seeking a 1,000,000-event run.

    python bench/recorder_replay.py                       # both parts
    python bench/recorder_replay.py --part recorder --events 200000
    python bench/recorder_replay.py --part replay --events 1000000

recorder: the same event rows written (1) by a raw `sqlite3.executemany` in one transaction into a fresh WAL
database, rows already encoded — the reference DESIGN.md measured at ~830k rows/s; (2) by teamtui's
`Recorder`, fed as fast as a listener can be called, until its writer has drained and committed
(encoding included); and (3) while a real engine runs: a long sim run on the virtual clock with and
without the recorder attached, its engine time compared. Target: (2) at least 0.5x of (1).
replay: a synthetic run of `--events` events recorded through the `Recorder` (which writes the replay
checkpoints at the end), then the time to open it (what `teamtui replay` does before the first frame:
resolve, open, read the first view, find the faults for the timeline) and to seek to arbitrary points
(the view replay installs at a random position: the state from the nearest checkpoint folded on, then the
display rebuilt from the last 5,000 events) and to a run time. Target: under 200 ms each.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _streams import stream  # noqa: E402 -- after the path is set

from teamtui.core import events as ev  # noqa: E402
from teamtui.scenario.load import load_scenario  # noqa: E402
from teamtui.store.reader import resolve_run  # noqa: E402
from teamtui.store.recorder import Recorder  # noqa: E402
from teamtui.store.recording import open_recording  # noqa: E402
from teamtui.ui.view import view_at  # noqa: E402


def raw_rate(rows: list[tuple[object, ...]], db: Path) -> float:
    from teamtui.store.schema import SCHEMA

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    t0 = time.perf_counter()
    with conn:
        conn.executemany("INSERT OR REPLACE INTO events VALUES (?,?,?,?,?,?)", rows)
    took = time.perf_counter() - t0
    conn.close()
    return len(rows) / took


async def record(db: Path, events: list[ev.Event], checkpoints: bool = True) -> tuple[str, float, float]:
    """Record `events` as one run; returns its id, the seconds until every row was committed, and the
    seconds spent afterwards writing replay checkpoints."""
    rec = Recorder(db, checkpoint_every=10 ** 12) if not checkpoints else Recorder(db)
    await rec.open()
    run_id = await rec.begin(load_scenario(ROOT / "scenarios" / "quickstart.toml"))
    t0 = time.perf_counter()
    for e in events:
        rec.listener(e)
    rec.queue.put_nowait(None)
    assert rec._writer is not None
    await rec._writer
    drained = time.perf_counter() - t0
    rec._writer = None
    t1 = time.perf_counter()
    await rec.end("finished")
    ended = time.perf_counter() - t1
    await rec.close()
    assert rec.written == len(events), (rec.written, len(events), rec.stopped)
    return run_id, drained, ended


def engine_with_and_without(tmp: Path, speed: float = 200.0) -> None:
    from teamtui.core.clock import WallClock
    from teamtui.launch import new_engine
    from teamtui.scenario.load import with_overrides

    sc = with_overrides(load_scenario(ROOT / "scenarios" / "math_utils" / "decentralized_p09.toml"), size=5)

    async def go(db: Path | None) -> tuple[float, float, int]:
        engine = new_engine(sc, WallClock(speed))
        rec = None
        if db is not None:
            rec = Recorder(db)
            await rec.open()
            await rec.begin(sc)
            engine.on(rec.listener)
        t0 = time.perf_counter()
        events = await engine.run()
        ran = time.perf_counter() - t0
        if rec is not None:
            await rec.end("finished")
            await rec.close()
        return ran, time.perf_counter() - t0 - ran, len(events)

    alone = [asyncio.run(go(None)) for _ in range(3)]
    recorded = [asyncio.run(go(tmp / f"engine{i}.db")) for i in range(3)]
    a = statistics.median(r[0] for r in alone)
    b = statistics.median(r[0] for r in recorded)
    lag = statistics.median(r[1] for r in recorded)
    print(f"recorder: a {recorded[0][2]}-event run on the wall clock at speed {speed:g}: engine {a:.3f} s alone, "
          f"{b:.3f} s recorded ({b / a:.3f}x); last commit {lag * 1e3:.0f} ms after the final event (medians of 3)")


def bench_recorder(n: int, tmp: Path) -> None:
    events = stream(n)
    rows = [("run", e.seq, e.t, e.agent, e.kind, ev.encode(e)) for e in events]
    raw = statistics.median(raw_rate(rows, tmp / f"raw{i}.db") for i in range(3))
    times = [asyncio.run(record(tmp / f"rec{i}.db", events, checkpoints=False))[1] for i in range(3)]
    rate = n / statistics.median(times)
    print(f"recorder: raw sqlite3.executemany, one transaction: {raw:,.0f} rows/s (median of 3, rows pre-encoded)")
    print(f"recorder: teamtui Recorder, encode + batched commits:  {rate:,.0f} rows/s (median of 3)"
          f" = {rate / raw:.2f}x raw (target >= 0.5x)")
    engine_with_and_without(tmp)


def bench_replay(n: int, tmp: Path) -> None:
    db = tmp / "replay.db"
    events = stream(n)
    run_id, drained, ended = asyncio.run(record(db, events))
    del events
    print(f"replay: recorded a {n:,}-event run in {drained:.2f} s, then {ended:.2f} s writing replay checkpoints")
    opens = []
    for _ in range(5):
        t0 = time.perf_counter()
        rid = resolve_run(db, "latest")
        rec = open_recording(db, rid)
        view_at(rec, 0)
        rec.slice(0, 500)
        rec.marks()
        opens.append(time.perf_counter() - t0)
        rec.close()
    rec = open_recording(db, run_id)
    rng = random.Random(1)
    seeks, folded = [], []
    for _ in range(20):
        pos = rng.randrange(len(rec))
        t0 = time.perf_counter()
        view = view_at(rec, pos)
        seeks.append(time.perf_counter() - t0)
        folded.append(view.seq)
    tseeks = []
    end = rec.end_t
    for _ in range(20):
        t0 = time.perf_counter()
        view_at(rec, rec.pos_at(rng.uniform(0, end)))
        tseeks.append(time.perf_counter() - t0)
    rec.close()
    size = db.stat().st_size + (db.with_name(db.name + "-wal").stat().st_size if db.with_name(db.name + "-wal").exists()
                                else 0)
    ms = lambda xs: f"median {statistics.median(xs) * 1e3:.1f} ms, max {max(xs) * 1e3:.1f} ms"  # noqa: E731
    print(f"replay: database {size / 2**20:.0f} MB; open to first view + timeline marks: {ms(opens)} (5 opens)")
    print(f"replay: seek to a random event: {ms(seeks)} (20 seeks); to a random run time: {ms(tseeks)} (20 seeks)")
    print("replay: target under 200 ms each")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["recorder", "replay", "both"], default="both")
    ap.add_argument("--events", type=int, default=0, help="events (default 200,000 recorder, 1,000,000 replay)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="teamtui-bench-", ignore_cleanup_errors=True) as d:
        if args.part in ("recorder", "both"):
            bench_recorder(args.events or 200_000, Path(d))
        if args.part in ("replay", "both"):
            bench_replay(args.events or 1_000_000, Path(d))


if __name__ == "__main__":
    main()
