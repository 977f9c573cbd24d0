"""The routing tables derived from the consumers' contracts."""

from __future__ import annotations

import typing

from mathreel_shared.contracts import (
    BROADCAST_TYPES,
    ORCHESTRATOR,
    QUEUE_OF_STAGE,
    RENDER,
    STAGE_CONTRACTS,
    STAGE_OF_TYPE,
    STAGE_QUEUES,
    WORK_QUEUES,
    message_type,
)
from mathreel_shared.domain import Stage
from mathreel_shared.messages import Message, RenderRequested


def test_work_queues_bind_each_request_to_its_worker_and_every_event_to_the_orchestrator() -> None:
    assert WORK_QUEUES == {
        "orchestrator": (
            "job.requested",
            "stage.script.completed",
            "stage.tts.completed",
            "stage.visuals.completed",
            "stage.render.completed",
            "job.progress",
            "stage.failed",
        ),
        "webhooks": ("webhook.deliver",),
        "script": ("stage.script.requested",),
        "tts": ("stage.tts.requested",),
        "visuals": ("stage.visuals.requested",),
        "render": ("stage.render.requested",),
    }
    assert STAGE_QUEUES == ("script", "tts", "visuals", "render")
    assert BROADCAST_TYPES == {"job.cancelled"}


def test_every_message_of_the_union_is_queued_once_or_broadcast() -> None:
    members = typing.get_args(typing.get_args(Message)[0])
    routed = [key for keys in WORK_QUEUES.values() for key in keys]
    assert len(routed) == len(set(routed))
    assert {message_type(model) for model in members} == set(routed) | BROADCAST_TYPES


def test_a_message_belongs_to_the_stage_of_its_worker() -> None:
    assert STAGE_OF_TYPE["job.requested"] is Stage.INITIALIZING
    assert STAGE_OF_TYPE["stage.tts.requested"] is Stage.GENERATING_AUDIO
    assert STAGE_OF_TYPE["stage.visuals.completed"] is Stage.GENERATING_VISUALS
    # Render spans two stages: a failure is reported against rendering, its result arrives while uploading.
    assert (RENDER.stage, STAGE_OF_TYPE["stage.render.completed"]) == (Stage.RENDERING, Stage.UPLOADING)
    assert STAGE_OF_TYPE[message_type(RenderRequested)] is Stage.RENDERING


def test_each_pipeline_stage_is_waited_on_in_one_queue() -> None:
    assert QUEUE_OF_STAGE == {
        Stage.INITIALIZING: "orchestrator",
        Stage.GENERATING_SCRIPT: "script",
        Stage.GENERATING_AUDIO: "tts",
        Stage.GENERATING_VISUALS: "visuals",
        Stage.RENDERING: "render",
        Stage.UPLOADING: "render",
    }
    assert {contract.result for contract in STAGE_CONTRACTS} <= set(ORCHESTRATOR.messages)
