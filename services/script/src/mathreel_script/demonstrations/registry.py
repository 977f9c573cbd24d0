"""The demonstration registry: each demonstration is a parametrised function that writes storyboard scenes.

A demonstration module declares itself with ``@demonstration("name", Params)``; the registry imports every module of
this package once, so adding a demonstration is one function in one module. Parameters are a pydantic model, so a
curriculum entry that names a demonstration with wrong parameters fails validation, not rendering.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from mathreel_scenelang.storyboard import Scene
from mathreel_script.context import ContextFacts

P = TypeVar("P", bound=BaseModel)
Builder = Callable[[P, ContextFacts], list[Scene]]


class Params(BaseModel):
    """Base of every demonstration's parameters: unknown parameters are an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Demonstration(Generic[P]):
    name: str
    params: type[P]
    build: Builder[P]
    doc: str

    def scenes(self, params: dict[str, Any], facts: ContextFacts) -> list[Scene]:
        return self.build(self.params.model_validate(params), facts)


_REGISTRY: dict[str, Demonstration[Any]] = {}


def demonstration(name: str, params: type[P]) -> Callable[[Builder[P]], Builder[P]]:
    """Register ``build`` as the demonstration ``name`` taking ``params``."""

    def register(build: Builder[P]) -> Builder[P]:
        if name in _REGISTRY:
            raise ValueError(f"demonstration {name!r} is registered twice")
        doc = (build.__doc__ or "").strip().split("\n")[0]
        if not doc:
            raise ValueError(f"demonstration {name!r} needs a docstring saying what it shows")
        _REGISTRY[name] = Demonstration(name, params, build, doc)
        return build

    return register


@cache
def demonstrations() -> dict[str, Demonstration[Any]]:
    """Every registered demonstration, by name (importing the package's modules the first time)."""
    package = importlib.import_module("mathreel_script.demonstrations")
    for module in pkgutil.iter_modules(package.__path__):
        if not module.name.startswith("_") and module.name not in {"registry", "checks"}:
            importlib.import_module(f"{package.__name__}.{module.name}")
    return dict(_REGISTRY)


def get_demonstration(name: str) -> Demonstration[Any]:
    found = demonstrations().get(name)
    if found is None:
        raise KeyError(f"no demonstration named {name!r}")
    return found
