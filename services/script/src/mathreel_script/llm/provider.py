"""The one interface the generation loop talks to; each model API is an implementation of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from mathreel_script.llm.usage import JobBudget

ChatMessage = Mapping[str, str]


@dataclass(frozen=True)
class Completion:
    """The text of one answer and what it cost."""

    content: str
    prompt_tokens: int
    completion_tokens: int
    # "stop", or "length" when the answer was cut off at the output limit.
    finish_reason: str | None = None


class ChatProvider(Protocol):
    """A chat model that answers with one JSON object."""

    @property
    def author(self) -> str:
        """``<provider>:<model>``, recorded as the storyboard's author."""
        ...

    async def complete_json(
        self, messages: Sequence[ChatMessage], *, schema_name: str, schema: Mapping[str, Any], budget: JobBudget
    ) -> Completion:
        """One answer to ``messages``, constrained to ``schema`` where the server can; charged to ``budget``."""
        ...

    async def aclose(self) -> None: ...


class EmbeddingProvider(Protocol):
    """A model that turns texts into vectors (the optional second retrieval signal)."""

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order."""
        ...
