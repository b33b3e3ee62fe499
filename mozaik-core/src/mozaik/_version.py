from __future__ import annotations

import importlib.metadata as _md

try:
    __version__ = _md.version("mozaik-core")
except _md.PackageNotFoundError:  # pragma: no cover - source tree without installation
    __version__ = "0+unknown"
