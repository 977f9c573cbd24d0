from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import pytest

from mathreel_render.errors import RenderError
from mathreel_render.video import PacketCopier, StreamCopyImpossible, can_stream_copy, inspect_clip, join_clips
from mathreel_shared.domain import Quality


def _packets(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for packet in container.demux(video=0) if packet.size)


def _video(path: Path) -> tuple[int, int, float, int, float]:
    """(width, height, fps, decoded frames, duration in seconds)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        assert container.duration is not None
        return stream.width, stream.height, float(stream.average_rate or 0), frames, container.duration / 1e6


def test_matching_clips_are_copyable(matching_clips: list[Path], odd_clip: Path) -> None:
    infos = [inspect_clip(clip) for clip in matching_clips]

    assert can_stream_copy(infos)
    assert not can_stream_copy([*infos, inspect_clip(odd_clip)])


def test_join_copies_packets_when_parameters_match(matching_clips: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "joined.mp4"

    copied = join_clips(matching_clips, out)

    assert copied
    assert _packets(out) == sum(_packets(clip) for clip in matching_clips)
    width, height, fps, frames, duration = _video(out)
    assert (width, height, fps) == (854, 480, 15.0)
    assert frames == 15 + 21
    assert duration == pytest.approx(2.4, abs=0.1)


def test_join_reencodes_when_parameters_differ(matching_clips: list[Path], odd_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "joined.mp4"

    copied = join_clips([matching_clips[0], odd_clip], out, quality=Quality.LOW)

    assert not copied
    width, height, fps, frames, duration = _video(out)
    assert (width, height, fps) == (854, 480, 15.0)
    # 1 s at 15 fps, then 1 s of 24 fps footage resampled onto the 15 fps grid.
    assert frames == 30
    assert duration == pytest.approx(2.0, abs=0.1)


def test_join_rejects_a_file_that_is_not_video(tmp_path: Path) -> None:
    bogus = tmp_path / "scene.mp4"
    bogus.write_bytes(b"not a video at all" * 100)

    with pytest.raises(RenderError) as caught:
        join_clips([bogus], tmp_path / "out.mp4")

    assert caught.value.code == "corrupt_media"
    assert not caught.value.retryable


def test_join_cancels_between_scenes(matching_clips: list[Path], tmp_path: Path) -> None:
    with pytest.raises(RenderError) as caught:
        join_clips(matching_clips, tmp_path / "out.mp4", cancelled=lambda: True)

    assert caught.value.code == "cancelled"


def test_join_falls_back_to_reencoding_when_timestamps_clash(
    matching_clips: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def clash(*_: object) -> Fraction:
        raise StreamCopyImpossible("decode timestamps overlap")

    monkeypatch.setattr(PacketCopier, "add_clip", clash)
    out = tmp_path / "joined.mp4"

    copied = join_clips(matching_clips, out)

    assert not copied
    assert _video(out)[3] == 15 + 21
