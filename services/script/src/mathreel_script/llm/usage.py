"""What one job spends on the model, and the limits it may not pass."""

from __future__ import annotations

from dataclasses import dataclass

from mathreel_script.llm.errors import BudgetExceeded


@dataclass
class Usage:
    """Tokens and calls, summed over every request of one job (retries included: the provider bills them)."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def as_dict(self) -> dict[str, int]:
        """The form ``ScriptCompleted.usage`` carries."""
        return {
            "calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }


class JobBudget:
    """Calls and tokens one job may spend. ``before_call`` refuses a call that would pass either limit."""

    def __init__(self, *, max_calls: int, max_tokens: int) -> None:
        self.max_calls = max_calls
        self.max_tokens = max_tokens
        self.usage = Usage()

    def before_call(self) -> None:
        """Raise ``BudgetExceeded`` when no call, or no token, is left."""
        if self.usage.calls >= self.max_calls:
            raise BudgetExceeded(f"the job used all {self.max_calls} model calls it may make")
        if self.usage.total_tokens >= self.max_tokens:
            raise BudgetExceeded(
                f"the job used {self.usage.total_tokens} tokens, its budget is {self.max_tokens}",
            )
        self.usage.calls += 1

    def record(self, prompt_tokens: int, completion_tokens: int) -> None:
        self.usage.prompt_tokens += max(prompt_tokens, 0)
        self.usage.completion_tokens += max(completion_tokens, 0)

    @property
    def tokens_left(self) -> int:
        return max(self.max_tokens - self.usage.total_tokens, 0)
