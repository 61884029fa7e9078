"""`msoko maintenance` sweeps orphaned warehouse versions (issue 14, item 8): versions no manifest entry and
no import record names (an import killed before its manifest switch) are removed; what the manifest, a
committed import or a rollback may still need is kept; nothing is swept while an import holds the lock."""

from __future__ import annotations

import os
import shutil
import threading
import time

from typer.testing import CliRunner

from msoko.cli.main import app
from msoko.cli.maintenance import referenced_versions, sweep_orphans
from msoko.core.workspace import Workspace
from msoko.engine.warehouse import Warehouse
from msoko.ingest import import_file, read_registry, write_registry_dataset
from msoko.ingest.store import append_journal, import_lock, list_imports, rollback

runner = CliRunner()
OLD = time.time() - 2 * 3600


REGISTRY = ("org_id,name,kind,municipality_id,municipality_name,region_id,region_name\n"
            "edu1,Школа 1,school,m1,Город,r1,Область\nedu2,Школа 2,school,m1,Город,r1,Область\n")
VPR_HEADER = "year,org_id,participant,subject,grade,variant,primary_score,mark,journal_mark"
VPR_ROWS = ["2024,edu1,10001,Русский язык,4,1,3,2,4", "2024,edu1,10002,Русский язык,4,1,1,2,3",
            "2024,edu2,10001,Русский язык,4,2,4,2,"]


def write_csv(folder, name, lines):
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _age(path):
    for p in [path, *path.rglob("*")]:
        os.utime(p, (OLD, OLD))


def _workspace(tmp_path) -> Workspace:
    ws = Workspace.resolve(tmp_path / "ws").ensure()
    registry = tmp_path / "organisations.csv"
    registry.write_text(REGISTRY, encoding="utf-8")
    rows, issues = read_registry(registry)
    assert issues == []
    write_registry_dataset(ws, rows)
    first = write_csv(tmp_path, "vpr-1.csv", [VPR_HEADER, *VPR_ROWS])
    second = write_csv(tmp_path, "vpr-2.csv", [VPR_HEADER, *[r.replace(",1,3,2,", ",1,20,3,") for r in VPR_ROWS]])
    for path in (first, second):  # the second supersedes the first: the first's versions serve a rollback
        assert import_file(ws, path).status == "committed"
    return ws


def _versions(ws) -> set[tuple[str, str]]:
    root = ws.warehouse
    return {(d.name, v.name) for d in root.iterdir() if d.is_dir() for v in d.iterdir() if v.is_dir()}


def test_orphans_are_swept_and_everything_referenced_is_kept(tmp_path):
    ws = _workspace(tmp_path)
    wh = Warehouse(ws.warehouse)
    active = next(iter(wh.active_versions("vpr").values()))
    # an import killed after moving its version into the warehouse, before the manifest switch …
    orphan = wh.version_dir("vpr", "0000000000000dead01")
    shutil.copytree(wh.version_dir("vpr", active), orphan)
    # … and one killed after its `pending` journal line (status `failed`)
    failed = wh.version_dir("vpr", "0000000000000dead02")
    shutil.copytree(wh.version_dir("vpr", active), failed)
    append_journal(ws, {"event": "pending", "id": "dead02", "when": "2026-01-01T00:00:00Z", "actor": "cli",
                        "datasets": {"vpr": {"2024|ВПР": "0000000000000dead02"}}, "superseded": {}})
    for path in ws.warehouse.iterdir():
        if path.is_dir():
            _age(path)
    before = _versions(ws)
    keep = referenced_versions(ws)
    assert ("vpr", orphan.name) not in keep and ("vpr", failed.name) not in keep
    superseded = {v for e in list_imports(ws) for p in e.get("superseded", {}).get("vpr", {}).values() if p
                  for v in [p]}
    assert superseded and all(("vpr", v) in keep for v in superseded)

    dry = runner.invoke(app, ["maintenance", "--dry-run", "--home", str(ws.root)])
    assert dry.exit_code == 0 and _versions(ws) == before
    result = runner.invoke(app, ["maintenance", "--home", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "версий без ссылок: 2" in result.output
    assert _versions(ws) == before - {("vpr", orphan.name), ("vpr", failed.name)}
    # what was kept still works: the latest import rolls back onto the version it superseded
    latest = [e for e in list_imports(ws) if e["status"] == "committed"][-1]
    assert rollback(ws, latest["id"]) == []
    assert all(Warehouse(ws.warehouse).files(name) for name in ("vpr", "organisations"))


def test_young_versions_are_left_alone(tmp_path):
    ws = _workspace(tmp_path)
    wh = Warehouse(ws.warehouse)
    active = next(iter(wh.active_versions("vpr").values()))
    shutil.copytree(wh.version_dir("vpr", active), wh.version_dir("vpr", "0000000000000beef01"))
    found = sweep_orphans(ws)  # default: an hour
    assert found.removed == [] and found.kept_young == 1
    assert wh.version_dir("vpr", "0000000000000beef01").exists()


def test_no_sweep_while_an_import_holds_the_lock(tmp_path):
    ws = _workspace(tmp_path)
    wh = Warehouse(ws.warehouse)
    active = next(iter(wh.active_versions("vpr").values()))
    staged = wh.version_dir("vpr", "0000000000000cafe01")
    done = threading.Event()
    with import_lock(ws):  # a running import: its version is in the warehouse, the manifest not yet switched
        shutil.copytree(wh.version_dir("vpr", active), staged)
        worker = threading.Thread(target=lambda: (sweep_orphans(ws, min_age_seconds=0), done.set()))
        worker.start()
        time.sleep(0.5)
        assert not done.is_set() and staged.exists()
        manifest = wh.manifest()
        manifest["datasets"]["vpr"]["2024|ВПР"] = staged.name  # the import commits
        wh.write_manifest(manifest)
    worker.join(10)
    assert done.is_set() and staged.exists()
