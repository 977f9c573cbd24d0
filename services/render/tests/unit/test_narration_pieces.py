"""Each scene's narration encoded on its own and joined by copying packets: what a revision's join is made of.

The pieces must give what the one-pass encode gives: each scene's narration where its clip starts (one AAC frame
after it, give or take half a frame, never accumulating), a clean seam, an audio track that ends with the video, a
fast-start MP4."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from mathreel_render import RenderError
from mathreel_render.assemble import assemble_from_pieces, copy_plan
from mathreel_render.audio import AAC_FRAME_SAMPLES, AUDIO_SAMPLE_RATE, encode_narration_piece, piece_frames
from mathreel_shared.timing import BeatTiming, SceneTiming

WavFactory = Callable[..., Path]
# Each scene's piece starts on the AAC frame boundary nearest its clip's start; its narration a frame later.
FRAME_SECONDS = AAC_FRAME_SAMPLES / AUDIO_SAMPLE_RATE
HALF_FRAME_SECONDS = FRAME_SECONDS / 2


def _timings(*durations: float) -> list[SceneTiming]:
    return [
        SceneTiming(
            scene_index=index,
            duration=duration,
            beats=[BeatTiming(start=0.1, duration=duration - 0.2, text=f"Sentence of scene {index}.")],
        )
        for index, duration in enumerate(durations)
    ]


def _pieces(wavs: list[Path], plan: list[int], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, (wav, samples) in enumerate(zip(wavs, plan, strict=True)):
        path = out / f"narration_{index}.m4a"
        encode_narration_piece(wav, samples, path)
        paths.append(path)
    return paths


def _audio(path: Path) -> npt.NDArray[np.float32]:
    with av.open(str(path)) as container:
        return np.concatenate([frame.to_ndarray()[0] for frame in container.decode(container.streams.audio[0])])


def _seconds(path: Path) -> dict[str, float]:
    with av.open(str(path)) as container:
        return {
            stream.type: float(stream.duration * stream.time_base)
            for stream in container.streams
            if stream.duration is not None and stream.time_base is not None
        }


def test_the_plan_is_each_clip_s_length_in_samples(matching_clips: list[Path]) -> None:
    # 15 and 21 frames at 15 fps.
    assert copy_plan(matching_clips) == [48_000, 67_200]


def test_no_plan_for_clips_that_must_be_re_encoded(matching_clips: list[Path], odd_clip: Path) -> None:
    assert copy_plan([matching_clips[0], odd_clip]) is None


@pytest.mark.parametrize("clip_samples", [1, 1023, 1024, 1025, 48_000, 67_200, 414_369, 603_122])
def test_a_piece_covers_its_scene_wherever_the_scene_starts(clip_samples: int) -> None:
    # The scene starts anywhere within half a frame of a frame boundary; its end is placed on the boundary nearest
    # the video's end. The piece must hold every frame between the two.
    for start_error in range(-AAC_FRAME_SAMPLES // 2, AAC_FRAME_SAMPLES // 2 + 1, 7):
        start = 10 * AAC_FRAME_SAMPLES
        video_end = start - start_error + clip_samples
        end = round(video_end / AAC_FRAME_SAMPLES) * AAC_FRAME_SAMPLES
        assert (end - start) // AAC_FRAME_SAMPLES <= piece_frames(clip_samples)
    assert piece_frames(clip_samples) * AAC_FRAME_SAMPLES > clip_samples


def test_joined_pieces_make_the_same_kind_of_video(
    matching_clips: list[Path], narration: list[Path], tmp_path: Path
) -> None:
    plan = copy_plan(matching_clips)
    assert plan is not None
    pieces = _pieces(narration, plan, tmp_path / "pieces")

    result = assemble_from_pieces(matching_clips, pieces, _timings(1.0, 1.4), tmp_path / "out", title="Fractions")

    assert result.stream_copied
    with av.open(str(result.video_path)) as container:
        assert [(s.type, s.codec_context.name) for s in container.streams] == [("video", "h264"), ("audio", "aac")]
        assert container.metadata.get("title") == "Fractions"
    data = result.video_path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # fast start
    seconds = _seconds(result.video_path)
    assert seconds["video"] == pytest.approx(2.4, abs=0.01)
    assert seconds["audio"] == pytest.approx(seconds["video"], abs=HALF_FRAME_SECONDS + 0.001)
    assert result.metadata.duration == pytest.approx(2.4, abs=0.01)
    vtt = result.vtt_path.read_text(encoding="utf-8")
    assert "00:00:01.100 --> 00:00:02.300\nSentence of scene 1." in vtt
    assert result.thumbnail_path.stat().st_size > 0


def test_each_scene_s_narration_starts_with_its_clip(
    matching_clips: list[Path], make_wav: WavFactory, tmp_path: Path
) -> None:
    # Scene 0 is silent and short of its clip; the tone of scene 1 must start a frame after 1.0 s, within half one.
    wavs = [make_wav("quiet.wav", seconds=0.6, level=0.0), make_wav("tone.wav", seconds=1.6)]
    plan = copy_plan(matching_clips)
    assert plan is not None

    result = assemble_from_pieces(
        matching_clips, _pieces(wavs, plan, tmp_path / "pieces"), _timings(1.0, 1.4), tmp_path / "out", title="t"
    )

    samples = _audio(result.video_path)
    first_loud = int(np.argmax(np.abs(samples) > 0.1)) / AUDIO_SAMPLE_RATE
    assert first_loud == pytest.approx(1.0 + FRAME_SECONDS, abs=HALF_FRAME_SECONDS + 0.001)
    assert abs(samples[: int(0.95 * AUDIO_SAMPLE_RATE)]).max() < 0.01  # the silent scene stays silent


def test_a_tone_across_the_seam_decodes_cleanly(
    matching_clips: list[Path], make_wav: WavFactory, tmp_path: Path
) -> None:
    # Both scenes speak right up to the seam, with no pause: where a frame decoded from two encodes would be heard
    # (as a dropout and an overshoot) if it held sound.
    wavs = [make_wav("a.wav", seconds=1.2, frequency=330.0), make_wav("b.wav", seconds=1.6, frequency=550.0)]
    plan = copy_plan(matching_clips)
    assert plan is not None
    pieces = _pieces(wavs, plan, tmp_path / "pieces")
    result = assemble_from_pieces(matching_clips, pieces, _timings(1.0, 1.4), tmp_path / "out", title="t")
    decoded = _audio(result.video_path)

    # What the track should hold: each tone from a frame into its piece, the first ending a frame before its clip.
    frame = AAC_FRAME_SAMPLES
    seam = round(plan[0] / frame) * frame
    expected = np.zeros(len(decoded))
    first = np.arange(frame, plan[0] - frame)
    expected[first] = 0.3 * np.sin(2 * math.pi * 330.0 * (first - frame) / AUDIO_SAMPLE_RATE)
    second = np.arange(seam + frame, len(decoded))
    expected[second] = 0.3 * np.sin(2 * math.pi * 550.0 * (second - seam - frame) / AUDIO_SAMPLE_RATE)
    window = slice(seam - 4 * frame, seam + 4 * frame)
    error = decoded[window] - expected[window]
    snr = 10 * np.log10(np.sum(expected[window] ** 2) / np.sum(error**2))
    assert snr > 20
    assert np.abs(decoded[window]).max() < 0.33  # no overshoot


def test_a_piece_shorter_than_its_clip_is_refused(
    matching_clips: list[Path], narration: list[Path], tmp_path: Path
) -> None:
    pieces = _pieces(narration, [48_000, 20_000], tmp_path / "pieces")  # the second is for a shorter clip

    with pytest.raises(RenderError) as caught:
        assemble_from_pieces(matching_clips, pieces, _timings(1.0, 1.4), tmp_path / "out", title="t")

    assert caught.value.code == "corrupt_media"
    assert not (tmp_path / "out" / "output.mp4").exists()
