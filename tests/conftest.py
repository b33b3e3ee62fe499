"""The cross-distribution tests' own helper modules (``kill_resume``: the kill-and-resume
machinery shared by its two matrix files) are importable from every test of this folder
(pytest runs with ``--import-mode=importlib``, which puts no test folder on ``sys.path``)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
