"""Loading the curriculum's data files, with the checks that span entries (unique keys, known prerequisites)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from pydantic import ValidationError

from mathreel_script.curriculum.model import Area, TopicEntry
from mathreel_script.demonstrations import demonstrations


class CurriculumError(ValueError):
    """A data file does not describe a valid curriculum; the message names the file and entry."""


@dataclass(frozen=True)
class Curriculum:
    entries: Mapping[str, TopicEntry]

    def __iter__(self) -> Iterator[TopicEntry]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, key: str) -> TopicEntry:
        return self.entries[key]

    def in_area(self, area: Area) -> list[TopicEntry]:
        return [entry for entry in self if entry.area == area]


def parse_entries(text: str, source: str) -> list[TopicEntry]:
    """The entries of one YAML data file (a list of mappings)."""
    raw = yaml.safe_load(text)
    if not isinstance(raw, list):
        raise CurriculumError(f"{source}: expected a list of topic entries")
    entries: list[TopicEntry] = []
    for index, item in enumerate(raw):
        try:
            entries.append(TopicEntry.model_validate(item))
        except ValidationError as exc:
            key = item.get("key", "?") if isinstance(item, dict) else "?"
            raise CurriculumError(f"{source}[{index}] ({key}): {exc}") from exc
    return entries


def build_curriculum(entries: list[TopicEntry]) -> Curriculum:
    """Check what spans entries: unique keys, prerequisites that exist, demonstrations that exist with valid params."""
    by_key: dict[str, TopicEntry] = {}
    for entry in entries:
        if entry.key in by_key:
            raise CurriculumError(f"topic key {entry.key!r} is defined twice")
        by_key[entry.key] = entry
    known = demonstrations()
    for entry in entries:
        for prerequisite in entry.prerequisites:
            if prerequisite not in by_key:
                raise CurriculumError(f"{entry.key}: unknown prerequisite {prerequisite!r}")
        for call in (entry.demonstration, entry.example):
            if call is None:
                continue
            demo = known.get(call.name)
            if demo is None:
                raise CurriculumError(f"{entry.key}: unknown demonstration {call.name!r}")
            try:
                demo.params.model_validate(call.params)
            except ValidationError as exc:
                raise CurriculumError(f"{entry.key}: parameters of {call.name!r}: {exc}") from exc
    return Curriculum(by_key)


@cache
def load_curriculum() -> Curriculum:
    """Every entry of every ``data/*.yaml`` file of this package, checked."""
    entries: list[TopicEntry] = []
    for item in sorted(resources.files("mathreel_script.curriculum").joinpath("data").iterdir(), key=str):
        if item.name.endswith(".yaml"):
            entries.extend(parse_entries(item.read_text(encoding="utf-8"), f"data/{item.name}"))
    return build_curriculum(entries)
