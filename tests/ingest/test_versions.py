"""Versioning: immutable versions, supersede by partition, no-op re-import, rollback, the journal."""

from __future__ import annotations

import json

import duckdb
import pyarrow.parquet as pq

from msoko.engine.warehouse import Warehouse
from msoko.ingest import import_file, list_imports, read_registry, rollback, write_registry_dataset
from tests.ingest.helpers import VPR_HEADER, VPR_ROWS, write_csv

CORRECTED = [VPR_ROWS[0], VPR_ROWS[1].replace(",1,2,3,X,1", ",1,2,3,0,1"), VPR_ROWS[2]]


def active(ws, dataset):
    return Warehouse(ws.warehouse).active_versions(dataset)


def test_reimporting_identical_content_is_a_no_op(registered, tmp_path):
    path = write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS])
    first = import_file(registered, path)
    manifest = (registered.warehouse / "manifest.json").read_bytes()
    copy = write_csv(tmp_path, "renamed.csv", [VPR_HEADER, *VPR_ROWS])
    second = import_file(registered, copy)
    assert second.status == "unchanged" and second.import_id == first.import_id
    assert (registered.warehouse / "manifest.json").read_bytes() == manifest


def test_a_corrected_file_supersedes_the_year_without_deleting_the_old_version(registered, tmp_path):
    first = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS]))
    old = first.versions["vpr"]["2024|ВПР"]
    second = import_file(registered, write_csv(tmp_path, "vpr_fixed.csv", [VPR_HEADER, *CORRECTED]))
    assert second.status == "committed"
    assert second.superseded["vpr"]["2024|ВПР"] == old
    assert active(registered, "vpr")["2024|ВПР"] == second.versions["vpr"]["2024|ВПР"]
    assert (Warehouse(registered.warehouse).version_dir("vpr", old) / "part-0.parquet").exists()
    statuses = {entry["id"]: entry["status"] for entry in list_imports(registered)}
    assert statuses[first.import_id] == "superseded" and statuses[second.import_id] == "committed"


def test_another_year_is_another_partition(registered, tmp_path):
    import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS]))
    rows_2025 = [r.replace("2024,", "2025,", 1) for r in VPR_ROWS]
    import_file(registered, write_csv(tmp_path, "vpr25.csv", [VPR_HEADER, *rows_2025]))
    assert set(active(registered, "vpr")) == {"2024|ВПР", "2025|ВПР"}


def test_rollback_reactivates_what_the_import_superseded(registered, tmp_path):
    first = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS]))
    second = import_file(registered, write_csv(tmp_path, "vpr_fixed.csv", [VPR_HEADER, *CORRECTED]))
    assert rollback(registered, second.import_id) == []
    assert active(registered, "vpr")["2024|ВПР"] == first.versions["vpr"]["2024|ВПР"]
    assert active(registered, "vpr_tasks")["2024|ВПР"] == first.versions["vpr_tasks"]["2024|ВПР"]
    statuses = {entry["id"]: entry["status"] for entry in list_imports(registered)}
    assert statuses[second.import_id] == "rolled_back" and statuses[first.import_id] == "committed"
    # and the first import can be rolled back too: nothing left for the year
    assert rollback(registered, first.import_id) == []
    assert "2024|ВПР" not in active(registered, "vpr")


def test_rollback_of_an_import_replaced_later_is_refused_until_the_later_one_is_undone(registered, tmp_path):
    first = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS]))
    second = import_file(registered, write_csv(tmp_path, "vpr_fixed.csv", [VPR_HEADER, *CORRECTED]))
    [issue] = rollback(registered, first.import_id)
    assert second.import_id in issue.message
    assert rollback(registered, "nope")[0].message.startswith("загрузка «nope» не найдена")


def test_reimporting_a_rolled_back_file_imports_it_again(registered, tmp_path):
    path = write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS])
    first = import_file(registered, path)
    rollback(registered, first.import_id)
    again = import_file(registered, path)
    assert again.status == "committed" and again.import_id != first.import_id


def test_the_journal_records_who_when_what_and_how_it_went(registered, tmp_path):
    outcome = import_file(
        registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS]), actor="analyst"
    )
    entry = next(e for e in list_imports(registered) if e["id"] == outcome.import_id)
    assert entry["actor"] == "analyst" and entry["file"] == "vpr.csv" and entry["rows"] == 3
    assert (
        entry["checksum"] == outcome.checksum and entry["dataset"] == "vpr" and entry["status"] == "committed"
    )
    assert entry["datasets"]["vpr"] == outcome.versions["vpr"] and "when" in entry
    assert (registered.archive / outcome.checksum[:2] / f"{outcome.checksum}.csv").exists()
    lines = (registered.warehouse / "imports.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line) for line in lines)


def test_a_rejected_import_leaves_no_trace(registered, tmp_path):
    before = (registered.warehouse / "imports.jsonl").read_bytes()
    outcome = import_file(
        registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, "2024,edu1,1,Х,4,1,3,9,,,"])
    )
    assert outcome.rejected
    assert (registered.warehouse / "imports.jsonl").read_bytes() == before
    assert not list((registered.root / ".staging").glob("*"))


