"""Small builders the lesson library writes scenes with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mathreel_scenelang.storyboard import Action, Beat, Scene

SceneKind = Literal["title", "statement", "explanation", "example", "proof", "summary", "other"]


@dataclass
class SceneDraft:
    """A scene being written beat by beat; ``build`` validates it (ids created before use, removed before reuse)."""

    id: str
    kind: SceneKind
    title: str | None = None
    beats: list[Beat] = field(default_factory=list)

    def beat(self, narration: str, *actions: Action) -> SceneDraft:
        self.beats.append(Beat(narration=narration, actions=list(actions)))
        return self

    def build(self) -> Scene:
        return Scene(id=self.id, kind=self.kind, title=self.title, beats=self.beats)


@dataclass(frozen=True)
class Lesson:
    """What the library knows about one topic: the middle of a storyboard plus what frames it."""

    title: str
    hook: str
    formula: str | None
    scenes: tuple[Scene, ...]
    key_points: tuple[str, ...]
