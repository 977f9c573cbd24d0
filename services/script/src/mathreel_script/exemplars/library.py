"""The exemplar library: storyboards worth imitating, found by how close their subject is to a topic.

Shipped exemplars live in ``exemplars/data``; operators add their own ``*.json`` storyboards in a folder
(``MATHREEL_SCRIPT_EXEMPLARS_DIR``). An operator's file with the same name replaces a shipped one. Files that are
not valid storyboards are skipped with a warning rather than stopping the service.
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

    def __init__(self, exemplars: dict[str, Exemplar]) -> None:
        self._exemplars = exemplars
        self._subjects = {name: exemplar.subject for name, exemplar in exemplars.items()}

    @classmethod
    def load(cls, extra_dir: Path | None = None) -> ExemplarLibrary:
        """The shipped exemplars, plus (and overridden by) those in ``extra_dir``."""
        exemplars = _load_folder(shipped_exemplar_dir())
        if extra_dir is not None:
            if not extra_dir.is_dir():
                log.warning("exemplar folder %s does not exist; using the shipped exemplars only", extra_dir)
            else:
                exemplars.update(_load_folder(extra_dir))
        return cls(exemplars)

    def __len__(self) -> int:
        return len(self._exemplars)

    @property
    def names(self) -> list[str]:
        return sorted(self._exemplars)

    def nearest(self, topic: str, k: int = 1) -> list[Exemplar]:
        """The ``k`` exemplars whose subject is closest to ``topic`` (token-set similarity), best first.

        There is always an answer while the library is not empty: an exemplar on another subject still shows a
        good structure.
        """
        query = " ".join(words(topic))
        ranked = process.extract(query, self._subjects, scorer=fuzz.token_set_ratio, limit=k)
        # process.extract on a dict yields (subject, score, key).
        return [self._exemplars[key] for _subject, _score, key in ranked]
