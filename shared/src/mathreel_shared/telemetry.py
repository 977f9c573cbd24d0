"""OpenTelemetry set-up, trace-context propagation through message headers, and structured logs.

Tracing is set up once per process with a resource naming the service and, when spans are exported, instruments the
libraries every service talks through (FastAPI, SQLAlchemy, Redis, httpx, aiobotocore). The trace context of the span
that enqueued a message rides in its headers, so one trace follows a job from the gateway through every stage.

Logs are one JSON object per line. Each carries the trace id of the current span (when there is one) and the job,
stage and scene being worked on (``log_context``), and passes through a filter that masks bearer tokens, JWTs and URL
passwords.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

import orjson
from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

log = logging.getLogger(__name__)

_configured = False
# False once ``setup_tracing`` has run without an exporter: client-library spans would not be recorded, so their
# hooks are not installed either (each costs a busy gateway a few percent).
_recording = True

# Probe and scrape endpoints are hit every few seconds by Kubernetes and Prometheus: tracing them would bury the
# requests that matter.
UNTRACED_URLS = "/health,/ready,/healthz,/readyz,/metrics"

# Span attributes of our own carry this prefix, so they cannot collide with semantic-convention names.
ATTRIBUTE_PREFIX = "mathreel."


def setup_tracing(service_name: str) -> None:
    """Install a tracer provider for ``service_name`` and instrument the client libraries, once per process.

    Spans are exported over OTLP/HTTP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or the traces-only
    ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is set. The exporter honours the other standard ``OTEL_*`` variables
    (headers, timeout, ``OTEL_BSP_SCHEDULE_DELAY``, ``OTEL_TRACES_SAMPLER``...).

    Without an exporter, spans are not recorded (unless ``OTEL_TRACES_SAMPLER`` asks for it) and the web app and
    client libraries are not instrumented: nobody would read the spans, and making them cost a busy gateway a
    third of its time. Log lines of a job still name the job; a trace context arriving in message headers is still
    carried on.
    """
    global _configured, _recording
    if _configured:
        return
    resource = Resource.create({"service.name": service_name, "service.namespace": "mathreel"})
    exporting = bool(
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )
    sampler = None if exporting or os.environ.get("OTEL_TRACES_SAMPLER") else ALWAYS_OFF
    provider = TracerProvider(resource=resource, sampler=sampler)
    if exporting:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _recording = sampler is None
    if _recording:
        instrument_libraries()
    _configured = True


def instrument_libraries() -> None:
    """Trace Redis, httpx and aiobotocore calls made anywhere in the process (they patch the client classes).

    aio-pika is deliberately not instrumented: its publish hook starts a new span and overwrites the
    ``traceparent`` header, which would cut the trace that the outbox stored with each message. Propagation
    through the broker is done by ``inject_trace_headers`` and ``span_from_headers`` instead.

    SQLAlchemy is traced per engine (``instrument_engine``): its global instrumentor only wraps
    ``create_async_engine`` calls made through the module attribute after it ran, which misses engines of modules
    that imported the function earlier.
    """
    from opentelemetry.instrumentation.aiobotocore import AioBotocoreInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    for instrumentor in (
        RedisInstrumentor(),
        HTTPXClientInstrumentor(),
        AioBotocoreInstrumentor(),  # type: ignore[no-untyped-call]
    ):
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument()


def instrument_app(app: Any) -> None:
    """Trace every request a FastAPI ``app`` serves, except probes and scrapes (``UNTRACED_URLS``).

    Not after a ``setup_tracing`` that records nothing: naming each request's span matches its route a second time,
    a tenth of what a status poll costs, for a span nobody would read.
    """
    if not _recording:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls=UNTRACED_URLS, exclude_spans=["receive", "send"])


def instrument_engine(engine: Any) -> None:
    """Trace the statements of an SQLAlchemy engine (async or sync); calling it again for the same engine is a no-op.

    It may run before ``setup_tracing``: spans go to whichever provider is installed when a statement runs. After a
    ``setup_tracing`` that records nothing, it does nothing.
    """
    if not _recording:
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import get_meter

    sync_engine = getattr(engine, "sync_engine", engine)
    if getattr(sync_engine, "_mathreel_traced", False):
        return
    meter = get_meter("mathreel.sqlalchemy")
    usage = meter.create_up_down_counter("db.client.connections.usage", unit="connections")
    EngineTracer(trace.get_tracer("opentelemetry.instrumentation.sqlalchemy"), sync_engine, usage)  # type: ignore[no-untyped-call]
    sync_engine._mathreel_traced = True


def tracer(name: str) -> trace.Tracer:
    """A tracer of the process's provider (a no-op one until ``setup_tracing`` runs)."""
    return trace.get_tracer(name)


