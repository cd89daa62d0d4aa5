"""A run's spans as OTLP/JSON: one `ExportTraceServiceRequest` with hex ids and nanosecond times as strings.

The OTLP JSON encoding differs from protobuf's generic JSON mapping in its ids (lowercase hex, not base64)
and keeps enums as integers; int64 values (`intValue`, `*UnixNano`) are decimal strings. No extra is needed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import msgspec

from teamtui.store.traces import ERROR, Attrs, Span


def any_value(value: Any) -> dict[str, Any]:
    """An attribute value in OTLP/JSON (int64 as a decimal string, as the protobuf JSON mapping has it)."""
    kind = type(value)
    if kind is str:
        return {"stringValue": value}
    if kind is int:
        return {"intValue": str(value)}
    if kind is float:
        return {"doubleValue": value}
    if kind is bool:
        return {"boolValue": value}
    if kind is list:
        return {"arrayValue": {"values": [any_value(v) for v in value]}}
    return {"stringValue": str(value)}


@functools.lru_cache(maxsize=1 << 16)
def _kv(key: str, value: Any, kind: str) -> dict[str, Any]:
    """One attribute as OTLP/JSON; the many repeated ones (an operation name, an agent) are made once."""
    return {"key": key, "value": any_value(value)}


def _kvs(attrs: Attrs) -> list[dict[str, Any]]:
    return [{"key": k, "value": any_value(v)} if type(v) is list else _kv(k, v, type(v).__name__)
            for k, v in attrs.items()]


def span_json(span: Span, trace_id: bytes, base_ns: int) -> dict[str, Any]:
    out: dict[str, Any] = {"traceId": trace_id.hex(), "spanId": span.span_id.hex(), "name": span.name,
                           "kind": span.kind, "startTimeUnixNano": str(base_ns + round(span.start * 1e9)),
                           "endTimeUnixNano": str(base_ns + round(span.end * 1e9)), "attributes": _kvs(span.attrs)}
    if span.parent_id is not None:
        out["parentSpanId"] = span.parent_id.hex()
    if span.events:
        out["events"] = [{"timeUnixNano": str(base_ns + round(t * 1e9)), "name": name, "attributes": _kvs(a)}
                         for name, t, a in span.events]
    out["status"] = {"code": ERROR, "message": span.error} if span.error else {}
    return out


def otlp_json(spans: Iterable[Span], trace_id: bytes, base_ns: int, resource: Attrs, scope_version: str) -> str:
    """A whole trace as one OTLP/JSON `ExportTraceServiceRequest` (hex ids, nanosecond times as strings)."""
    body = {"resourceSpans": [{"resource": {"attributes": _kvs(resource)}, "scopeSpans": [{
        "scope": {"name": "teamtui", "version": scope_version},
        "spans": [span_json(s, trace_id, base_ns) for s in spans]}]}]}
    return msgspec.json.encode(body).decode() + "\n"
