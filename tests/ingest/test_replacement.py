"""Replacement semantics: an import replaces only the organisations × year × procedure (× subject, grade)
it contains; everything else stays. `replace_all` replaces whole partitions."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from msoko.engine.warehouse import Warehouse
from msoko.ingest import import_file, read_registry, rollback, write_registry_dataset
from tests.ingest.helpers import REAL, VPR_HEADER, VPR_ROWS, write_csv


def rows_of(ws, dataset) -> pl.DataFrame:
    files = [str(f) for f in Warehouse(ws.warehouse).files(dataset)]
    if not files:
        return pl.DataFrame()
    return duckdb.sql(f"select * from read_parquet({files!r}, union_by_name=true)").pl()


def _sorted(frame: pl.DataFrame) -> list[dict]:
    return sorted(frame.to_dicts(), key=lambda row: tuple(str(v) for v in row.values()))


@pytest.fixture
def region_ws(ws, region):
    rows, issues = read_registry(region.files["organisations"])
    write_registry_dataset(ws, rows)
    outcome = import_file(ws, region.files["vpr"])
    assert outcome.status == "committed", [i.format() for i in outcome.errors]
    return ws


def test_one_schools_file_leaves_every_other_schools_rows_identical(region_ws, region, tmp_path):
    before = rows_of(region_ws, "vpr")
    tasks_before = rows_of(region_ws, "vpr_tasks")
    source = pl.read_csv(region.files["vpr"], infer_schema=False)
    school = source["org_id"][0]
    mine = source.filter(pl.col("org_id") == school)
    assert 0 < mine.height < source.height
    one = tmp_path / "one-school.csv"
    mine.write_csv(one)
    outcome = import_file(region_ws, one)
    assert outcome.status == "committed", [i.format() for i in outcome.errors]
    after = rows_of(region_ws, "vpr")
    others = pl.col("org_id") != school
    assert _sorted(after.filter(others)) == _sorted(before.filter(others))
    assert after.filter(~others).height == mine.height
    assert after.height == before.height
    tasks_after = rows_of(region_ws, "vpr_tasks")
    assert _sorted(tasks_after.filter(others)) == _sorted(tasks_before.filter(others))
    assert tasks_after.height == tasks_before.height
    # the summary says, per organisation, what happened
    assert [(o["org_id"], o["action"], o["rows"]) for o in outcome.per_org] == [
        (school, "replaced", mine.height)
    ]
    assert outcome.per_org[0]["replaced_rows"] == before.filter(~others).height
    assert "заменено 1" in outcome.summary()


def test_a_schools_subject_file_keeps_its_other_subjects(region_ws, region, tmp_path):
    before = rows_of(region_ws, "vpr")
    source = pl.read_csv(region.files["vpr"], infer_schema=False)
    school = source["org_id"][0]
    mine = source.filter(pl.col("org_id") == school)
    subject, grade = mine["subject"][0], mine["grade"][0]
    work = mine.filter((pl.col("subject") == subject) & (pl.col("grade") == grade))
    assert work.height < mine.height
    path = tmp_path / "one-work.csv"
    work.write_csv(path)
    assert import_file(region_ws, path).status == "committed"
    after = rows_of(region_ws, "vpr")
    untouched = ~((pl.col("org_id") == school) & (pl.col("subject") == subject) & (pl.col("grade") == int(grade)))
    assert _sorted(after.filter(untouched)) == _sorted(before.filter(untouched))
    assert after.height == before.height


def test_replace_all_replaces_the_whole_partition(region_ws, region, tmp_path):
    source = pl.read_csv(region.files["vpr"], infer_schema=False)
    school = source["org_id"][0]
    mine = source.filter(pl.col("org_id") == school)
    one = tmp_path / "one-school.csv"
    mine.write_csv(one)
    outcome = import_file(region_ws, one, replace_all=True)
    assert outcome.status == "committed"
    after = rows_of(region_ws, "vpr")
    assert set(after["org_id"]) == {school} and after.height == mine.height
    removed = [o for o in outcome.per_org if o["action"] == "removed"]
    assert len(removed) == source["org_id"].n_unique() - 1


def test_a_merged_import_can_be_rolled_back(region_ws, region, tmp_path):
    before = rows_of(region_ws, "vpr")
    source = pl.read_csv(region.files["vpr"], infer_schema=False)
    mine = source.filter(pl.col("org_id") == source["org_id"][0]).with_columns(mark=pl.lit("2"))
    path = tmp_path / "corrected.csv"
    mine.write_csv(path)
    outcome = import_file(region_ws, path)
    assert outcome.status == "committed", [i.format() for i in outcome.errors]
    assert rows_of(region_ws, "vpr").height == before.height
    assert rollback(region_ws, outcome.import_id) == []
    assert _sorted(rows_of(region_ws, "vpr")) == _sorted(before)


def test_files_of_two_schools_are_both_kept(registered, tmp_path):
    first = write_csv(tmp_path, "a.csv", [VPR_HEADER, VPR_ROWS[0], VPR_ROWS[1]])
    second = write_csv(tmp_path, "b.csv", [VPR_HEADER, VPR_ROWS[2]])
    assert import_file(registered, first).per_org[0]["action"] == "added"
    outcome = import_file(registered, second)
    assert outcome.status == "committed"
    assert [(o["org_id"], o["action"]) for o in outcome.per_org] == [("edu2", "added")]
    data = rows_of(registered, "vpr")
    assert sorted(data["org_id"].to_list()) == ["edu1", "edu1", "edu2"]


def test_one_schools_context_row_does_not_replace_the_others(registered, tmp_path):
    both = write_csv(tmp_path, "context.csv", ["year,org_id,pupils", "2024,edu1,100", "2024,edu2,200"])
    one = write_csv(tmp_path, "context1.csv", ["year,org_id,pupils", "2024,edu2,250"])
    assert import_file(registered, both, kind="context").status == "committed"
    assert import_file(registered, one, kind="context").status == "committed"
    data = rows_of(registered, "context").sort("org_id")
    assert data.select("org_id", "pupils").rows() == [("edu1", 100), ("edu2", 250)]


def test_gia_files_per_territory_are_both_kept(registered, tmp_path):
    header = "year,org_id,participant,subject,exam,primary_score,test_score,mark"
    one = write_csv(tmp_path, "ac.csv", [header, "2024,edu1,1,Математика,ЕГЭ,10,50,"])
    two = write_csv(tmp_path, "rr.csv", [header, "2024,edu2,1,Математика,ЕГЭ,12,60,"])
    assert import_file(registered, one).status == "committed"
    assert import_file(registered, two).status == "committed"
    assert sorted(rows_of(registered, "gia")["org_id"].to_list()) == ["edu1", "edu2"]


BULGARIA = REAL / "bulgaria_nvo_dzi_schools" / "mon"


@pytest.mark.skipif(not BULGARIA.exists(), reason="shared real data not mounted")
def test_the_bulgarian_sofia_file_does_not_replace_the_national_file(ws):
    national = import_file(ws, BULGARIA / "nvo-7-2022.csv", profile="bg-mon-schools")
    assert national.status == "committed"
    before = rows_of(ws, "results_by_org")
    sofia = import_file(ws, BULGARIA / "nvo-7-2022-sofia.csv", profile="bg-mon-schools")
    assert sofia.status == "committed", [i.format() for i in sofia.errors]
    after = rows_of(ws, "results_by_org")
    sofia_orgs = {o["org_id"] for o in sofia.per_org}
    assert 0 < len(sofia_orgs) < before["org_id"].n_unique()
    outside = ~pl.col("org_id").is_in(list(sofia_orgs))
    assert _sorted(after.filter(outside)) == _sorted(before.filter(outside))
    assert after["org_id"].n_unique() == before["org_id"].n_unique()
