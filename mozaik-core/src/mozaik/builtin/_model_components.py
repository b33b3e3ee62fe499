"""Built-in model components: sheets, connectors and connector functions."""

from __future__ import annotations

from mozaik.plugin import ComponentSpec


def sheets() -> list[ComponentSpec]:
    return []


def connectors() -> list[ComponentSpec]:
    return []


def connector_functions() -> list[ComponentSpec]:
    return []
