"""Parametrised visual demonstrations: code that writes the scenes a curriculum entry names (see ``registry``)."""

from mathreel_script.demonstrations.registry import (
    Demonstration,
    Params,
    demonstration,
    demonstrations,
    get_demonstration,
)

__all__ = ["Demonstration", "Params", "demonstration", "demonstrations", "get_demonstration"]
