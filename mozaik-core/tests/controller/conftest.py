"""test_faults.py and test_run_lifecycle.py import a helper of test_controller.py: this folder
goes on ``sys.path`` (as the workflow folder did before the tests mirrored the source)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
