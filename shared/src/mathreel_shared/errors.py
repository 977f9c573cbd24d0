"""The one error type a stage worker raises for a failure it can name.

The stage wrapper (``runtime.stage_handler``) catches ``StageError`` by type: its ``code`` and ``message`` become the
job's error, and ``retryable`` decides between another attempt and failing the job. Anything else a worker raises is
an ``internal_error`` and counts as transient. Each service subclasses it once (``VisualsError``, ``RenderError``,
``LlmError``) so its own callers can catch just its failures.
"""

from __future__ import annotations

CANCELLED = "cancelled"
"""The code of a stage stopped because its job was cancelled: dropped, never reported as a failure."""


class StageError(Exception):
    """A stage failed. ``code`` is stable and machine-readable (it reaches the API's ``error.code``); ``message`` is
    for people; ``retryable`` says whether the same input could succeed on another attempt."""

    def __init__(self, code: str, message: str, *, retryable: bool = False) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retryable = retryable
