"""`teamtui export RUN --format otlp-json`: the run as one OTLP/JSON trace (no extra needed) — hex ids, nanosecond
strings, a root, a span per turn, per model call and per action, faults as span events, the time base said, no
secret; and `--otlp-endpoint` without the otel extra is one line naming the pip install (exit 2)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from teamtui.core import events as ev
from teamtui.store.reader import list_runs, load_events

from .conftest import ROOT

FAKE_KEY = "sk-test-0123456789abcdefSECRET"
HEX32, HEX16, NANOS = re.compile(r"[0-9a-f]{32}"), re.compile(r"[0-9a-f]{16}"), re.compile(r"[1-9][0-9]{18}")


def teamtui(*args: str, env: dict[str, str] | None = None, prelude: str = "pass") -> subprocess.CompletedProcess[str]:
    code = f"import sys; {prelude}; from teamtui.cli import main; sys.argv[0] = 'teamtui'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=240, env={"PATH": "/usr/bin:/bin", "OPENAI_API_KEY": FAKE_KEY,
                                            "TEAMTUI_TOKEN": FAKE_KEY, **(env or {})})


def attrs(kvs: list[dict[str, Any]]) -> dict[str, Any]:
    def value(v: dict[str, Any]) -> Any:
        (kind, x), = v.items()
        return {"intValue": int, "doubleValue": float}.get(kind, lambda y: y)(x) if kind != "arrayValue" \
            else [value(i) for i in x["values"]]
    return {kv["key"]: value(kv["value"]) for kv in kvs}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[ev.Event]]:
    db = tmp_path_factory.mktemp("otlp") / "runs.db"
    out = teamtui("run", "scenarios/quickstart.toml", "--headless", "--no-baseline", "--db", str(db))
    assert out.returncode == 0, out.stderr
    run_id = list_runs(db)[0].id
    return db, run_id, load_events(db, run_id)


def test_the_otlp_json_file_is_the_run_as_one_trace(run: tuple[Path, str, list[ev.Event]], tmp_path: Path) -> None:
    db, run_id, events = run
    path = tmp_path / "trace.json"
    out = teamtui("export", run_id, "--format", "otlp-json", "-o", str(path), "--db", str(db))
    assert out.returncode == 0, out.stderr
    text = path.read_text()
    assert FAKE_KEY not in text and "SECRET" not in text
    body = json.loads(text)
    (rs,) = body["resourceSpans"]
    resource = attrs(rs["resource"]["attributes"])
    assert resource["teamtui.time_base"] == "virtual" and resource["service.name"] == "teamtui"
    (ss,) = rs["scopeSpans"]
    spans = ss["spans"]
    assert {s["traceId"] for s in spans} == {spans[0]["traceId"]} and HEX32.fullmatch(spans[0]["traceId"])
    for s in spans:
        assert HEX16.fullmatch(s["spanId"]) and NANOS.fullmatch(s["startTimeUnixNano"])
        assert int(s["endTimeUnixNano"]) >= int(s["startTimeUnixNano"])
    by_id = {s["spanId"]: s for s in spans}
    assert len(by_id) == len(spans)
    (root,) = [s for s in spans if "parentSpanId" not in s]
    kinds = Counter(s["name"].split(" ")[0] for s in spans)
    calls = [e for e in events if isinstance(e, ev.LLMCallStarted)]
    assert kinds["invoke_agent"] == kinds["chat"] == len(calls)
    for s in spans:
        op = attrs(s["attributes"])["gen_ai.operation.name"]
        parent = by_id.get(s.get("parentSpanId", ""))
        if op == "invoke_agent":
            assert parent is root
        elif op == "chat":
            assert parent is not None and parent["name"].startswith("invoke_agent ")
            assert attrs(parent["attributes"])["gen_ai.agent.name"] == attrs(s["attributes"])["gen_ai.agent.name"]
        elif op == "execute_tool":
            assert parent is not None and parent["name"].startswith("invoke_agent ")
    chats = [attrs(s["attributes"]) for s in spans if s["name"].startswith("chat ")]
    done = [e for e in events if isinstance(e, ev.LLMCallCompleted)]
    assert sum(a.get("gen_ai.usage.output_tokens", 0) for a in chats) == sum(e.tokens_out for e in done) > 0
    assert all(a["gen_ai.provider.name"] == "teamtui.sim" and a["gen_ai.request.model"] == "sim" for a in chats)
    assert not any("teamtui.cost_usd" in a for a in chats)  # the sim's calls have no cost: left out, not 0
    tools = Counter(attrs(s["attributes"])["gen_ai.tool.name"] for s in spans if s["name"].startswith("execute_tool"))
    assert tools["message"] == sum(isinstance(e, ev.MessageSent) for e in events)
    assert tools["write"] >= sum(isinstance(e, ev.FileWritten) for e in events) > 0
    assert tools["test"] == sum(isinstance(e, ev.TestsRan) for e in events)
    root_attrs = attrs(root["attributes"])
    assert root_attrs["teamtui.time_base"] == "virtual" and root_attrs["teamtui.run.id"] == run_id
    kill = next(e for e in events if isinstance(e, ev.FaultInjected) and e.fault == "kill")
    (fault,) = [x for x in root["events"] if x["name"] == "teamtui.fault.kill"]
    assert attrs(fault["attributes"])["teamtui.agent"] == kill.agent
    start = int(root["startTimeUnixNano"])
    assert int(fault["timeUnixNano"]) - start == round(kill.t * 1e9)  # the run's start plus its virtual seconds
    assert int(root["endTimeUnixNano"]) - start == round(events[-1].t * 1e9)
    conflicts = sum(isinstance(e, ev.ClaimConflicted) for e in events)
    assert conflicts and sum(x["name"] == "teamtui.conflict.claim" for s in spans for x in s.get("events", [])) \
        == conflicts
    again = teamtui("export", run_id, "--format", "otlp-json", "--db", str(db))  # to stdout, the same trace
    assert again.returncode == 0 and again.stdout == text


@pytest.mark.parametrize("command", ["export", "run"])
def test_otlp_endpoint_without_the_otel_extra_is_one_line(run: tuple[Path, str, list[ev.Event]], tmp_path: Path,
                                                          command: str) -> None:
    db, run_id, _ = run
    blocked = "sys.modules['opentelemetry'] = None"
    args = (["export", run_id] if command == "export" else ["run", "scenarios/quickstart.toml", "--headless"])
    fresh = tmp_path / "runs.db"
    out = teamtui(*args, "--otlp-endpoint", "http://127.0.0.1:9", "--db", str(db if command == "export" else fresh),
                  prelude=blocked)
    assert out.returncode == 2, out.stderr
    assert out.stderr.count("\n") == 1 and "pip install -e '.[otel]'" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and not out.stdout
    assert not fresh.exists() or not list_runs(fresh)  # refused before the run


def test_a_bad_endpoint_url_is_one_line(run: tuple[Path, str, list[ev.Event]]) -> None:
    db, run_id, _ = run
    out = teamtui("export", run_id, "--otlp-endpoint", "127.0.0.1:4318", "--db", str(db))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "http(s) URL" in out.stderr, out.stderr


def test_only_the_otlp_sender_imports_opentelemetry() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+opentelemetry\b", re.MULTILINE)
    users = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "teamtui").rglob("*.py") if pattern.search(p.read_text()))
    assert users == ["teamtui/store/otlp.py"]
    top = (ROOT / "teamtui" / "store" / "otlp.py").read_text().split("\ndef ", 1)[0]
    assert not pattern.search(top)  # and only inside a function: imported when --otlp-endpoint is given
