"""Errors of the model path. Each carries ``code``, ``message`` and ``retryable``: the stage wrapper turns them into
``stage.failed`` with that reason, so a model failure fails the job visibly instead of falling back in silence."""

from __future__ import annotations


class LlmError(Exception):
    """Base of every model-path failure."""

    code = "llm_error"

    def __init__(self, message: str, *, retryable: bool = False, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        if code is not None:
            self.code = code


class ProviderError(LlmError):
    """The provider answered with an error, or not at all. ``retry_after`` is its Retry-After, in seconds."""

    code = "llm_provider_error"

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

    code = "llm_structured_output_unsupported"


class BudgetExceeded(LlmError):
    """The job has spent its calls or tokens."""

    code = "llm_budget_exceeded"


class StoryboardRejected(LlmError):
    """The model's storyboards kept failing validation after every repair the budget allows."""

    code = "llm_invalid_storyboard"
