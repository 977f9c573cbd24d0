"""Errors of the model path. Each is a ``StageError``: the stage wrapper turns it into ``stage.failed`` with its code
and reason, so a model failure fails the job visibly instead of falling back in silence."""

from __future__ import annotations

from typing import ClassVar

from mathreel_shared.errors import StageError


class LlmError(StageError):
    """Base of every model-path failure. Each subclass names its default code; ``code=`` overrides it."""

    default_code: ClassVar[str] = "llm_error"

    def __init__(self, message: str, *, retryable: bool = False, code: str | None = None) -> None:
        super().__init__(code or self.default_code, message, retryable=retryable)


class ProviderError(LlmError):
    """The provider answered with an error, or not at all. ``retry_after`` is its Retry-After, in seconds."""

    default_code = "llm_provider_error"

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable, code=code)
        self.status = status
        self.retry_after = retry_after


class StructuredOutputUnsupported(ProviderError):
    """The server refused ``response_format: json_schema``; JSON mode may still work."""

    default_code = "llm_structured_output_unsupported"


class BudgetExceeded(LlmError):
    """The job has spent its calls or tokens."""

    default_code = "llm_budget_exceeded"


class StoryboardRejected(LlmError):
    """The model's storyboards kept failing validation after every repair the budget allows."""

    default_code = "llm_invalid_storyboard"
