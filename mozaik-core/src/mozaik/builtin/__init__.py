"""Core's built-in components, registered through the same hooks as any plugin."""

from __future__ import annotations

__all__: list[str] = []
