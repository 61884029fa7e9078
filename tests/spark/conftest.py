"""Spark tests (marker `spark`): the `spark` fixture is the root conftest's (tests/conftest.py), shared with
the web's recompute-on-Spark test; `golden.py` (the engine's fixture region) is put on the path here."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "engine"))  # golden.py
