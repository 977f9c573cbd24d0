"""The generation loop: plan → storyboard → validation → repair, within the job's budget.

The plan is the offline planner's outline for the topic (scene kinds, titles and the visuals it would use): domain
knowledge the model may follow or improve on. The model writes the storyboard; ``check_answer`` validates it (schema,
LaTeX allowlist, plot expressions, narration length); then the preflight, when given, typesets every formula and lays
out every beat with the renderer's own scene builder and layout checker (``mathreel_scenelang.render.preflight``).
Their problems, with field paths, go back to the model up to ``max_repairs`` times. The result is the model's
storyboard or an error that fails the job: never the planner's storyboard presented as the model's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from mathreel_scenelang.storyboard import Storyboard
from mathreel_script.knowledge.passage import Passage, sources_of
from mathreel_script.llm.config import LlmSettings
from mathreel_script.llm.errors import StoryboardRejected
from mathreel_script.llm.prompts import (
    SCHEMA_NAME,
    example_messages,
    instruction_text,
    outline_of,
    repair_messages,
    request_message,
    system_prompt,
)
from mathreel_script.llm.provider import ChatMessage, ChatProvider
from mathreel_script.llm.usage import JobBudget, Usage
from mathreel_script.llm.validation import Problem, check_answer, narration_limits, shingles
from mathreel_script.planner import TopicNotSupported, plan_storyboard
from mathreel_shared.isolation import IsolatedRunner
from mathreel_shared.messages import JobConfiguration

log = logging.getLogger(__name__)

# Renders a storyboard's formulas and layout without frames; the problems a render would fail on (path, message).
Preflight = Callable[[Storyboard], Awaitable[Sequence[Problem]]]


@dataclass(frozen=True)
class GeneratedStoryboard:
    storyboard: Storyboard
    usage: Usage
    # Answers the model gave: 1 when the first was valid.
    answers: int


class StoryboardWriter:
    """Writes storyboards with a chat model."""

    def __init__(
        self,
        provider: ChatProvider,
        settings: LlmSettings,
        *,
        preflight: Preflight | None = None,
        compute: IsolatedRunner | None = None,
    ) -> None:
        self._provider = provider
        self._settings = settings
        self._preflight = preflight
        self._compute = compute

    @property
    def author(self) -> str:
        return self._provider.author

    async def write(
        self,
        configuration: JobConfiguration,
        *,
        passages: Sequence[Passage] = (),
        exemplars: Sequence[Storyboard] = (),
    ) -> GeneratedStoryboard:
        """A validated storyboard for ``configuration``, grounded in ``passages``, guided by ``exemplars``.

        Raises ``ProviderError`` (the model failed), ``BudgetExceeded`` or ``StoryboardRejected`` (still invalid
        after every repair).
        """
        limits = narration_limits(configuration.quality)
        budget = JobBudget(max_calls=self._settings.max_calls_per_job, max_tokens=self._settings.max_tokens_per_job)
        # The planner parses the user's text with pysbd and SymPy: CPU work that must not hold the event loop, and
        # with a runner, work within its time and memory limits.
        exemplar = exemplars[0] if exemplars else None
        try:
            if self._compute is not None:
                planned = await self._compute.run(plan_storyboard, configuration, exemplar=exemplar)
            else:
                planned = await asyncio.to_thread(plan_storyboard, configuration, exemplar=exemplar)
        except TopicNotSupported:
            plan = None  # the offline planner has no lesson to outline: the model writes it from scratch
        else:
            plan = outline_of(planned)
        messages: list[ChatMessage] = [
            {"role": "system", "content": system_prompt(limits)},
            *example_messages(exemplars),
            {"role": "user", "content": request_message(configuration, passages, plan)},
        ]
        secret = shingles(instruction_text(limits))
        schema = Storyboard.model_json_schema()
        problems: tuple[str, ...] = ()
        for answer_number in range(1, self._settings.max_repairs + 2):
            completion = await self._provider.complete_json(
                messages, schema_name=SCHEMA_NAME, schema=schema, budget=budget
            )
            result = await asyncio.to_thread(check_answer, completion.content, limits=limits, secret_shingles=secret)
            found = list(result.problems)
            if result.ok and result.storyboard is not None:
                if self._preflight is not None:
                    found = list(await self._preflight(result.storyboard))
                if not found:
                    storyboard = result.storyboard.model_copy(
                        update={"author": self.author[:120], "sources": sources_of(tuple(passages))}
                    )
                    return GeneratedStoryboard(storyboard, budget.usage, answers=answer_number)
            if completion.finish_reason == "length":
                found.insert(0, Problem("$", "the answer was cut off at the output limit; write a shorter storyboard"))
            problems = tuple(str(problem) for problem in found)
            log.info("storyboard answer %d rejected: %s", answer_number, "; ".join(problems[:5]))
            messages.extend(repair_messages(completion.content, found))
        raise StoryboardRejected(
            f"the model's storyboard was still invalid after {self._settings.max_repairs} repairs: "
            + "; ".join(problems[:5])
        )
