"""A revision end to end in standalone mode: a storyboard rendered without planning (as ``mathreel render`` does),
fetched back, one sentence changed, revised through the API, and both videos checked by decoding; only a scene whose
drawing changed is preflighted again; a storyboard that passes the static checks but does not typeset fails its job
in the script stage; and the resource report of a finished job.

One original and its revisions are shared by the tests of this module (three short scenes at low quality).
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from asgi_lifespan import LifespanManager
from prometheus_client import REGISTRY
from sqlmodel import col, select

from mathreel_cli.standalone import Standalone, standalone_stack
from mathreel_gateway.jobs.service import admit_storyboard, check_storyboard
from mathreel_script.planner import plan_storyboard
from mathreel_shared.db import SceneResult, StageRun
from mathreel_shared.domain import Quality
from mathreel_shared.messages import JobConfiguration
from tests.e2e.media import decode_video
from tests.support.standalone import standalone_settings

pytestmark = pytest.mark.e2e

USER = "user_reviser"
CHANGED_SCENE = 1
OLD_SENTENCE = "In a right triangle, the legs a and b meet at the right angle."
NEW_SENTENCE = "In every right triangle, the two legs a and b meet at a right angle."
JOB_TIMEOUT = 420


@dataclass
class Revised:
    stack: Standalone
    client: httpx.AsyncClient
    original: dict[str, Any]
    revision: dict[str, Any]
    rejected: dict[str, Any]
    fetched: dict[str, Any]
    headers: dict[str, str]
    # How many scenes the script stage typeset and laid out ("checked") or took as rendered ("unchanged"): for the
    # original, and for the two revisions together.
    preflighted: dict[str, dict[str, float]]

    async def video(self, job: dict[str, Any]) -> bytes:
        response = await self.client.get(f"/api/v1/videos/jobs/{job['job_id']}/stream", headers=self.headers)
        assert response.status_code == 200
        return response.content

    async def clips(self, job: dict[str, Any]) -> list[bytes]:
        async with self.stack.resources.sessionmaker() as session:
            rows = (
                await session.execute(
                    select(SceneResult)
                    .where(col(SceneResult.job_id) == UUID(job["job_id"]), col(SceneResult.stage) == "visuals")
                    .order_by(col(SceneResult.scene_index))
                )
            ).scalars()
            keys = [row.result["clip_key"] for row in rows]
        return [await self.stack.runtime.store.get_bytes(key) for key in keys]

    async def stage_run(self, job: dict[str, Any], stage: str) -> StageRun:
        async with self.stack.resources.sessionmaker() as session:
            run = await session.get(StageRun, (UUID(job["job_id"]), stage))
        assert run is not None
        return run


def _preflight_counts() -> dict[str, float]:
    return {
        result: REGISTRY.get_sample_value("mathreel_preflight_scenes_total", {"result": result}) or 0.0
        for result in ("checked", "unchanged")
    }


def _since(before: dict[str, float]) -> dict[str, float]:
    return {result: count - before[result] for result, count in _preflight_counts().items()}


async def _finished(client: httpx.AsyncClient, job_id: str, headers: dict[str, str]) -> dict[str, Any]:
    async with asyncio.timeout(JOB_TIMEOUT):
        while True:
            response = await client.get(f"/api/v1/videos/jobs/{job_id}/status", headers=headers)
            assert response.status_code == 200, response.text
            status: dict[str, Any] = response.json()
            if status["status"] in {"completed", "failed", "cancelled"}:
                return status
            await asyncio.sleep(1.0)


def _three_scenes() -> dict[str, Any]:
    planned = plan_storyboard(JobConfiguration(topic="Pythagorean theorem", context=""))
    document: dict[str, Any] = planned.model_copy(update={"scenes": planned.scenes[:3]}).model_dump(mode="json")
    assert document["scenes"][CHANGED_SCENE]["beats"][0]["narration"] == OLD_SENTENCE
    return document


@pytest.fixture(scope="module")
async def revised(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Revised]:
    work: Path = tmp_path_factory.mktemp("revision")
    settings = standalone_settings(
        work,
        rate_limit_per_minute=1000,  # the polls of three jobs; the limit itself is tested elsewhere
    )
    async with standalone_stack(settings) as stack, LifespanManager(stack.app) as manager:
        key = stack.resources.dev_key
        assert key is not None
        headers = {"Authorization": f"Bearer {key.mint(USER, issuer=settings.jwt_issuer)}"}
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as client:
            # The original: a given storyboard, rendered without planning (what `mathreel render` does).
            counts = _preflight_counts()
            job = await admit_storyboard(
                stack.resources,
                user_id=USER,
                storyboard=check_storyboard(_three_scenes()),
                quality=Quality.LOW,
                max_active_jobs=settings.max_active_jobs_per_user,
            )
            original = await _finished(client, str(job.id), headers)
            assert original["status"] == "completed", original
            preflighted = {"original": _since(counts)}
            counts = _preflight_counts()
            url = f"/api/v1/videos/jobs/{original['job_id']}"
            fetched = (await client.get(f"{url}/storyboard", headers=headers)).json()

            edited = copy.deepcopy(fetched)
            edited["scenes"][CHANGED_SCENE]["beats"][0]["narration"] = NEW_SENTENCE
            broken = copy.deepcopy(fetched)
            # On the LaTeX allowlist (commands and braces are fine), but TeX cannot set it: found by the preflight.
            broken["scenes"][CHANGED_SCENE]["beats"][0]["actions"] = [
                {"op": "equation", "id": "broken", "latex": r"\frac{a}"}
            ]
            created = [
                await client.post(f"{url}/revise", json={"storyboard": body}, headers=headers)
                for body in (edited, broken)
            ]
            assert [response.status_code for response in created] == [201, 201], [r.text for r in created]
            revision, rejected = await asyncio.gather(
                *(_finished(client, response.json()["job_id"], headers) for response in created)
            )
            preflighted["revisions"] = _since(counts)
            yield Revised(stack, client, original, revision, rejected, fetched, headers, preflighted)


async def test_the_fetched_storyboard_is_the_one_rendered(revised: Revised) -> None:
    assert revised.fetched["version"] == "1"
    assert len(revised.fetched["scenes"]) == 3
    assert revised.fetched["author"] == "user"
    assert revised.fetched["scenes"][CHANGED_SCENE]["beats"][0]["narration"] == OLD_SENTENCE


async def test_the_revision_completes_and_names_its_original(revised: Revised) -> None:
    assert revised.revision["status"] == "completed", revised.revision
    assert revised.revision["revision_of"] == revised.original["job_id"]
    assert revised.revision["quality"] == "low"
    url = f"/api/v1/videos/jobs/{revised.revision['job_id']}/storyboard"
    stored = (await revised.client.get(url, headers=revised.headers)).json()
    assert stored["scenes"][CHANGED_SCENE]["beats"][0]["narration"] == NEW_SENTENCE
    before, after = (
        decode_video(await revised.video(revised.original)),
        decode_video(await revised.video(revised.revision)),
    )
    assert (after.width, after.height, after.video_codec, after.audio_codec) == (854, 480, "h264", "aac")
    assert after.frames > 0
    assert abs(after.duration - before.duration) > 0.05  # a longer sentence is spoken for longer


async def test_only_the_changed_scene_differs(revised: Revised) -> None:
    before, after = await revised.clips(revised.original), await revised.clips(revised.revision)
    assert len(before) == len(after) == 3
    assert [b == a for b, a in zip(before, after, strict=True)] == [True, False, True]
    original = await revised.stage_run(revised.original, "generating_visuals")
    revision = await revised.stage_run(revised.revision, "generating_visuals")
    # Exactly one scene re-rendered (the artifact cache): read from the stage records.
    assert (original.cache_hits or 0, original.cache_misses) == (0, 3)
    assert (revision.cache_hits, revision.cache_misses) == (2, 1)


async def test_a_revision_preflights_only_its_changed_scene(revised: Revised) -> None:
    # The original had nothing to compare with: all three scenes were typeset and laid out.
    assert revised.preflighted["original"] == {"checked": 3, "unchanged": 0}
    # The broken revision changed what scene 1 draws: that scene was checked. The other revision changed only a
    # sentence, which changes no drawing: none of its scenes was checked again (its clip is rendered all the same).
    assert revised.preflighted["revisions"] == {"checked": 1, "unchanged": 5}


async def test_a_storyboard_tex_cannot_set_fails_in_the_script_stage_with_its_path(revised: Revised) -> None:
    rejected = revised.rejected
    assert rejected["status"] == "failed"
    assert rejected["error"]["code"] == "storyboard_rejected"
    assert rejected["error"]["stage"] == "generating_script"
    assert f"storyboard.scenes[{CHANGED_SCENE}].beats[0].actions[0].latex" in rejected["error"]["message"]
    assert rejected["revision_of"] == revised.original["job_id"]


async def test_a_finished_job_reports_what_it_cost(revised: Revised) -> None:
    for job in (revised.original, revised.revision):
        report = job["resources"]
        stages = report["stages"]
        for stage in ("generating_script", "generating_audio", "generating_visuals", "rendering"):
            assert stages[stage]["wall_seconds"] > 0, (stage, stages)
            assert stages[stage]["cpu_seconds"] > 0, (stage, stages)
            assert stages[stage]["bytes_stored"] > 0, (stage, stages)
        # In one process every stage's figure can include the others' overlapping work, never more than the
        # process could spend: two cores at most for the stage's wall time, plus rounding.
        for stage in ("generating_script", "rendering"):
            assert stages[stage]["cpu_seconds"] <= 2 * stages[stage]["wall_seconds"] + 0.5, (stage, stages)
        metadata = (
            await revised.client.get(f"/api/v1/videos/jobs/{job['job_id']}/metadata", headers=revised.headers)
        ).json()["metadata"]
        assert stages["rendering"]["bytes_stored"] >= metadata["file_size"]
        assert report["cpu_seconds"] == pytest.approx(sum(s["cpu_seconds"] or 0 for s in stages.values()), abs=0.01)
        assert report["bytes_stored"] == sum(s["bytes_stored"] or 0 for s in stages.values())
        assert report["wall_seconds"] >= stages["generating_visuals"]["wall_seconds"]
    assert "resources" not in revised.rejected
    assert json.dumps(revised.original["resources"])  # plain JSON
