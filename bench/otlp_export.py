"""The OTLP export rate of a 100,000-event run: `export --format otlp-json` and the protobuf path of `--otlp-endpoint`.

A stored run of `--events` events (a recorded 4-agent sim run with a kill, its body repeated with fresh seq
numbers, times and call numbers; see `_streams.py`) is exported three ways, best of `--repeat`:

* otlp-json: the events read from the database, turned into spans and written as OTLP/JSON (what
  `teamtui export RUN --format otlp-json -o FILE` does, in process), then the command itself end to end;
* protobuf: the same spans made into the SDK's `ReadableSpan`s and encoded as an `ExportTraceServiceRequest`
  (`opentelemetry.exporter.otlp.proto.common.trace_encoder.encode_spans`, what the OTLP/HTTP exporter sends);
* endpoint: the spans sent through the SDK's batch processor and OTLP/HTTP exporter to a local receiver the bench
  starts on 127.0.0.1 (it reads each body and answers 200), i.e. `--otlp-endpoint` without the database read.

Needs the otel extra for the last two (`pip install -e '.[otel]'`).
    python bench/otlp_export.py [--events 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import msgspec
from _streams import ROOT, stream

from teamtui.core import events as ev


def unique_calls(events: list[ev.Event]) -> list[ev.Event]:
    """The repeated body keeps its call numbers; a run's are unique, so each repetition gets its own."""
    out, offset, seen = [], 0, -1
    for e in events:
        call = getattr(e, "call", None)
        if isinstance(e, ev.LLMCallStarted) and e.call + offset <= seen:
            offset = seen + 1 - e.call
        if call is not None:
            e = msgspec.structs.replace(e, call=call + offset)
            seen = max(seen, call + offset)
        out.append(e)
    return out


def stored_run(n: int, folder: Path) -> tuple[Path, str, list[ev.Event]]:
    from teamtui.scenario.load import load_scenario
    from teamtui.store.writer import record_run

    events = unique_calls(stream(n))
    db = folder / "runs.db"
    run_id = record_run(db, load_scenario(ROOT / "scenarios" / "quickstart.toml"), events, None)
    return db, run_id, events


def best(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


class _Sink(BaseHTTPRequestHandler):
    received = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        _Sink.received += len(body)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from teamtui.store import traces
    from teamtui.store.otlp_json import otlp_json
    from teamtui.store.reader import readable_events

    with tempfile.TemporaryDirectory() as tmp:
        db, run_id, events = stored_run(args.events, Path(tmp))
        n = len(events)
        print(f"a stored run of {n:,} events ({sum(isinstance(e, ev.LLMCallStarted) for e in events):,} turns)")

        phases: dict[str, list[float]] = {"read": [], "spans": [], "json": []}

        def to_json() -> int:
            t0 = time.perf_counter()
            read, _ = readable_events(db, run_id)
            t1 = time.perf_counter()
            builder = traces.SpanBuilder(run_id)
            spans = [*(s for e in read for s in builder.feed(e)), *builder.finish({"teamtui.run.id": run_id})]
            t2 = time.perf_counter()
            text = otlp_json(spans, builder.trace_id, 0, traces.resource_attrs("virtual", "bench"), "bench")
            (Path(tmp) / "t.json").write_text(text)
            for name, secs in zip(phases, (t1 - t0, t2 - t1, time.perf_counter() - t2), strict=True):
                phases[name].append(secs)
            return len(spans)

        secs, spans = best(to_json, args.repeat)
        assert isinstance(spans, int)
        size = (Path(tmp) / "t.json").stat().st_size
        print(f"otlp-json (in process): {secs:.2f} s, {n / secs:,.0f} events/s, {spans / secs:,.0f} spans/s "
              f"({spans:,} spans, {size / 1e6:.1f} MB); best of each part: "
              + ", ".join(f"{k} {min(v):.2f} s" for k, v in phases.items()))
        t0 = time.perf_counter()
        cli = subprocess.run([sys.executable, "-m", "teamtui", "export", run_id, "--format", "otlp-json", "-o",
                              str(Path(tmp) / "cli.json"), "--db", str(db)], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        assert cli.returncode == 0, cli.stderr
        print(f"otlp-json (teamtui export, with start-up): {wall:.2f} s, {n / wall:,.0f} events/s")

        try:
            from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

            from teamtui.store.otlp import Sender
        except ImportError:
            print("protobuf and endpoint: skipped (pip install -e '.[otel]')")
            return
        builder = traces.SpanBuilder(run_id)
        ours = [*(s for e in events for s in builder.feed(e)), *builder.finish({})]
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        resource = traces.resource_attrs("virtual", "bench")

        def encode() -> int:
            sender = Sender(url, builder.trace_id, 0, resource, "bench")
            readable = [sender.readable(s) for s in ours]
            return len(encode_spans(readable).SerializeToString())

        secs, nbytes = best(encode, args.repeat)
        assert isinstance(nbytes, int)
        print(f"protobuf (ReadableSpan + encode_spans): {secs:.2f} s, {len(ours) / secs:,.0f} spans/s, "
              f"{n / secs:,.0f} events/s ({nbytes / 1e6:.1f} MB)")

        def send() -> int:
            sender = Sender(url, builder.trace_id, 0, resource, "bench")
            sender.send(ours)
            return sender.close()

        secs, sent = best(send, args.repeat)
        assert sent == len(ours), sent
        print(f"endpoint (batch processor + OTLP/HTTP exporter to 127.0.0.1): {secs:.2f} s, "
              f"{len(ours) / secs:,.0f} spans/s, {n / secs:,.0f} events/s")
        server.shutdown()


if __name__ == "__main__":
    main()
