"""Taking a run elsewhere: `export --format bundle|otlp-json`, `--otlp-endpoint`, and importing a bundle."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

import click

from teamtui.core import events as ev
from teamtui.core.printable import shown
from teamtui.store import traces
from teamtui.store.otlp_json import otlp_json
from teamtui.store.reader import readable_events
from teamtui.store.writer import versions


def _run_row(db: Path, run_id: str) -> tuple[str, list[str]]:
    import json

    from teamtui.store.connect import connect_ro

    conn = connect_ro(db)
    try:
        started, models = conn.execute("SELECT started, models FROM runs WHERE id=?", (run_id,)).fetchone()
    finally:
        conn.close()
    return str(started), list(json.loads(models))


def export_traces(db: Path, run_id: str, output: Path | None, endpoint: str | None,
                  as_json: bool) -> tuple[int, list[str]]:
    """Write the run's trace as OTLP/JSON (to `output`, or stdout when `as_json` and no endpoint), and/or send it to
    `endpoint`; returns the number of spans and the events that could not be read back (left out)."""
    from teamtui.store.otlp import Sender

    started, models = _run_row(db, run_id)
    base = traces.time_base(models)
    version = versions()["teamtui"]
    resource = {**traces.resource_attrs(base, version), "teamtui.run.id": run_id}
    sender = None
    builder = traces.SpanBuilder(run_id)
    if endpoint is not None:  # fails (a missing extra, a bad URL) before anything is read
        sender = Sender(endpoint, builder.trace_id, traces.started_ns(started), resource, version)
    events, skipped = readable_events(db, run_id)
    spans = [*(s for e in events for s in builder.feed(e)),
             *builder.finish({"teamtui.run.id": run_id, "teamtui.time_base": base})]
    if as_json:
        text = otlp_json(spans, builder.trace_id, traces.started_ns(started), resource, version)
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            click.echo(f"wrote {output}: {len(spans)} spans of run {run_id} ({base} time)", err=True)
    if sender is not None:
        sender.send(spans)
        sent = sender.close()
        click.echo(f"sent {sent} spans of run {run_id} to {sender.url}", err=True)
    return len(spans), skipped


def check_endpoint(endpoint: str, db: Path | None) -> None:
    """Before the monitor opens: the extra is there, the URL is one, and the run will be recorded (its trace is
    sent from the record when it ends)."""
    from teamtui.core.errors import RunError
    from teamtui.store.otlp import sdk, traces_url

    traces_url(endpoint)
    sdk()
    if db is None:
        raise RunError("--otlp-endpoint in the monitor sends the recorded run when it ends: drop --no-record, "
                       "or add --headless to send the spans as the run goes")


class LiveTraces:
    """A live run's spans, sent as each turn ends (fed from the engine's events) and the root when the run ends."""

    def __init__(self, endpoint: str, models: list[str]) -> None:
        from teamtui.store.otlp import Sender

        self.base = traces.time_base(models)
        self.builder = traces.SpanBuilder(f"live:{time.time_ns()}:{secrets.token_hex(4)}")
        version = versions()["teamtui"]
        self.sender = Sender(endpoint, self.builder.trace_id, time.time_ns(),
                             traces.resource_attrs(self.base, version), version)

    def listener(self, e: ev.Event) -> None:
        spans = self.builder.feed(e)
        if spans:
            self.sender.send(spans)

    def close(self, run_id: str | None) -> None:
        attrs: dict[str, Any] = {"teamtui.time_base": self.base}
        if run_id:
            attrs["teamtui.run.id"] = run_id
        self.sender.send(self.builder.finish(attrs))
        sent = self.sender.close()
        click.echo(f"sent {sent} spans to {self.sender.url}", err=True)


def export_bundle(db: Path, run_id: str, output: Path | None, cassettes: tuple[Path, ...]) -> None:
    from teamtui.store.bundle import BundleError, write_bundle

    if output is None:
        raise BundleError("--format bundle writes a file: give -o FILE (e.g. -o run.teamtui)")
    manifest, notes = write_bundle(db, run_id, output, cassettes)
    for note in notes:
        click.echo(f"teamtui: {shown(note)}", err=True)
    extra = f", cassettes: {', '.join(manifest.files)}" if manifest.files else ""
    click.echo(shown(f"wrote {output}: run {run_id}, {manifest.events} events{extra}"), err=True)


def import_bundle(path: Path, db: Path) -> None:
    from teamtui.store.bundle import import_bundle as copy

    done = copy(path, db)
    if done.already:
        click.echo(shown(f"run {done.run_id} is already in {db} ({done.events} events); nothing imported"))
        return
    click.echo(shown(f"imported run {done.run_id} ({done.events} events) into {db}"))
    for cassette in done.cassettes:
        click.echo(shown(f"its cassette: {cassette} (teamtui fork {done.run_id} ... --cassette {cassette})"))
