from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from msoko.core.workspace import Workspace  # noqa: E402


@pytest.fixture
def golden_workspace(tmp_path: Path) -> Workspace:
    import golden

    ws = Workspace(tmp_path / "home").ensure()
    golden.build(ws.warehouse)
    return ws
