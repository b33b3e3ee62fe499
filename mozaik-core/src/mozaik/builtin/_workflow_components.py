"""Built-in workflow components: stimuli, experiments and the local backend."""

from __future__ import annotations

from mozaik.plugin import ComponentSpec


def stimuli() -> list[ComponentSpec]:
    return []


def experiments() -> list[ComponentSpec]:
    return []


def backends() -> list[ComponentSpec]:
    return []
