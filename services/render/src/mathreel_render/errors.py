"""The one exception type the render library raises."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import av

from mathreel_shared.errors import CANCELLED, StageError


class RenderError(StageError):
    """A render step failed; ``code`` is stable and machine-readable, ``retryable`` tells the worker what to do.

    Codes: ``invalid_input`` (missing or mismatched inputs), ``corrupt_media`` (a clip or WAV that cannot be
    decoded), ``encode_failed`` (the encoder or muxer refused), ``io_error`` (the file system failed, worth a
    retry), ``cancelled`` (the job was cancelled while rendering).
    """


class RenderCancelled(RenderError):
    """The ``cancelled`` callback returned true between two units of work."""

    def __init__(self) -> None:
        super().__init__(CANCELLED, "rendering was cancelled", retryable=False)


@contextmanager
def media_errors(code: str, what: str) -> Iterator[None]:
    """Turn PyAV and file-system failures inside the block into ``RenderError``s that name ``what``.

    ``code`` is used for FFmpeg failures that are neither undecodable data nor missing files: the caller knows
    whether it was reading or writing at the time.
    """
    try:
        yield
    except RenderError:
        raise
    except FileNotFoundError as exc:
        raise RenderError("invalid_input", f"{what}: file not found") from exc
    except av.error.InvalidDataError as exc:
        raise RenderError("corrupt_media", f"{what}: {exc}") from exc
    except av.error.FFmpegError as exc:
        raise RenderError(code, f"{what}: {exc}") from exc
    except OSError as exc:
        # Disk full, permissions, a vanished temp dir: nothing wrong with the job itself.
        raise RenderError("io_error", f"{what}: {exc}", retryable=True) from exc
