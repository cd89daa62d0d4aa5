"""OpenTelemetry export against a real OTLP/HTTP receiver on 127.0.0.1 that decodes the protobuf with
opentelemetry-proto: `teamtui export --otlp-endpoint` and a live `teamtui run --otlp-endpoint` send one trace whose
spans, parents, gen_ai attributes, fault events and time base are checked; the otlp-json file parses into the same
protobuf spans with `json_format` once its hex ids are turned into the base64 protobuf's JSON mapping expects."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from teamtui.core import events as ev
from teamtui.store.reader import list_runs, load_events
from tests.conftest import ROOT

from . import need
from .otlp_receiver import Receiver, attrs

pytestmark = pytest.mark.extras
FAKE_KEY = "sk-test-0123456789abcdefSECRET"


def teamtui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teamtui", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={"PATH": "/usr/bin:/bin", "OPENAI_API_KEY": FAKE_KEY,
                                                          "OTEL_RESOURCE_ATTRIBUTES": f"leak={FAKE_KEY}"})


@pytest.fixture
def request_type() -> Any:
    need.module("opentelemetry.sdk.trace", "otel")
    service = need.module("opentelemetry.proto.collector.trace.v1.trace_service_pb2", "otel")
    return service.ExportTraceServiceRequest


def check_trace(receiver: Receiver, events: list[ev.Event], run_id: str) -> list[Any]:
    """The checks both ways of sending share: one trace, the tree, gen_ai attributes, the kill, the time base."""
    spans = receiver.spans()
    assert receiver.paths and set(receiver.paths) == {"/v1/traces"}
    assert set(receiver.content_types) == {"application/x-protobuf"}
    assert {s.trace_id for s in spans} == {spans[0].trace_id} and len(spans[0].trace_id) == 16
    by_id = {s.span_id: s for s in spans}
    assert len(by_id) == len(spans)
    (root,) = [s for s in spans if not s.parent_span_id]
    calls = [e for e in events if isinstance(e, ev.LLMCallStarted)]
    names = Counter(s.name.split(" ")[0] for s in spans)
    assert names["invoke_agent"] == names["chat"] == len(calls) > 0 and names["execute_tool"] > 0
    for s in spans:
        a = attrs(s.attributes)
        parent = by_id.get(s.parent_span_id)
        if a["gen_ai.operation.name"] == "invoke_agent":
            assert parent is root and s.name == f"invoke_agent {a['gen_ai.agent.name']}"
        elif a["gen_ai.operation.name"] == "chat":
            assert parent is not None and attrs(parent.attributes)["gen_ai.operation.name"] == "invoke_agent"
            assert a["gen_ai.request.model"] == "sim" and a["gen_ai.provider.name"] == "teamtui.sim"
            assert "teamtui.cost_usd" not in a  # the sim's calls have no cost: left out, never 0
            if s.status.code == 2:  # the call of an agent killed in it: no reply, so no token counts
                assert "gen_ai.usage.input_tokens" not in a and a["error.type"] in ("abandoned", "killed")
            else:
                assert a["gen_ai.usage.input_tokens"] > 0 and a["gen_ai.usage.output_tokens"] > 0
            assert s.start_time_unix_nano >= parent.start_time_unix_nano
        elif a["gen_ai.operation.name"] == "execute_tool":
            assert parent is not None and attrs(parent.attributes)["gen_ai.operation.name"] == "invoke_agent"
            assert a["gen_ai.tool.name"] in {"claim", "write", "test", "message", "complete", "release", "read",
                                             "action"}
            assert a["teamtui.agent"] == attrs(parent.attributes)["gen_ai.agent.name"]
    tools = Counter(attrs(s.attributes).get("gen_ai.tool.name") for s in spans)
    assert tools["claim"] and tools["write"] and tools["test"] and tools["message"]
    kill = next(e for e in events if isinstance(e, ev.FaultInjected) and e.fault == "kill")
    (fault,) = [x for x in root.events if x.name == "teamtui.fault.kill"]
    assert attrs(fault.attributes)["teamtui.agent"] == kill.agent
    assert fault.time_unix_nano - root.start_time_unix_nano == round(kill.t * 1e9)
    assert any(x.name == "teamtui.agent.killed" for x in root.events)
    root_attrs = attrs(root.attributes)
    assert root_attrs["teamtui.time_base"] == "virtual" and root_attrs["teamtui.run.id"] == run_id
    assert {r["teamtui.time_base"] for r in receiver.resources()} == {"virtual"}
    assert all(set(r) <= {"service.name", "service.version", "teamtui.time_base", "teamtui.run.id"}
               for r in receiver.resources())  # nothing from the environment (OTEL_RESOURCE_ATTRIBUTES)
    blob = b"".join(req.SerializeToString() for req in receiver.requests)
    assert FAKE_KEY.encode() not in blob and b"SECRET" not in blob
    return spans


def test_export_sends_the_run_to_an_otlp_endpoint(request_type: Any, tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    made = teamtui("run", "scenarios/quickstart.toml", "--headless", "--no-baseline", "--db", str(db))
    assert made.returncode == 0, made.stderr
    run_id = list_runs(db)[0].id
    events = load_events(db, run_id)
    with Receiver(request_type) as receiver:
        out = teamtui("export", run_id, "--otlp-endpoint", receiver.url, "--db", str(db))
        assert out.returncode == 0, out.stderr
        spans = check_trace(receiver, events, run_id)
    assert f"sent {len(spans)} spans" in out.stderr and not out.stdout  # --otlp-endpoint alone only sends
    with Receiver(request_type) as receiver:  # with a --format, it writes that too
        both = teamtui("export", run_id, "--format", "jsonl", "-o", str(tmp_path / "run.jsonl"), "--otlp-endpoint",
                       receiver.url, "--db", str(db))
        assert both.returncode == 0, both.stderr
        assert len(receiver.spans()) == len(spans)
    assert [ev.decode(line) for line in (tmp_path / "run.jsonl").read_text().splitlines()] == events
    # The otlp-json file holds the same spans: parsed by protobuf's json_format after hex -> base64 for the ids.
    json_format = need.module("google.protobuf.json_format", "otel")
    path = tmp_path / "trace.json"
    assert teamtui("export", run_id, "--format", "otlp-json", "-o", str(path), "--db", str(db)).returncode == 0
    body = json.loads(path.read_text())
    for rs in body["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]:
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in s:
                        s[key] = base64.b64encode(bytes.fromhex(s[key])).decode()
    parsed = json_format.ParseDict(body, request_type())
    from_file = {s.span_id: s for rs in parsed.resource_spans for ss in rs.scope_spans for s in ss.spans}
    assert set(from_file) == {s.span_id for s in spans}
    for s in spans:
        f = from_file[s.span_id]
        assert (f.trace_id, f.parent_span_id, f.name, f.kind, f.start_time_unix_nano, f.end_time_unix_nano) == \
            (s.trace_id, s.parent_span_id, s.name, s.kind, s.start_time_unix_nano, s.end_time_unix_nano)
        assert attrs(f.attributes) == attrs(s.attributes)
        assert [(x.name, x.time_unix_nano, attrs(x.attributes)) for x in f.events] == \
            [(x.name, x.time_unix_nano, attrs(x.attributes)) for x in s.events]
        assert (f.status.code, f.status.message) == (s.status.code, s.status.message)


@pytest.mark.parametrize("form", ["run", "bare"])
def test_a_live_run_sends_its_spans_as_it_goes(request_type: Any, tmp_path: Path, form: str) -> None:
    db = tmp_path / "runs.db"
    with Receiver(request_type) as receiver:
        args = (["run", "scenarios/quickstart.toml"] if form == "run"
                else ["scenarios/quickstart.toml", "--speed", "64"])  # `teamtui SCENARIO`: watch, paced
        out = teamtui(*args, "--headless", "--no-baseline" if form == "run" else "--seed=7", "--otlp-endpoint",
                      receiver.url, "--db", str(db))
        assert out.returncode == 0, out.stderr
        run_id = list_runs(db)[0].id
        spans = check_trace(receiver, load_events(db, run_id), run_id)
    assert f"sent {len(spans)} spans" in out.stderr


def test_the_monitor_sends_the_recorded_runs_trace_when_it_ends(request_type: Any, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """`teamtui SCENARIO --otlp-endpoint URL` with the monitor, its app run headless by a pilot that waits for the
    run to end and quits: the recorded run's trace reaches the receiver."""
    from click.testing import CliRunner

    from teamtui.cli import main
    from teamtui.ui.app import TeamApp

    real_run = TeamApp.run

    async def pilot_script(pilot: Any) -> None:
        waited = 0.0
        while not pilot.app.ended:  # a generous bound on the run's end, not a timing assertion
            assert waited < 120, "the run did not end"
            await pilot.pause(0.1)
            waited += 0.1
        await pilot.press("q")

    monkeypatch.setattr(TeamApp, "run", lambda self, **kw: real_run(self, headless=True, size=(120, 36),
                                                                    auto_pilot=pilot_script))
    monkeypatch.chdir(ROOT)
    db = tmp_path / "runs.db"
    with Receiver(request_type) as receiver:
        result = CliRunner().invoke(main, ["scenarios/quickstart.toml", "--speed", "64", "--otlp-endpoint",
                                           receiver.url, "--db", str(db)])
        assert result.exit_code == 0, result.output
        run_id = list_runs(db)[0].id
        spans = check_trace(receiver, load_events(db, run_id), run_id)
    assert f"sent {len(spans)} spans" in result.output
