from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageStat

from mathreel_render import AssembledVideo, RenderError, assemble_video, probe
from mathreel_shared.domain import Quality
from mathreel_shared.timing import BeatTiming, SceneTiming

WavFactory = Callable[..., Path]


def _timings(*durations: float) -> list[SceneTiming]:
    return [
        SceneTiming(
            scene_index=index,
            duration=duration,
            beats=[BeatTiming(start=0.1, duration=duration - 0.2, text=f"Sentence of scene {index}.")],
        )
        for index, duration in enumerate(durations)
    ]


def _top_level_boxes(path: Path) -> list[str]:
    data = path.read_bytes()
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:  # a 64-bit size follows the type
            (size,) = struct.unpack(">Q", data[offset + 8 : offset + 16])
        boxes.append(kind.decode("ascii"))
        if size == 0:  # the box runs to the end of the file
            break
        offset += size
    return boxes


def _stream_seconds(path: Path) -> dict[str, float]:
    with av.open(str(path)) as container:
        return {
            stream.type: float(stream.duration * stream.time_base)
            for stream in container.streams
            if stream.duration is not None and stream.time_base is not None
        }


def _decoded_audio(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = np.concatenate([frame.to_ndarray()[0] for frame in container.decode(stream)])
        return samples, stream.rate


@pytest.fixture(scope="module")
def copied(
    matching_clips: list[Path], narration: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> AssembledVideo:
    out_dir = tmp_path_factory.mktemp("copied")
    return assemble_video(matching_clips, narration, _timings(1.0, 1.4), Quality.LOW, out_dir, title="Fractions")


def test_assembled_mp4_has_one_h264_and_one_aac_stream(copied: AssembledVideo) -> None:
    with av.open(str(copied.video_path)) as container:
        assert [(s.type, s.codec_context.name) for s in container.streams] == [("video", "h264"), ("audio", "aac")]
        assert container.metadata.get("title") == "Fractions"
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == 15 + 21
    assert copied.stream_copied


def test_assembled_durations_line_up(copied: AssembledVideo) -> None:
    seconds = _stream_seconds(copied.video_path)

    assert seconds["video"] == pytest.approx(2.4, abs=0.1)
    assert seconds["audio"] == pytest.approx(seconds["video"], abs=0.05)


def test_moov_comes_before_mdat(copied: AssembledVideo) -> None:
    boxes = _top_level_boxes(copied.video_path)

    assert boxes[0] == "ftyp"
    assert boxes.index("moov") < boxes.index("mdat")


def test_metadata_reports_the_file(copied: AssembledVideo) -> None:
    metadata = copied.metadata

    assert metadata == probe(copied.video_path)
    assert (metadata.width, metadata.height, metadata.fps) == (854, 480, 15.0)
    assert (metadata.format, metadata.video_codec, metadata.audio_codec) == ("mp4", "h264", "aac")
    assert metadata.file_size == copied.video_path.stat().st_size
    assert metadata.duration == pytest.approx(2.4, abs=0.1)


def test_thumbnail_is_a_jpeg_with_content(copied: AssembledVideo) -> None:
    with Image.open(copied.thumbnail_path) as image:
        assert image.format == "JPEG"
        assert image.size == (854, 480)
        luma = image.convert("L")
        assert ImageStat.Stat(luma).extrema[0][1] > 60  # some bright pixels: not a black frame


def test_captions_are_offset_by_scene_start(copied: AssembledVideo) -> None:
    vtt = copied.vtt_path.read_text(encoding="utf-8")
    srt = copied.srt_path.read_text(encoding="utf-8")

    assert vtt.startswith("WEBVTT\n\n00:00:00.100 --> 00:00:00.900\nSentence of scene 0.\n")
    assert "00:00:01.100 --> 00:00:02.300\nSentence of scene 1." in vtt
    assert srt.startswith("1\n00:00:00,100 --> 00:00:00,900\nSentence of scene 0.\n\n2\n00:00:01,100 --> ")


def test_each_scene_narration_starts_with_its_clip(
    matching_clips: list[Path], make_wav: WavFactory, tmp_path: Path
) -> None:
    # Scene 0 is silent and 0.4 s short of its clip; the tone of scene 1 must still start at 1.0 s.
    audio = [make_wav("quiet.wav", seconds=0.6, level=0.0), make_wav("tone.wav", seconds=1.6)]

    result = assemble_video(matching_clips, audio, _timings(1.0, 1.4), Quality.LOW, tmp_path / "out", title="t")

    samples, rate = _decoded_audio(result.video_path)
    first_loud = int(np.argmax(np.abs(samples) > 0.1)) / rate
    assert first_loud == pytest.approx(1.0, abs=0.01)  # AAC priming is hidden by the edit list
    # The tone was 0.2 s longer than its clip: trimmed, so audio still ends with the video.
    seconds = _stream_seconds(result.video_path)
    assert seconds["audio"] == pytest.approx(seconds["video"], abs=0.05)


def test_mismatched_clips_are_reencoded_at_the_quality_preset(
    matching_clips: list[Path], odd_clip: Path, make_wav: WavFactory, tmp_path: Path
) -> None:
    audio = [make_wav("a.wav", seconds=1.0), make_wav("b.wav", seconds=1.0, rate=44_100)]

    result = assemble_video(
        [matching_clips[0], odd_clip], audio, _timings(1.0, 1.0), Quality.LOW, tmp_path / "out", title="t"
    )

    assert not result.stream_copied
    assert (result.metadata.width, result.metadata.height, result.metadata.fps) == (854, 480, 15.0)
    assert result.metadata.duration == pytest.approx(2.0, abs=0.1)
    assert _top_level_boxes(result.video_path).index("moov") < _top_level_boxes(result.video_path).index("mdat")


def test_scene_counts_must_agree(matching_clips: list[Path], narration: list[Path], tmp_path: Path) -> None:
    with pytest.raises(RenderError) as caught:
        assemble_video(matching_clips, narration[:1], _timings(1.0, 1.4), Quality.LOW, tmp_path, title="t")

    assert caught.value.code == "invalid_input"


def test_cancel_mid_render_leaves_no_video(matching_clips: list[Path], narration: list[Path], tmp_path: Path) -> None:
    polls = 0

    def cancelled() -> bool:
        nonlocal polls
        polls += 1
        return polls > 4  # let the clips be inspected and the first scene start, then stop

    with pytest.raises(RenderError) as caught:
        assemble_video(
            matching_clips, narration, _timings(1.0, 1.4), Quality.LOW, tmp_path, title="t", cancelled=cancelled
        )

    assert caught.value.code == "cancelled"
    assert list(tmp_path.iterdir()) == []


def test_video_and_narration_are_interleaved(copied: AssembledVideo) -> None:
    with av.open(str(copied.video_path)) as container:
        positions: dict[str, list[int]] = {"video": [], "audio": []}
        for packet in container.demux():
            if packet.size and packet.pos is not None:
                positions[packet.stream.type].append(packet.pos)

    # A browser streaming the file needs both tracks early, not all video first and the narration at the end.
    assert min(positions["audio"]) < max(positions["video"]) / 2
