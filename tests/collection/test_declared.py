"""`msoko import dataset`: typed, checked, located errors, nothing written on error, keyed replacement."""

from __future__ import annotations

import pyarrow.parquet as pq

from msoko.engine.pipeline import recompute
from msoko.engine.results import ResultStore
from msoko.engine.warehouse import Warehouse
from msoko.ingest import list_imports
from msoko.ingest.declared import import_dataset


def _rows(ws, name):
    rows = []
    for file in Warehouse(ws.warehouse).files(name):
        rows += pq.read_table(file).to_pylist()
    return sorted(rows, key=lambda r: (r["year"], r.get("org_id") or r.get("municipality_id")))


def _csv(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_errors_are_located_and_nothing_is_written(registered, tmp_path):
    path = _csv(tmp_path, "talents.csv",
                "year,org_id,students,olymp_participants,olymp_winners\n"
                "2024,edu1,100,10,12\n"          # hard check of the form: winners > participants
                "2024,edu2,сто,1,1\n"           # not a number
                "2024,edu9,5,1,1\n"             # not in the registry
                "2024,edu1,5,1,1\n")            # duplicate year × org
    outcome = import_dataset(registered, "form_talents", path)
    assert outcome.rejected
    where = {(i.row, i.column) for i in outcome.errors}
    assert where == {(2, "olymp_participants"), (3, "students"), (4, "org_id"), (5, "org_id")}
    assert "Победителей и призёров олимпиады" in next(i.message for i in outcome.errors if i.row == 2)
    assert not Warehouse(registered.warehouse).has("form_talents")
    assert [e for e in list_imports(registered) if e.get("dataset") == "form_talents"] == []


def test_replaces_only_the_units_and_years_in_the_file(registered, tmp_path):
    first = _csv(tmp_path, "a.csv", "year,org_id,students,gifted\n2024,edu1,100,5\n2024,edu2,200,7\n2023,edu1,90,4\n")
    assert import_dataset(registered, "form_talents", first).status == "committed"
    second = _csv(tmp_path, "b.csv", "year,org_id,students,gifted\n2024,edu2,210,8\n")
    outcome = import_dataset(registered, "form_talents", second)
    assert outcome.status == "committed" and outcome.import_id
    got = [(r["year"], r["org_id"], r["students"], r["gifted"]) for r in _rows(registered, "form_talents")]
    assert got == [(2023, "edu1", 90, 4), (2024, "edu1", 100, 5), (2024, "edu2", 210, 8)]
    journal = [e for e in list_imports(registered) if e.get("dataset") == "form_talents"]
    assert [e["status"] for e in journal] == ["committed", "committed"]


def test_russian_labels_as_headers_and_flags_in_words(registered, tmp_path):
    path = _csv(tmp_path, "dou.csv", "Год,org_id,Есть программа развития,Воспитанники\n2024,dou1,да,120\n")
    outcome = import_dataset(registered, "form_preschool", path)
    assert outcome.status == "committed", [i.format() for i in outcome.issues]
    row = _rows(registered, "form_preschool")[0]
    assert (row["development_programme"], row["children"], row["programme_fgos"]) == (1, 120, None)


def test_dry_run_writes_nothing(registered, tmp_path):
    path = _csv(tmp_path, "m.csv", "year,municipality_id,shnor_events\n2024,m1,3\n")
    outcome = import_dataset(registered, "form_municipality", path, dry_run=True)
    assert outcome.status == "dry_run" and outcome.rows == 1
    assert not Warehouse(registered.warehouse).has("form_municipality")


def test_imported_dataset_is_computed(registered, tmp_path):
    """An indicator over form_municipality computes from the import (sum of a flag over municipalities)."""
    path = _csv(tmp_path, "m.csv", "year,municipality_id,method_associations,mentoring_programmes\n"
                "2024,m1,1,0\n2024,m2,0,1\n")
    assert import_dataset(registered, "form_municipality", path).status == "committed"
    summary = recompute(registered)
    assert any(code for code in summary.computed)
    store = ResultStore(registered.results)
    assert set(summary.computed) <= set(store.computed_indicators())
    from msoko.engine.catalog import default_catalog

    municipal = {i.code for i in default_catalog().indicators if i.dataset == "form_municipality"}
    assert municipal <= set(summary.computed)
