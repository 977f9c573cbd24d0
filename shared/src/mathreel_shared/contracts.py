"""What each consumer takes from the bus, declared once: its queue, the messages routed to it, the stages it works.

The bus's topology (which routing keys bind to which queue, which queues get retry delay queues), the stage a
dead-lettered message belonged to, and the queue the watchdog watches for a stage are all derived from these
declarations. A worker consumes through its contract (``runtime.serve_stage``), so the queue it reads, the message
its handler is typed for and the stage it reports failures against cannot drift apart.

Adding a stage: a request and a result message in ``messages``, a ``StageContract`` here listed in
``STAGE_CONTRACTS``, the result added to ``ORCHESTRATOR.messages``; docs/architecture.md walks through the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from mathreel_shared.domain import Stage
from mathreel_shared.messages import (
    Envelope,
    JobCancelled,
    JobRequested,
    RenderCompleted,
    RenderRequested,
    ScriptCompleted,
    ScriptRequested,
    StageFailed,
    StageProgress,
    TtsCompleted,
    TtsRequested,
    VisualsCompleted,
    VisualsRequested,
    WebhookDeliver,
)

Request = TypeVar("Request", bound=Envelope)


def message_type(model: type[Envelope]) -> str:
    """The ``type`` literal of a message class: its routing key."""
    return str(model.model_fields["type"].default)


@dataclass(frozen=True)
class StageContract(Generic[Request]):
    """A stage worker: it consumes ``request`` from ``queue`` and answers with ``result``.

    ``stages`` are the job stages the worker's work spans, in order (render spans rendering and uploading): a failure
    is reported against the first, the result belongs to the last. Stage queues get retry delay queues.
    """

    queue: str
    request: type[Request]
    result: type[Envelope]
    stages: tuple[Stage, ...]

    @property
    def stage(self) -> Stage:
        """The stage a failure of this worker is reported against."""
        return self.stages[0]

    @property
    def routing_keys(self) -> tuple[str, ...]:
        return (message_type(self.request),)


@dataclass(frozen=True)
class ConsumerContract:
    """A consumer of several message types on one queue (the orchestrator): no retries, its own idempotence."""

    queue: str
    messages: tuple[type[Envelope], ...]
    stages: tuple[Stage, ...]

    @property
    def routing_keys(self) -> tuple[str, ...]:
        return tuple(message_type(model) for model in self.messages)


SCRIPT = StageContract("script", ScriptRequested, ScriptCompleted, (Stage.GENERATING_SCRIPT,))
TTS = StageContract("tts", TtsRequested, TtsCompleted, (Stage.GENERATING_AUDIO,))
VISUALS = StageContract("visuals", VisualsRequested, VisualsCompleted, (Stage.GENERATING_VISUALS,))
RENDER = StageContract("render", RenderRequested, RenderCompleted, (Stage.RENDERING, Stage.UPLOADING))

# In pipeline order.
STAGE_CONTRACTS: tuple[StageContract[Any], ...] = (SCRIPT, TTS, VISUALS, RENDER)

ORCHESTRATOR = ConsumerContract(
    "orchestrator",
    (JobRequested, *(contract.result for contract in STAGE_CONTRACTS), StageProgress, StageFailed),
    (Stage.INITIALIZING,),
)

# The webhooks worker: retries on its own schedule (``settings.webhook_retry_delays_seconds``), not the stages'.
WEBHOOKS = ConsumerContract("webhooks", (WebhookDeliver,), ())

# Broadcast to every process (fanout), never queued.
BROADCAST_MESSAGES: tuple[type[Envelope], ...] = (JobCancelled,)


# --- the tables derived from the contracts ------------------------------------------------------------------------
def _work_queues() -> dict[str, tuple[str, ...]]:
    queues: dict[str, tuple[str, ...]] = {ORCHESTRATOR.queue: ORCHESTRATOR.routing_keys}
    queues[WEBHOOKS.queue] = WEBHOOKS.routing_keys
    for contract in STAGE_CONTRACTS:
        queues[contract.queue] = queues.get(contract.queue, ()) + contract.routing_keys
    return queues


def _stage_of_type() -> dict[str, Stage]:
    stages = {message_type(model): ORCHESTRATOR.stages[0] for model in ORCHESTRATOR.messages}
    for contract in STAGE_CONTRACTS:
        stages[message_type(contract.request)] = contract.stages[0]
        stages[message_type(contract.result)] = contract.stages[-1]
    return stages


def _queue_of_stage() -> dict[Stage, str]:
    queues = dict.fromkeys(ORCHESTRATOR.stages, ORCHESTRATOR.queue)
    for contract in STAGE_CONTRACTS:
        queues.update(dict.fromkeys(contract.stages, contract.queue))
    return queues


WORK_QUEUES: dict[str, tuple[str, ...]] = _work_queues()
"""Each work queue and the routing keys bound to it."""
STAGE_QUEUES: tuple[str, ...] = tuple(dict.fromkeys(contract.queue for contract in STAGE_CONTRACTS))
"""The queues of stage workers: each has retry delay queues."""
BROADCAST_TYPES: frozenset[str] = frozenset(message_type(model) for model in BROADCAST_MESSAGES)
STAGE_OF_TYPE: dict[str, Stage] = _stage_of_type()
"""The job stage a message of each type belongs to (which stage a poison message fails)."""
QUEUE_OF_STAGE: dict[Stage, str] = _queue_of_stage()
"""The queue whose backlog holds a job in each stage (the watchdog's "waiting its turn")."""