def test_write_registry_dataset_replaces_the_organisations_and_skips_identical_content(ws, tmp_path):
    path = write_csv(
        tmp_path,
        "organisations.csv",
        [
            "org_id,name,kind,municipality_id,municipality_name,region_id,region_name",
            "a,Школа,school,m,М,r,Р",
        ],
    )
    rows, _ = read_registry(path)
    first = write_registry_dataset(ws, rows)
    assert first is not None and write_registry_dataset(ws, rows) is None
    rows[0]["name"] = "Школа № 1"
    second = write_registry_dataset(ws, rows)
    assert second not in (None, first)
    [file] = Warehouse(ws.warehouse).files("organisations")
    assert pq.read_table(file)["name"].to_pylist() == ["Школа № 1"]


def test_f1_files_merge_into_the_year_and_a_whole_year_file_replaces_only_its_schools(ws, region):
    from msoko.ingest.registry import read_registry as read

    rows, _ = read(region.files["organisations"])
    write_registry_dataset(ws, rows)
    f1_files = sorted(region.files["f1"].glob("*.xlsx"))
    outcomes = [import_file(ws, f) for f in f1_files]
    assert all(o.status == "committed" for o in outcomes), [i.format() for o in outcomes for i in o.issues]
    assert {k for o in outcomes for k in o.versions["vpr"]} == {f"{region.years[0]}|ВПР"}
    # each Ф1 file adds its school's work: the earlier one stays
    files = Warehouse(ws.warehouse).files("vpr")
    f1_orgs = set(duckdb.sql(f"select distinct org_id from read_parquet({[str(f) for f in files]!r})").pl()["org_id"])
    assert len(f1_orgs) == len({o.per_org[0]["org_id"] for o in outcomes})
    # the whole-year canonical file replaces what it holds; a Ф1 file after it merges again (no refusal)
    year_file = import_file(ws, region.files["vpr"])
    assert year_file.status == "committed", [i.format() for i in year_file.errors]
    again = import_file(ws, f1_files[0])
    assert again.status == "committed", [i.format() for i in again.errors]
    assert [o["action"] for o in again.per_org] == ["replaced"]


def test_a_profile_import_can_be_rolled_back_after_the_registry_was_republished(ws):
    from tests.ingest.helpers import REAL

    path = REAL / "bulgaria_nvo_dzi_schools" / "mon" / "nvo-4-2024.csv"
    if not path.exists():
        return
    outcome = import_file(ws, path, profile="bg-mon-schools")
    assert outcome.status == "committed" and outcome.registry_rows
    assert "all" in outcome.versions["organisations"]
    write_registry_dataset(ws, outcome.registry_rows[:10])  # the web layer republishes its registry
    assert rollback(ws, outcome.import_id) == []
    assert not active(ws, "results_by_org")
    assert active(ws, "organisations")["all"] != outcome.versions["organisations"]["all"]


def test_an_import_whose_committed_line_was_lost_is_recovered_from_the_manifest(registered, tmp_path):
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS]))
    journal = registered.warehouse / "imports.jsonl"
    lines = journal.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1])["event"] == "committed"
    journal.write_text("\n".join(lines[:-1]) + '\n{"event": "comm', encoding="utf-8")  # killed mid-append
    statuses = {entry["id"]: entry["status"] for entry in list_imports(registered)}
    assert statuses[outcome.import_id] == "committed"


def test_a_pending_import_whose_manifest_switch_never_happened_is_failed(registered, tmp_path):
    from msoko.ingest import store

    store.append_journal(
        registered,
        {
            "event": "pending",
            "id": "x1",
            "when": "2026-01-01T00:00:00+00:00",
            "datasets": {"vpr": {"2024|ВПР": "v"}},
        },
    )
    statuses = {entry["id"]: entry["status"] for entry in list_imports(registered)}
    assert statuses["x1"] == "failed"


def test_the_scales_ingest_reads_are_the_engines_default_scales():
    from msoko.engine.reference import default_scales
    from msoko.ingest.rules import shipped_scales

    assert shipped_scales().equals(default_scales())


def test_the_archive_copy_made_while_checking_is_the_file_and_nothing_stays_in_staging(registered, tmp_path):
    import hashlib

    path = write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    corrected = write_csv(tmp_path, "vpr2.csv", [VPR_HEADER, *CORRECTED])
    first, second = import_file(registered, path), import_file(registered, corrected)
    again = import_file(registered, corrected)
    assert (first.status, second.status, again.status) == ("committed", "committed", "unchanged")
    assert first.checksum == digest and again.checksum == second.checksum
    archived = {p.name: p.read_bytes() for p in registered.archive.rglob("*.csv")}
    assert archived == {f"{digest}.csv": path.read_bytes(), f"{second.checksum}.csv": corrected.read_bytes()}
    staging = registered.root / ".staging"
    assert not staging.exists() or not any(staging.iterdir())
