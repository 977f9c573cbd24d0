"""Unit tests of the telemetry helpers: log context and JSON lines, redaction, span attributes and propagation."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from mathreel_shared.telemetry import (
    JsonLogFormatter,
    RedactingFilter,
    current_log_context,
    inject_trace_headers,
    log_context,
    redact,
    span_from_headers,
)


@pytest.fixture(scope="module")
def exporter() -> InMemorySpanExporter:
    """Spans recorded in memory. The global provider can be set only once per process, so an SDK provider some
    earlier test installed is reused rather than replaced."""
    memory = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(memory))
    return memory


def render(record_message: str, *args: object, exc: BaseException | None = None) -> dict[str, object]:
    record = logging.LogRecord("mathreel.test", logging.INFO, __file__, 1, record_message, args, None)
    if exc is not None:
        record.exc_info = (type(exc), exc, exc.__traceback__)
    RedactingFilter().filter(record)
    line: dict[str, object] = json.loads(JsonLogFormatter("mathreel-test").format(record))
    return line


def test_log_lines_carry_the_log_context_and_nest() -> None:
    with log_context(job_id="j-1", stage="generating_audio"):
        with log_context(scene_index=2, stage=None):
            line = render("working on %s", "it")
        outer = render("back")
    assert line["message"] == "working on it"
    assert (line["job_id"], line["stage"], line["scene_index"]) == ("j-1", "generating_audio", 2)
    assert "scene_index" not in outer
    assert outer["service"] == "mathreel-test"
    assert "job_id" not in render("outside")
    assert str(line["ts"]).endswith("+00:00")


@pytest.mark.parametrize(
    "created",
    [0.0, 1_764_150_704.288, 1_764_150_704.9996, 1_764_150_705.0, 1_764_150_705.0004, 1_798_761_599.999],
)
def test_log_times_are_iso_utc_to_the_millisecond(created: float) -> None:
    """The formatter formats the date and second once a second; the time it writes is the standard library's."""
    formatter = JsonLogFormatter()
    for earlier in (created - 1.5, created - 0.0005, created):  # whatever second the formatter saw last
        record = logging.LogRecord("mathreel.test", logging.INFO, __file__, 1, "tick", (), None)
        record.created = earlier
        line = json.loads(formatter.format(record))
    assert line["ts"] == datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


def test_log_lines_are_json_whatever_the_message_holds() -> None:
    text = 'Théorème de Pythagore: a² + b² = c² \u2028 "quoted" \n next line \ud83d'
    line = render("%s", text)
    assert line["message"] == text
    assert "\n" not in JsonLogFormatter().format(logging.LogRecord("t", logging.INFO, "", 1, "a\nb", (), None))


async def test_log_context_is_per_task() -> None:
    seen: dict[str, object] = {}

    async def handle(job: str) -> None:
        with log_context(job_id=job):
            await asyncio.sleep(0.01)
            seen[job] = current_log_context()["job_id"]

    await asyncio.gather(handle("a"), handle("b"))
    assert seen == {"a": "a", "b": "b"}


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer abcdefghijklmnop.qrstuvwx", "abcdefghijklmnop"),
        ("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl in the url", "eyJzdWIiOiJ1c2VyIn0"),
        ("connecting to amqp://guest:hunter2@rabbit:5672/", "hunter2"),
        ("postgresql+asyncpg://mathreel:s3cr3t-pw@db/mathreel", "s3cr3t-pw"),
        ("s3_secret_access_key=AKIAsupersecret other=1", "AKIAsupersecret"),
        ('{"client_secret": "shh-very-secret"}', "shh-very-secret"),
        # Spellings the patterns' (?i) matches and str.lower() does not: the quick word check must not skip them.
        ("ſecret_value=long-s-secret", "long-s-secret"),
        ("PRIVATE_KEY=upper-case-secret", "upper-case-secret"),
        ("prıvate_key=dotless-i-secret", "dotless-i-secret"),
        ("BEARER abcdefghijklmnop", "abcdefghijklmnop"),
    ],
)
def test_secrets_are_redacted(text: str, secret: str) -> None:
    assert secret not in redact(text)
    assert "REDACTED" in redact(text)


def test_redaction_leaves_ordinary_text_alone() -> None:
    text = "job 3f1c rendered 4 scenes in 12.5 s; see https://example.com/jobs/3f1c"
    assert redact(text) == text


def test_secrets_are_redacted_in_messages_arguments_and_tracebacks() -> None:
    try:
        raise RuntimeError("login failed with password=letmein")
    except RuntimeError as exc:
        line = render("calling %s", "amqp://guest:guest@localhost/", exc=exc)
    assert "guest:guest" not in str(line["message"])
    assert "letmein" not in str(line["exc"])
    assert "RuntimeError" in str(line["exc"])


def test_a_consumer_span_continues_the_producers_trace(exporter: InMemorySpanExporter) -> None:
    exporter.clear()
    with trace.get_tracer("test").start_as_current_span("POST /api/v1/videos/generate") as producer:
        headers = inject_trace_headers({"message_id": "m-1"})
    assert "traceparent" in headers
    # Headers come back from RabbitMQ as bytes or str; either must be read.
    headers["traceparent"] = headers["traceparent"].encode()
    with span_from_headers("tts generating_audio scene 2", headers, job_id="j-9", scene_index=1, stage=None):
        line = render("synthesising")
    consumer = next(span for span in exporter.get_finished_spans() if span.name == "tts generating_audio scene 2")
    assert consumer.context.trace_id == producer.get_span_context().trace_id
    assert consumer.parent is not None
    assert consumer.parent.span_id == producer.get_span_context().span_id
    assert consumer.kind is trace.SpanKind.CONSUMER
    assert dict(consumer.attributes or {}) == {"mathreel.job_id": "j-9", "mathreel.scene_index": 1}
    # The log line written inside the span names the job and the trace.
    assert line["job_id"] == "j-9"
    assert line["trace_id"] == format(producer.get_span_context().trace_id, "032x")


def test_without_headers_a_consumer_span_starts_a_trace(exporter: InMemorySpanExporter) -> None:
    exporter.clear()
    with span_from_headers("orchestrator job.requested", {}, job_id="j-1") as span:
        assert span.get_span_context().is_valid
    (finished,) = exporter.get_finished_spans()
    assert finished.parent is None
