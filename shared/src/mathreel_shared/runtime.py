"""The shape every worker process shares: connect, consume, wait for a stop signal, drain.

``run_service`` owns the process: logging, tracing, the bus and the object store, a small health server for
Kubernetes probes and Prometheus, and graceful shutdown on SIGTERM (stop consuming, let the message in hand finish
within the grace period, close connections). The service-specific part is a ``setup`` coroutine that registers its
consumers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mathreel_shared.bus import Bus, Delivery, MemoryBus, PermanentMessageError, RabbitBus, retry_delay
from mathreel_shared.contracts import StageContract
from mathreel_shared.errors import CANCELLED, StageError
from mathreel_shared.heap import settle_after_startup
from mathreel_shared.messages import Envelope, JobCancelled, Message, StageFailed
from mathreel_shared.metrics import observe_delivery
from mathreel_shared.settings import Settings, get_settings
from mathreel_shared.storage import ObjectStore, create_store
from mathreel_shared.telemetry import setup_logging, setup_tracing, span_from_headers

log = logging.getLogger(__name__)

StageMessage = TypeVar("StageMessage", bound=Envelope)

MESSAGES_HANDLED = Counter("mathreel_messages_total", "Messages handled", ["service", "type", "outcome"])
RETRIES = Counter("mathreel_retries_total", "Stage messages scheduled for another attempt", ["service", "code"])
STAGE_SECONDS = Histogram(
    "mathreel_stage_seconds",
    "Seconds spent handling one stage message",
    ["service", "type"],
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600),
)


class CancellationRegistry:
    """Job ids cancelled recently, learnt from the ``job.cancelled`` broadcast."""

    def __init__(self, ttl_seconds: float = 6 * 3600) -> None:
        self._ttl = ttl_seconds
        self._cancelled: dict[UUID, float] = {}

    async def on_broadcast(self, message: Message, _delivery: Delivery) -> None:
        if isinstance(message, JobCancelled):
            self.cancel(message.job_id)

    def cancel(self, job_id: UUID) -> None:
        now = time.monotonic()
        self._cancelled[job_id] = now
        for stale in [job for job, at in self._cancelled.items() if now - at > self._ttl]:
            del self._cancelled[stale]

    def is_cancelled(self, job_id: UUID) -> bool:
        return job_id in self._cancelled

    def checker(self, job_id: UUID) -> Callable[[], bool]:
        return lambda: job_id in self._cancelled


@dataclass
class ServiceRuntime:
    """What a service's handlers need, built once per process (or once for all services in standalone mode)."""

    settings: Settings
    bus: Bus
    store: ObjectStore
    cancellations: CancellationRegistry = field(default_factory=CancellationRegistry)
    ready_checks: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def fail_stage(self, failed: StageFailed) -> None:
        await self.bus.publish(failed)


def create_bus(settings: Settings) -> Bus:
    if settings.is_standalone:
        return MemoryBus()
    return RabbitBus(
        settings.amqp_url, settings.broker_namespace, confirm_timeout=settings.publish_confirm_timeout_seconds
    )


def health_app(runtime: ServiceRuntime, service: str) -> Starlette:
    async def healthz(_request: Request) -> Response:
        return JSONResponse({"service": service, "status": "healthy"})

    async def readyz(_request: Request) -> Response:
        checks: dict[str, str] = {}
        ok = True
        for name, check in (("broker", runtime.bus.ping), ("storage", runtime.store.ping)):
            try:
                await asyncio.wait_for(check(), timeout=3)
                checks[name] = "ok"
            except Exception as exc:
                checks[name] = f"error: {type(exc).__name__}"
                ok = False
        for extra in runtime.ready_checks:
            name = getattr(extra, "__name__", "check")
            try:
                await asyncio.wait_for(extra(), timeout=3)
                checks[name] = "ok"
            except Exception as exc:
                checks[name] = f"error: {type(exc).__name__}"
                ok = False
        return JSONResponse(
            {"status": "ready" if ok else "not_ready", "checks": checks}, status_code=200 if ok else 503
        )

    async def metrics(_request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics)],
    )


async def run_service(
    service: str,
    setup: Callable[[ServiceRuntime], Awaitable[Callable[[], Awaitable[None]] | None]],
    *,
    settings: Settings | None = None,
) -> None:
    """Run one service until SIGTERM/SIGINT. ``setup`` registers consumers and may return a cleanup coroutine."""
    settings = settings or get_settings()
    setup_logging(settings.log_level)
    setup_tracing(f"mathreel-{service}")
    bus = create_bus(settings)
    store = create_store(settings)
    await _connect_with_retry(bus.start, "broker")
    await _connect_with_retry(store.start, "storage")
    runtime = ServiceRuntime(settings=settings, bus=bus, store=store)
    await bus.subscribe_broadcast(runtime.cancellations.on_broadcast)
    cleanup = await setup(runtime)
    settle_after_startup()

    server = uvicorn.Server(
        uvicorn.Config(
            health_app(runtime, service),
            host=settings.health_host,
            port=settings.health_port,
            log_level="warning",
            lifespan="off",
        )
    )
    server_task = asyncio.create_task(server.serve())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("%s started", service)
    await stop.wait()

    log.info("%s stopping: no new messages, draining the one in hand", service)
    await bus.stop_consuming()
    if isinstance(bus, RabbitBus):
        await bus.drain(settings.shutdown_grace_seconds)
    if cleanup is not None:
        await cleanup()
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(server_task, timeout=5)
    await bus.close()
    await store.close()
    log.info("%s stopped", service)


