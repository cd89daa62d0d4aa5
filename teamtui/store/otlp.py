"""Sending a run's spans to an OTLP/HTTP endpoint with opentelemetry-sdk's exporter: the one module that imports it.

OpenTelemetry is the `otel` extra, imported lazily here only; without it, `--otlp-endpoint` is one line naming
the `pip install`. Spans (`teamtui.store.traces.Span`) become SDK `ReadableSpan`s with the builder's ids and
times and go through a `BatchSpanProcessor` to `OTLPSpanExporter` (protobuf over HTTP), so a live run sends
each turn's spans in the background as the turn ends; `close()` flushes the rest and says, in one line, how
many spans the endpoint did not take. Only what the spans hold is sent: no environment or configuration value.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from teamtui.core.errors import TeamtuiError
from teamtui.store.traces import CLIENT, Attrs, Span

INSTALL = "pip install -e '.[otel]'"


class OtlpError(TeamtuiError):
    """OpenTelemetry is not installed, or the endpoint did not take the spans."""


def traces_url(endpoint: str) -> str:
    """The URL spans are POSTed to: `endpoint` itself, or `endpoint/v1/traces` when it names no path."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise OtlpError(f"--otlp-endpoint {endpoint}: not an http(s) URL; give one like http://127.0.0.1:4318")
    return endpoint.rstrip("/") + "/v1/traces" if parts.path in ("", "/") else endpoint


def sdk() -> Any:
    """The OpenTelemetry modules this sender uses (one `OtlpError` line naming the extra when they are missing)."""
    try:
        import opentelemetry.trace as trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk import resources
        from opentelemetry.sdk import trace as sdk_trace
        from opentelemetry.sdk.trace import export
        from opentelemetry.sdk.util.instrumentation import InstrumentationScope
    except ImportError:
        raise OtlpError(f"--otlp-endpoint needs OpenTelemetry's SDK and OTLP exporter, which are not installed: "
                        f"{INSTALL}") from None

    return SimpleNamespace(trace=trace, OTLPSpanExporter=OTLPSpanExporter, resources=resources, sdk_trace=sdk_trace,
                           export=export, InstrumentationScope=InstrumentationScope)


class Sender:
    """Spans of one trace, handed over as they finish and sent in batches by the SDK's processor."""

    def __init__(self, endpoint: str, trace_id: bytes, base_ns: int, resource: Attrs, version: str,
                 timeout_s: float = 10.0) -> None:
        self.url = traces_url(endpoint)
        self.m = m = sdk()
        logging.getLogger("opentelemetry").setLevel(logging.CRITICAL)  # failures are counted and said in one line
        self.trace_id = int.from_bytes(trace_id, "big")
        self.base_ns = base_ns
        self.resource = m.resources.Resource(resource)  # not .create(): no OTEL_RESOURCE_ATTRIBUTES, no host facts
        self.scope = m.InstrumentationScope("teamtui", version)
        self.exporter = _Counting(m.OTLPSpanExporter(endpoint=self.url, timeout=timeout_s), m.export)
        self.processor = m.export.BatchSpanProcessor(self.exporter, max_queue_size=1 << 20,
                                                     max_export_batch_size=512, schedule_delay_millis=200)
        self.given = 0

    def readable(self, span: Span) -> Any:
        """The SDK's span for one of ours (ids, parent, times, attributes, events, status)."""
        m, trace = self.m, self.m.trace
        flags = trace.TraceFlags(trace.TraceFlags.SAMPLED)
        context = trace.SpanContext(self.trace_id, int.from_bytes(span.span_id, "big"), False, flags)
        parent = (trace.SpanContext(self.trace_id, int.from_bytes(span.parent_id, "big"), False, flags)
                  if span.parent_id is not None else None)
        events = [m.sdk_trace.Event(name, attrs, self.base_ns + round(t * 1e9)) for name, t, attrs in span.events]
        code = trace.StatusCode.ERROR if span.error else trace.StatusCode.UNSET
        status = trace.Status(code, span.error)
        return m.sdk_trace.ReadableSpan(
            span.name, context=context, parent=parent, resource=self.resource, attributes=span.attrs, events=events,
            kind=trace.SpanKind.CLIENT if span.kind == CLIENT else trace.SpanKind.INTERNAL, status=status,
            start_time=self.base_ns + round(span.start * 1e9), end_time=self.base_ns + round(span.end * 1e9),
            instrumentation_scope=self.scope)

    def send(self, spans: Iterable[Span]) -> None:
        for span in spans:
            self.processor.on_end(self.readable(span))
            self.given += 1

    def close(self) -> int:
        """Send what is left and stop; the number of spans sent (one `OtlpError` line if some were not)."""
        self.processor.force_flush()
        self.processor.shutdown()
        lost = self.given - self.exporter.sent
        if lost:
            raise OtlpError(f"--otlp-endpoint {self.url}: {lost} of {self.given} spans were not taken "
                            f"({self.exporter.why or 'the endpoint did not answer'}); is a collector listening there?")
        return self.exporter.sent


class _Counting:
    """An exporter that counts the spans its inner exporter sent, and remembers why a batch was not."""

    def __init__(self, inner: Any, export: Any) -> None:
        self.inner, self.ok = inner, export.SpanExportResult.SUCCESS
        self.sent = 0
        self.why = ""

    def export(self, spans: Any) -> Any:
        try:
            result = self.inner.export(spans)
        except Exception as exc:  # the SDK's processor would log and drop it; we count it instead
            self.why = f"{type(exc).__name__}: {str(exc)[:120]}"
            return None
        if result == self.ok:
            self.sent += len(spans)
        else:
            self.why = self.why or "the endpoint refused or did not answer"
        return result

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True