def inject_trace_headers(headers: dict[str, Any]) -> dict[str, Any]:
    """Add the current trace context (``traceparent``) to message headers and return them."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    headers.update(carrier)
    return headers


@contextmanager
def span_from_headers(name: str, headers: Mapping[str, Any], **attributes: Any) -> Iterator[trace.Span]:
    """Start a consumer span continuing the trace carried by ``headers``.

    ``attributes`` (``job_id``, ``stage``, ``scene_index``...) become span attributes under the ``mathreel.``
    prefix and, for the duration of the block, the log context: every log line written while handling the message
    names the job it is about. ``None`` values are left out.
    """
    carrier = {k: v.decode() if isinstance(v, bytes) else v for k, v in headers.items() if isinstance(v, str | bytes)}
    parent = propagate.extract(carrier)
    known = {key: value for key, value in attributes.items() if value is not None}
    token = context.attach(parent)
    try:
        with (
            trace.get_tracer("mathreel").start_as_current_span(
                name,
                kind=trace.SpanKind.CONSUMER,
                attributes={f"{ATTRIBUTE_PREFIX}{key}": _attribute_value(value) for key, value in known.items()},
            ) as span,
            log_context(**known),
        ):
            yield span
    finally:
        context.detach(token)


def _attribute_value(value: Any) -> str | int | float | bool:
    return value if isinstance(value, str | int | float | bool) else str(value)


# --- logs --------------------------------------------------------------------------------------------------------

_LOG_CONTEXT: ContextVar[Mapping[str, Any]] = ContextVar("mathreel_log_context", default=MappingProxyType({}))

# Fields a log line may carry from ``log_context`` or from ``extra=``; anything else passed as ``extra`` is ignored.
LOG_FIELDS = (
    "service",
    "job_id",
    "user_id",
    "stage",
    "scene_index",
    "message_type",
    "message_id",
    "attempt",
    # The gateway's access line.
    "http_method",
    "http_route",
    "http_status",
    "duration_ms",
)


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add ``fields`` (``job_id=..., stage=..., scene_index=...``) to every log line written inside the block.

    Context variables follow the asyncio task, so concurrent handlers in one process never see each other's job.
    Nested blocks add to (and may override) the outer fields; ``None`` values are left out.
    """
    merged = {**_LOG_CONTEXT.get(), **{key: value for key, value in fields.items() if value is not None}}
    token = _LOG_CONTEXT.set(MappingProxyType(merged))
    try:
        yield
    finally:
        _LOG_CONTEXT.reset(token)


def current_log_context() -> Mapping[str, Any]:
    """The fields ``log_context`` has set for the running task."""
    return _LOG_CONTEXT.get()


_SECRET_KEY_WORDS = ("password", "passwd", "secret", "token", "api_key", "apikey", "access_key", "private_key")

