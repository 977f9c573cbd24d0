"""A storyboard the user gave: a revision of a completed job preflights only the scenes whose drawing it changed
(not those whose words alone changed), naming each by its index in the given storyboard; without a readable
original, every scene."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY

from mathreel_scenelang.storyboard import Storyboard, storyboard_adapter
from mathreel_script.llm.validation import Problem
from mathreel_script.worker import StoryboardRejected, accept_given
from mathreel_shared.settings import Settings
from mathreel_shared.storage import LocalStore

ORIGINAL, GIVEN = "users/u/jobs/o/storyboard.json", "users/u/jobs/r/storyboard.given.json"


def _board(*narrations: str) -> Storyboard:
    # A scene's id comes from its first word, so a scene keeps it wherever it moves.
    scenes = [
        {"id": text.split(",")[0].rstrip(".").lower(), "beats": [{"narration": text, "actions": []}]}
        for text in narrations
    ]
    return storyboard_adapter.validate_python({"title": "Right triangles", "scenes": scenes})


def _with_formula(board: Storyboard, index: int) -> Storyboard:
    """``board`` with a formula drawn in the first beat of scene ``index``: a change of what the scene draws."""
    data = board.model_dump(mode="json")
    data["scenes"][index]["beats"][0]["actions"] = [{"op": "equation", "id": "f", "latex": "a^2 + b^2 = c^2"}]
    return storyboard_adapter.validate_python(data)


class RecordingPreflight:
    """Records which scenes it was asked to check; finds a problem in the scenes listed in ``broken``."""

    def __init__(self, broken: Sequence[int] = ()) -> None:
        self.asked: list[list[int] | None] = []
        self.broken = broken

    async def __call__(self, storyboard: Storyboard, scenes: Sequence[int] | None = None) -> list[Problem]:
        self.asked.append(None if scenes is None else list(scenes))
        checked = range(len(storyboard.scenes)) if scenes is None else scenes
        return [Problem(f"scenes[{i}].beats[0]", "does not fit") for i in checked if i in self.broken]


@pytest.fixture
async def store(tmp_path: Path) -> LocalStore:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        media_dir=tmp_path / "media",
        dev_signing_key_path=tmp_path / "key.pem",
        database_url=f"sqlite+aiosqlite:///{tmp_path}/unused.db",
    )
    store = LocalStore(settings)
    await store.start()
    await store.put_bytes(ORIGINAL, _board("One.", "Two.", "Three.").model_dump_json(indent=2).encode(), "x")
    return store


async def _accept(store: LocalStore, given: Storyboard, check: RecordingPreflight, **kwargs: Any) -> Storyboard:
    await store.put_bytes(GIVEN, given.model_dump_json().encode(), "application/json")
    return await accept_given(store, GIVEN, check, **kwargs)


def _counted(result: str) -> float:
    return REGISTRY.get_sample_value("mathreel_preflight_scenes_total", {"result": result}) or 0.0


async def test_only_the_changed_scene_of_a_revision_is_preflighted(store: LocalStore) -> None:
    check = RecordingPreflight()
    checked, unchanged = _counted("checked"), _counted("unchanged")
    given = _with_formula(_board("One.", "Two.", "Three."), 1)
    accepted = await _accept(store, given, check, original_key=ORIGINAL)
    assert check.asked == [[1]]
    assert accepted.author == "user"
    assert (_counted("checked") - checked, _counted("unchanged") - unchanged) == (1, 2)


async def test_a_scene_moved_or_kept_is_not_checked_again_and_a_new_one_is(store: LocalStore) -> None:
    check = RecordingPreflight()
    await _accept(store, _board("Three.", "Four.", "One."), check, original_key=ORIGINAL)
    assert check.asked == [[1]]
    check = RecordingPreflight()
    await _accept(store, _board("One.", "Two.", "Three."), check, original_key=ORIGINAL)
    assert check.asked == [[]]


async def test_a_scene_whose_words_alone_changed_draws_what_was_rendered_and_is_not_checked(store: LocalStore) -> None:
    check = RecordingPreflight()
    await _accept(store, _board("One.", "Two, said otherwise.", "Three."), check, original_key=ORIGINAL)
    assert check.asked == [[]]


async def test_a_problem_names_the_scene_s_index_in_the_given_storyboard(store: LocalStore) -> None:
    check = RecordingPreflight(broken=[2])
    with pytest.raises(StoryboardRejected, match=r"storyboard\.scenes\[2\]\.beats\[0\]: does not fit"):
        await _accept(store, _with_formula(_board("Zero.", "One.", "Two.", "Three."), 2), check, original_key=ORIGINAL)
    assert check.asked == [[0, 2]]


async def test_without_a_readable_original_every_scene_is_preflighted(store: LocalStore) -> None:
    given = _board("One.", "Two, said otherwise.", "Three.")
    check = RecordingPreflight()
    await _accept(store, given, check)
    await _accept(store, given, check, original_key="users/u/jobs/gone/storyboard.json")
    await store.put_bytes("users/u/jobs/bad/storyboard.json", b'{"not": "a storyboard"}', "application/json")
    await _accept(store, given, check, original_key="users/u/jobs/bad/storyboard.json")
    assert check.asked == [[0, 1, 2]] * 3
