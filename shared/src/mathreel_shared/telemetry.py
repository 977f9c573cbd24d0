"""OpenTelemetry set-up and trace-context propagation through message headers.

Tracing is set up once per process with a resource naming the service. The trace context of the span that enqueued a
message rides in its headers, so one trace follows a job from the gateway through every stage.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_configured = False


def setup_tracing(service_name: str) -> None:
    """Install a tracer provider; export over OTLP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set."""
    global _configured
    if _configured:
        return
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if endpoint:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        except ImportError:  # pragma: no cover - the exporter is an optional dependency
            logging.getLogger(__name__).warning("OTLP exporter not installed; traces stay in process")
    trace.set_tracer_provider(provider)
    _configured = True


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def inject_trace_headers(headers: dict[str, Any]) -> dict[str, Any]:
    """Add the current trace context (``traceparent``) to message headers."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    headers.update(carrier)
    return headers


@contextmanager
def span_from_headers(name: str, headers: Mapping[str, Any], **attributes: Any) -> Iterator[trace.Span]:
    """Start a consumer span continuing the trace carried by ``headers``."""
    carrier = {k: str(v) for k, v in headers.items() if isinstance(v, str | bytes)}
    parent = propagate.extract(carrier)
    token = context.attach(parent)
    try:
        with trace.get_tracer("mathreel").start_as_current_span(
            name, kind=trace.SpanKind.CONSUMER, attributes={k: v for k, v in attributes.items() if v is not None}
        ) as span:
            yield span
    finally:
        context.detach(token)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, with job and trace ids when known."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("job_id", "stage", "scene_index", "service"):
            if hasattr(record, key):
                payload[key] = str(getattr(record, key))
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            payload["trace_id"] = format(span_context.trace_id, "032x")
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload)


def setup_logging(level: str = "INFO", *, json_logs: bool | None = None) -> None:
    if json_logs is None:
        json_logs = not sys.stderr.isatty()
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter() if json_logs else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiormq", "aio_pika", "botocore", "aiobotocore", "httpx", "httpcore", "numba", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
