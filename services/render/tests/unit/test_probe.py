from __future__ import annotations

from pathlib import Path

import pytest

from mathreel_render.errors import RenderError
from mathreel_render.probe import NO_AUDIO, probe


def test_probe_measures_a_silent_clip(odd_clip: Path) -> None:
    metadata = probe(odd_clip)

    assert (metadata.width, metadata.height, metadata.fps) == (640, 360, 24.0)
    assert metadata.duration == pytest.approx(1.0, abs=0.05)
    assert metadata.file_size == odd_clip.stat().st_size
    assert (metadata.format, metadata.video_codec, metadata.audio_codec) == ("mp4", "h264", NO_AUDIO)


def test_probe_refuses_audio_only_files(narration: list[Path]) -> None:
    with pytest.raises(RenderError) as caught:
        probe(narration[0])

    assert caught.value.code == "invalid_input"
