"""Mathreel render: scene clips and narration → one fast-start MP4, a JPEG thumbnail, WebVTT and SRT captions."""

from mathreel_render.assemble import AssembledVideo, assemble_video
from mathreel_render.captions import write_captions
from mathreel_render.errors import RenderError
from mathreel_render.probe import probe
from mathreel_render.thumbnail import make_thumbnail
from mathreel_render.video import join_clips

__all__ = [
    "AssembledVideo",
    "RenderError",
    "assemble_video",
    "join_clips",
    "make_thumbnail",
    "probe",
    "write_captions",
]
