"""A workspace with computed results for the personas' registry (tests/web/personas.py), built once per
module: the registry published, a ВПР file of each school imported, `run_all`; the database part (the
world) is rolled back, the files stay and each test's `world` has the same codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from msoko.core.workspace import Workspace
from msoko.web.accounts import tokens
from tests.web.personas import (
    ORGANISATIONS,
    build_world,
    world,  # noqa: F401  (the fixture)
)

SCHOOLS = {"a1": 14, "a2": 12, "b1": 16}  # pupils per school


def vpr_csv(path: Path) -> Path:
    lines = ["year,org_id,participant,subject,grade,primary_score,mark,journal_mark"]
    for key, pupils in SCHOOLS.items():
        code = ORGANISATIONS[key][0]
        for year in (2024, 2025):
            lines += [f"{year},{code},P{code}{year}{i},Математика,5,{4 + i % 12},{2 + i % 4},{3 + i % 3}"
                      for i in range(pupils)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def computed(tmp_path_factory, django_db_setup, django_db_blocker) -> Workspace:
    from django.db import transaction

    from msoko.engine.pipeline import run_all
    from msoko.ingest import import_file
    from msoko.web.registry.importer import publish_registry

    ws = Workspace(tmp_path_factory.mktemp("api") / "ws").ensure()
    with django_db_blocker.unblock(), transaction.atomic():
        build_world()
        publish_registry(ws)
        transaction.set_rollback(True)
    outcome = import_file(ws, vpr_csv(ws.root.parent / "vpr.csv"), kind="results", actor="test")
    assert not outcome.rejected, [i.message for i in outcome.issues if i.is_error]
    run_all(ws)
    return ws


@pytest.fixture
def api_world(world, computed, settings):  # noqa: F811
    settings.WORKSPACE = computed
    settings.JOBS_INLINE = True
    return world


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue(user)}"}
