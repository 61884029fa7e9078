"""Shared fixtures of the ingest tests: a fresh workspace, a registered workspace, one synthetic region."""

from __future__ import annotations

import pytest

from msoko.core.workspace import Workspace
from tests.ingest.helpers import REGISTRY


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace.resolve(tmp_path / "ws").ensure()


@pytest.fixture
def registered(ws) -> Workspace:
    """A workspace whose registry holds edu1 and edu2."""
    from msoko.ingest import read_registry, write_registry_dataset

    path = ws.root.parent / "organisations.csv"
    path.write_text(REGISTRY, encoding="utf-8")
    rows, issues = read_registry(path)
    assert issues == []
    write_registry_dataset(ws, rows)
    return ws


@pytest.fixture(scope="session")
def region(tmp_path_factory):
    from msoko.synth import generate_region

    return generate_region(
        tmp_path_factory.mktemp("ingest-region"), seed=7, years=(2024,), schools=40, f1_examples=2
    )
