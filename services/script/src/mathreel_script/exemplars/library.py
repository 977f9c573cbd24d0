"""The exemplar library: storyboards worth imitating, found by how close their subject is to a topic.

Shipped exemplars live in ``exemplars/data``; every curriculum entry's lesson is one too (built when first
chosen); operators add their own ``*.json`` storyboards in a folder (``MATHREEL_SCRIPT_EXEMPLARS_DIR``). An
operator's file with the same name replaces a shipped one. Files that are not valid storyboards are skipped with a
warning rather than stopping the service.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import ValidationError
from rapidfuzz import fuzz, process

from mathreel_scenelang.storyboard import Storyboard
from mathreel_script.topics import words

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Exemplar:
    name: str
    storyboard: Storyboard

    @property
    def subject(self) -> str:
        """What the exemplar is about, as search words: its file name, title and scene titles."""
        titles = " ".join(scene.title or "" for scene in self.storyboard.scenes)
        return " ".join(words(f"{self.name.replace('-', ' ')} {self.storyboard.title} {titles}"))


def _curriculum_lesson(key: str) -> Storyboard:
    from mathreel_script.context import ContextFacts
    from mathreel_script.curriculum import load_curriculum
    from mathreel_script.curriculum.lesson import lesson_storyboard

    return lesson_storyboard(load_curriculum()[key], ContextFacts())


def _curriculum_subjects() -> dict[str, str]:
    """Each curriculum entry as a future exemplar: its name and what it is about (title, aliases, keywords)."""
    from mathreel_script.curriculum import load_curriculum

    return {
        entry.key.replace("_", "-"): " ".join(
            words(" ".join([entry.key.replace("_", " "), entry.title, *entry.aliases]))
        )
        for entry in load_curriculum()
    }


def shipped_exemplar_dir() -> Path:
    return Path(str(resources.files("mathreel_script.exemplars") / "data"))


def _load_folder(folder: Path) -> dict[str, Exemplar]:
    found: dict[str, Exemplar] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            storyboard = Storyboard.model_validate_json(path.read_bytes())
        except (OSError, ValidationError) as exc:
            log.warning("skipping exemplar %s: %s", path.name, str(exc).splitlines()[0])
            continue
        found[path.stem] = Exemplar(path.stem, storyboard)
    return found


class ExemplarLibrary:
    """Exemplars by name; ``nearest`` ranks them against a topic."""

    def __init__(self, exemplars: dict[str, Exemplar], lessons: dict[str, str] | None = None) -> None:
        """``exemplars`` by name; ``lessons``, curriculum lessons by name and subject, built when first chosen."""
        self._exemplars = exemplars
        self._subjects = {name: subject for name, subject in (lessons or {}).items() if name not in exemplars}
        self._subjects.update({name: exemplar.subject for name, exemplar in exemplars.items()})

    @classmethod
    def load(cls, extra_dir: Path | None = None) -> ExemplarLibrary:
        """The shipped exemplars and the curriculum's lessons, plus (and overridden by) those in ``extra_dir``."""
        exemplars = _load_folder(shipped_exemplar_dir())
        if extra_dir is not None:
            if not extra_dir.is_dir():
                log.warning("exemplar folder %s does not exist; using the shipped exemplars only", extra_dir)
            else:
                exemplars.update(_load_folder(extra_dir))
        return cls(exemplars, _curriculum_subjects())

    def __len__(self) -> int:
        return len(self._subjects)

    @property
    def names(self) -> list[str]:
        return sorted(self._subjects)

    def _exemplar(self, name: str) -> Exemplar:
        if name not in self._exemplars:
            self._exemplars[name] = Exemplar(name, _curriculum_lesson(name.replace("-", "_")))
        return self._exemplars[name]

    def nearest(self, topic: str, k: int = 1) -> list[Exemplar]:
        """The ``k`` exemplars closest to ``topic``, best first: the curriculum lesson of the topic itself when it is
        recognised, then by token-set similarity of their subjects.

        There is always an answer while the library is not empty: an exemplar on another subject still shows a
        good structure.
        """
        from mathreel_script.curriculum.recognise import default_recogniser

        # An exemplar named exactly so comes first, then the lesson of the topic the curriculum recognises.
        recognised = default_recogniser().recognise(topic).entry
        named = "-".join(words(topic))
        names = [named] if named in self._subjects else []
        lesson = recognised.key.replace("_", "-") if recognised else None
        if lesson in self._subjects and lesson not in names:
            names.append(lesson)
        query = " ".join(words(topic))
        ranked = process.extract(query, self._subjects, scorer=fuzz.token_set_ratio, limit=k + len(names))
        # process.extract on a dict yields (subject, score, key).
        names += [key for _subject, _score, key in ranked if key not in names]
        return [self._exemplar(name) for name in names[:k]]
