"""Collection test fixtures: a workspace whose registry holds two schools and a kindergarten in m1, a school in m2."""

from __future__ import annotations

import pytest

from msoko.core.workspace import Workspace

REGISTRY = (
    "org_id,name,kind,municipality_id,municipality_name,region_id,region_name\n"
    "edu1,Школа 1,school,m1,Город,r1,Область\n"
    "edu2,Школа 2,school,m1,Город,r1,Область\n"
    "dou1,Детский сад 1,kindergarten,m1,Город,r1,Область\n"
    "edu3,Школа 3,school,m2,Село,r1,Область\n"
)


@pytest.fixture
def registered(tmp_path) -> Workspace:
    from msoko.ingest import read_registry, write_registry_dataset

    ws = Workspace.resolve(tmp_path / "ws").ensure()
    path = tmp_path / "organisations.csv"
    path.write_text(REGISTRY, encoding="utf-8")
    rows, issues = read_registry(path)
    assert issues == []
    write_registry_dataset(ws, rows)
    return ws


from tests.web.personas import world  # noqa: E402, F401  (the persona fixture, for the Django tests here)
