"""The local media folder under concurrent writers of one key, as a redelivered message's two handlers are."""

from __future__ import annotations

import asyncio
from pathlib import Path

from mathreel_shared.settings import Settings
from mathreel_shared.storage import LocalStore


def _store(tmp_path: Path) -> LocalStore:
    settings = Settings(_env_file=None, media_dir=tmp_path / "media")  # type: ignore[call-arg]
    return LocalStore(settings)


async def test_concurrent_writes_of_one_key_leave_one_whole_object_and_no_temporary_file(tmp_path: Path) -> None:
    store = _store(tmp_path)
    await store.start()
    key = "users/u/jobs/j/scenes/scene_000.mp4"
    sources = []
    for n in range(8):
        source = tmp_path / f"clip{n}.mp4"
        source.write_bytes(bytes([n]) * 2_000_000)  # large enough that copies overlap
        sources.append(source)

    for _ in range(5):
        await asyncio.gather(
            *(store.put_file(key, source, "video/mp4") for source in sources),
            *(store.put_bytes(key, bytes([9]) * 1_000_000, "video/mp4") for _ in range(4)),
        )
        data = store.path_for(key).read_bytes()
        assert data in {bytes([n]) * 2_000_000 for n in range(8)} | {bytes([9]) * 1_000_000}, "one writer's whole file"

    leftovers = [p.name for p in store.path_for(key).parent.iterdir() if p.name != "scene_000.mp4"]
    assert leftovers == []
