"""The script stage's own failures, each with the code the job reports."""

from __future__ import annotations

from collections.abc import Sequence

from mathreel_shared.errors import StageError


class TopicNotSupported(StageError):
    """No model is configured, the curriculum has no lesson for the topic, and its context holds too little
    mathematics to teach from. The job fails with this rather than become a video without content."""

    def __init__(self, topic: str, closest: Sequence[str] = ()) -> None:
        self.topic = topic
        self.closest = tuple(closest)
        suggestions = f" The closest topics we teach are: {'; '.join(closest)}." if closest else ""
        message = (
            f"There is no lesson for '{topic}' in the offline curriculum, and its context has no formula or equation "
            f"to graph, solve or work out.{suggestions} Rephrase the topic, add the key formulas to the context, or "
            "configure a language model (MATHREEL_LLM_BASE_URL, see docs/llm.md) to write lessons on any topic."
        )
        super().__init__("topic_not_supported", message, retryable=False)

    def __reduce__(self) -> tuple[type[TopicNotSupported], tuple[str, tuple[str, ...]]]:
        # Raised in the compute child that plans: it must come back through the pipe as it left.
        return (type(self), (self.topic, self.closest))
