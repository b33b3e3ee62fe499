from __future__ import annotations

MOZAIK_HOOK_API = (1, 0)