async def _connect_with_retry(connect: Callable[[], Awaitable[Any]], what: str, attempts: int = 30) -> None:
    """Dependencies may start after us (compose, Kubernetes): retry with backoff instead of crashing."""
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            await connect()
            return
        except Exception as exc:
            if attempt == attempts:
                raise
            log.warning("cannot reach %s (%s); retrying in %.1fs", what, type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


def stage_handler(
    runtime: ServiceRuntime,
    contract: StageContract[StageMessage],
    work: Callable[[StageMessage], Awaitable[None]],
) -> Callable[[Message, Delivery], Awaitable[None]]:
    """Wrap a worker's ``work`` coroutine: skip cancelled jobs, trace, count, and turn errors into ``stage.failed``.

    A ``StageError`` keeps its code, message and retryability; anything else is an ``internal_error`` and counts as
    transient. A transient error is retried with backoff through the stage's delay queues until the stage's attempt
    limit (``settings.stage_max_attempts``); a permanent one, or the last attempt, fails the job with its reason
    instead of leaving it hanging. Failures are reported against ``contract.stage``.
    """
    service, stage, expected = contract.queue, contract.stage, contract.request
    max_attempts = runtime.settings.max_attempts(service)

    async def handle(message: Message, delivery: Delivery) -> None:
        if not isinstance(message, expected):
            # Only a message bound to another queue by hand (or replayed to the wrong one) lands here.
            raise PermanentMessageError(f"{service} does not handle {message.type}")
        if runtime.cancellations.is_cancelled(message.job_id):
            log.info("dropping %s of cancelled job %s", message.type, message.job_id)
            MESSAGES_HANDLED.labels(service, message.type, "cancelled").inc()
            return
        scene_index = getattr(message, "scene_index", None)
        scene = f" scene {scene_index + 1}" if isinstance(scene_index, int) else ""
        with span_from_headers(
            f"{service} {stage.value}{scene}",
            delivery.headers,
            job_id=str(message.job_id),
            stage=stage.value,
            scene_index=scene_index,
        ):
            observe_delivery(service, message, delivery)
            started = time.monotonic()
            try:
                await work(message)
                outcome = "ok"
            except Exception as exc:
                cancelled = isinstance(exc, StageError) and exc.code == CANCELLED
                if cancelled or runtime.cancellations.is_cancelled(message.job_id):
                    MESSAGES_HANDLED.labels(service, message.type, "cancelled").inc()
                    return
                if isinstance(exc, StageError):
                    code, reason, retryable = exc.code, exc.message, exc.retryable
                else:
                    log.exception("%s failed on job %s", service, message.job_id)
                    code, reason, retryable = "internal_error", f"{service} failed: {type(exc).__name__}: {exc}", True
                if retryable and message.attempt < max_attempts:
                    delay = retry_delay(message.attempt + 1)
                    log.warning(
                        "%s attempt %d of %d failed on job %s (%s); retrying in %d s",
                        service,
                        message.attempt,
                        max_attempts,
                        message.job_id,
                        code,
                        delay,
                    )
                    retry = message.model_copy(update={"attempt": message.attempt + 1})
                    await runtime.bus.publish_delayed(service, retry, delay, headers=dict(delivery.headers))
                    RETRIES.labels(service, code).inc()
                    MESSAGES_HANDLED.labels(service, message.type, "retried").inc()
                    return
                if retryable and max_attempts > 1:
                    reason = f"{reason} (gave up after {message.attempt} attempts)"
                await runtime.bus.publish(
                    StageFailed(
                        **message.job_fields(),
                        stage=stage,
                        code=code,
                        message=reason[:1000],
                        retryable=retryable,
                        scene_index=scene_index,
                    )
                )
                outcome = "failed"
            finally:
                STAGE_SECONDS.labels(service, message.type).observe(time.monotonic() - started)
            MESSAGES_HANDLED.labels(service, message.type, outcome).inc()

    return handle


async def serve_stage(
    runtime: ServiceRuntime,
    contract: StageContract[StageMessage],
    work: Callable[[StageMessage], Awaitable[None]],
    *,
    prefetch: int = 1,
) -> None:
    """Consume ``contract``'s queue with ``work`` wrapped by ``stage_handler``: how every stage worker registers."""
    await runtime.bus.consume(contract.queue, stage_handler(runtime, contract, work), prefetch=prefetch)