# Each pattern with the words one of which any match contains (case-folded): a line without them is left alone
# without running the pattern. Nearly every line is such a line, the access log's above all.
_REDACTIONS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    # Authorization headers and anything that prints them.
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [REDACTED]", ("bearer", "basic")),
    # A JWT anywhere (three base64url parts, the first one a JSON header).
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[REDACTED-JWT]", ("eyj",)),
    # Passwords in connection URLs: postgresql://user:secret@host, amqp://guest:guest@host.
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]+):[^\s@/]+@"), r"\1:[REDACTED]@", ("://",)),
    # key=value and "key": "value" pairs whose key names a secret.
    (
        re.compile(
            r"(?i)([\"']?\b[a-z0-9_]*(?:" + "|".join(_SECRET_KEY_WORDS) + r")[a-z0-9_]*[\"']?"
            r"\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&}]+)"
        ),
        r"\1[REDACTED]",
        _SECRET_KEY_WORDS,
    ),
)


def redact(text: str) -> str:
    """``text`` with bearer tokens, JWTs, URL passwords and ``secret=...``-style values masked."""
    folded = _fold(text)
    for pattern, replacement, words in _REDACTIONS:
        if any(word in folded for word in words):
            text = pattern.sub(replacement, text)
            folded = _fold(text)
    return text


def _fold(text: str) -> str:
    """``text`` as the patterns' ``(?i)`` sees it: case-folded ("ſ" is "s"), and the dotless "ı" is an "i" too."""
    return text.casefold().replace("ı", "i")


class RedactingFilter(logging.Filter):
    """Masks secrets in the rendered message and traceback before any handler writes them."""

    _exception_formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._exception_formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then the log context and the trace and span ids.

    The gateway writes a line per request, so the line costs little: orjson encodes it, and the time's date-and-second
    part is formatted once a second.
    """

    def __init__(self, service: str | None = None) -> None:
        super().__init__()
        self._service = service
        self._second: tuple[int, str] = (-1, "")  # the last second formatted, and its text: swapped as one

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": self._timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if self._service:
            payload["service"] = self._service
        for key, value in _LOG_CONTEXT.get().items():
            payload[key] = _json_value(value)
        for key in LOG_FIELDS:
            if hasattr(record, key):
                payload[key] = _json_value(getattr(record, key))
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            payload["trace_id"] = format(span_context.trace_id, "032x")
            payload["span_id"] = format(span_context.span_id, "016x")
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exc"] = record.exc_text
        try:
            return orjson.dumps(payload).decode()
        except TypeError:
            # Text that is not valid Unicode (a lone surrogate) or an integer past 64 bits: the standard encoder
            # escapes the one and writes the other.
            return json.dumps(payload)

    def _timestamp(self, created: float) -> str:
        """``created`` in ISO 8601, UTC, to the millisecond: ``2026-11-26T09:11:44.288+00:00``."""
        second = int(created)
        last, text = self._second
        if second != last:
            text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = (second, text)
        return f"{text}.{int((created - second) * 1000):03d}+00:00"


def _json_value(value: Any) -> str | int | float | bool:
    return value if isinstance(value, str | int | float | bool) else str(value)


def setup_logging(level: str = "INFO", *, json_logs: bool | None = None, service: str | None = None) -> None:
    """Send every log record to stderr, as JSON lines unless stderr is a terminal, with secrets redacted.

    ``service`` names the process in each JSON line (defaults to ``OTEL_SERVICE_NAME`` when that is set).
    """
    if json_logs is None:
        json_logs = not sys.stderr.isatty()
    service = service or os.environ.get("OTEL_SERVICE_NAME")
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        JsonLogFormatter(service) if json_logs else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Neither format prints where a call came from or which thread or process made it, so no record collects it
    # (the logging HOWTO's "Optimization" knobs): a few µs of every line, the gateway's access line on every request.
    logging._srcfile = None  # type: ignore[attr-defined]  # the documented switch for the caller's frame
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    for noisy in ("aiormq", "aio_pika", "botocore", "aiobotocore", "httpx", "httpcore", "numba", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
