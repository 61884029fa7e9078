"""The shipped profiles import the real public data in shared/data/real, and report its known defects."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from msoko.engine.warehouse import Warehouse
from msoko.ingest import import_file
from msoko.ingest.profiles import load_profile, shipped_profiles
from tests.ingest.helpers import REAL

BULGARIA = REAL / "bulgaria_nvo_dzi_schools" / "mon"
MOSCOW = REAL / "moscow_ege_schools"
SABER = REAL / "colombia_saber11_calendarB" / "csv"

pytestmark = pytest.mark.skipif(not REAL.exists(), reason="shared real data not mounted")


def rows_of(ws, dataset):
    files = [str(f) for f in Warehouse(ws.warehouse).files(dataset)]
    return duckdb.sql(f"select * from read_parquet({files!r}, union_by_name=true)").pl()


def test_every_shipped_profile_loads_and_is_described():
    profiles = shipped_profiles()
    assert {"bg-mon-schools", "moscow-ege-schools", "saber11-students"} <= set(profiles)
    for name in profiles:
        profile, issues = load_profile(name)
        assert issues == [] and profile is not None and profiles[name]


def test_all_bulgarian_files_of_every_year_import_through_one_profile(ws):
    files = sorted(p for p in BULGARIA.glob("*.csv") if "sofia" not in p.name)
    assert len(files) == 32
    for path in files:
        outcome = import_file(ws, path, profile="bg-mon-schools")
        assert outcome.status == "committed", (path.name, [i.format() for i in outcome.errors])
        assert outcome.rows > 1000, path.name
    data = rows_of(ws, "results_by_org")
    years = {
        (r["procedure"], r["grade"]): set() for r in data.select("procedure", "grade").unique().to_dicts()
    }
    for r in data.select("procedure", "grade", "year").unique().to_dicts():
        years[(r["procedure"], r["grade"])].add(r["year"])
    assert years[("НВО", 4)] == {2018, 2019, 2021, 2022, 2023, 2024, 2025, 2026}
    assert years[("НВО", 7)] == set(range(2018, 2027))
    assert years[("НВО", 10)] == set(range(2021, 2027))
    assert years[("ДЗИ", 12)] == set(range(2018, 2027))
    # codes written «105 201» (2021) and «100-02» (НВО-7 2018) are normalised and join across years
    assert "105201" in set(data.filter(data["year"] == 2021)["org_id"])
    assert "100020" in set(data.filter((data["year"] == 2018) & (data["grade"] == 7))["org_id"])
    # the registry is derived from the files: region, municipality, settlement type
    registry = rows_of(ws, "organisations")
    assert registry.height > 2000
    bansko = registry.filter(registry["org_id"] == "105201").to_dicts()[0]
    assert bansko["municipality_name"].casefold() == "банско" and bansko["region_name"].casefold() == "благоевград"
    assert bansko["locality"] == "urban"


def test_the_bulgarian_national_means_reproduce_the_weighted_figures(ws):
    outcome = import_file(ws, BULGARIA / "nvo-7-2019.csv", profile="bg-mon-schools")
    assert outcome.status == "committed"
    data = rows_of(ws, "results_by_org")
    maths = data.filter(data["subject"] == "Математика")
    assert maths.height > 1500
    mean = (maths["mean_score"] * maths["participants"]).sum() / maths["participants"].sum()
    assert 20 < mean < 60


def test_dzi_2023_dates_made_from_numbers_are_warnings_with_row_and_column(ws):
    outcome = import_file(ws, BULGARIA / "dzi-2023.csv", profile="bg-mon-schools")
    assert outcome.status == "committed"
    dates = [w for w in outcome.warnings if "дату" in w.message]
    assert len(dates) == 50  # listed, then summarised
    first = dates[0]
    assert first.row is not None and first.row > 3 and first.column.endswith("Ср.усп.")
    assert any("всего таких значений" in w.message for w in outcome.warnings)
    # the mangled values are not stored as numbers
    data = rows_of(ws, "results_by_org")
    assert data["mean_score"].drop_nulls().max() <= 6


def test_impossible_zero_means_with_participants_are_warnings(ws):
    outcome = import_file(ws, BULGARIA / "dzi-2025.csv", profile="bg-mon-schools")
    impossible = [w for w in outcome.warnings if "невозможное значение «0»" in w.message]
    assert outcome.status == "committed" and len(impossible) == 3
    assert all(w.row and w.column for w in impossible)


def test_moscow_ege_csv_and_json_import_and_join_by_school(ws):
    csv_outcome = import_file(ws, MOSCOW / "data-9722-2016-10-31.csv", profile="moscow-ege-schools")
    json_outcome = import_file(ws, MOSCOW / "ege_results_2016-2018.json", profile="moscow-ege-schools")
    assert csv_outcome.status == json_outcome.status == "committed"
    assert (csv_outcome.rows, json_outcome.rows) == (626, 1498)
    data = rows_of(ws, "results_by_org")
    assert set(data["year"]) == {2016, 2017, 2018}
    y2016 = data.filter(data["year"] == 2016)
    assert y2016["participants"].sum() == 66461 and y2016["count_220_plus"].sum() == 15920
    assert data.filter(data["year"] == 2017)["count_160_plus"].sum() == 36833
    school_179 = y2016.filter((y2016["count_220_plus"] == 80) & (y2016["participants"] == 109))
    assert school_179.height == 1 and abs(school_179["above_220"][0] - 80 / 109) < 1e-9
    # the same school across the two files shares one derived code
    # (names change with reorganisations, so only about half of the 2016 schools match 2017 by name)
    assert len(set(y2016["org_id"]) & set(data.filter(data["year"] == 2017)["org_id"])) > 300


def test_saber_11_per_student_results_import_with_pseudonymised_codes(ws):
    path = SABER / "SB11_20131.csv.gz"
    outcome = import_file(ws, path, profile="saber11-students")
    assert outcome.status == "committed", [i.format() for i in outcome.errors]
    data = rows_of(ws, "gia")
    assert data.height == outcome.rows > 200_000
    assert set(data["exam"]) == {"Saber 11"} and "Математика" in set(data["subject"])
    assert not data["participant"].str.starts_with("SABER").any()
    assert data.select("participant").n_unique() == 28538


def test_the_saber_2014_layout_with_renamed_columns_imports_with_the_same_profile(ws):
    outcome = import_file(ws, SABER / "SB11_20141.csv.gz", profile="saber11-students", dry_run=True)
    assert outcome.status == "dry_run" and outcome.rows > 100_000


def test_a_profile_with_mistakes_is_rejected_with_the_key_named(ws, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\ndataset: results_by_org\nwide_to_long:\n  measures:\n    mean_score: ['([']\nunknown_key: 1\n",
        encoding="utf-8",
    )
    outcome = import_file(ws, BULGARIA / "nvo-4-2024.csv", profile=bad)
    assert outcome.rejected
    columns = {i.column for i in outcome.errors}
    assert "unknown_key" in columns and any(c.startswith("wide_to_long") for c in columns)


def test_an_unknown_profile_name_lists_the_shipped_ones(ws):
    outcome = import_file(ws, BULGARIA / "nvo-4-2024.csv", profile="nope")
    assert outcome.rejected and "bg-mon-schools" in outcome.errors[0].message


def test_a_file_that_does_not_match_the_profile_is_rejected_with_a_located_message(ws):
    outcome = import_file(ws, MOSCOW / "data-9722-2016-10-31.csv", profile="bg-mon-schools")
    assert outcome.rejected and all(i.file == "data-9722-2016-10-31.csv" for i in outcome.errors)


def test_profile_paths_work_as_well_as_names(ws):
    path = Path(__file__).resolve().parents[2] / "src/msoko/ingest/profiles/bg-mon-schools.yaml"
    outcome = import_file(ws, BULGARIA / "nvo-4-2024.csv", profile=path, dry_run=True)
    assert outcome.status == "dry_run"


def test_a_profile_can_take_constants_from_the_title_rows(ws, tmp_path):
    profile = tmp_path / "title.yaml"
    profile.write_text(
        """
name: bg-title
dataset: results_by_org
read:
  header: {find: "^област$"}
columns:
  org_id: {column: ["Код по НЕИСПУО", "Код по Админ"]}
constants:
  year: {title: true, regex: "учебна \\\\d{4}/(\\\\d{4})"}
  grade: {title: true, regex: "за (\\\\w+) клас", map: {VII: "7", X: "10"}}
  procedure: {value: НВО}
wide_to_long:
  measures:
    participants: ["(?P<subject>\\\\S+) Явили се"]
    mean_score: ["(?P<subject>\\\\S+) Ср\\\\. успех в точки"]
  skip_when_empty: participants
""",
        encoding="utf-8",
    )
    outcome = import_file(ws, BULGARIA / "nvo-10-2023.csv", profile=profile)
    assert outcome.status == "committed", [i.format() for i in outcome.issues]
    assert list(outcome.versions["results_by_org"]) == ["2023|НВО|10"]


def test_saber_2009_defects_are_warnings_missing_codes_zero_scores_and_decimals(ws):
    outcome = import_file(ws, SABER / "SB11_20091.csv.gz", profile="saber11-students", dry_run=True)
    assert outcome.status == "dry_run", [i.format() for i in outcome.errors]
    messages = [w.message for w in outcome.warnings]
    assert any(m.startswith("строк без кода участника пропущено: 3") for m in messages)
    assert any("округлены до целых" in m for m in messages)
    zeros = [w for w in outcome.warnings if w.message.startswith("балл 0")]
    assert len(zeros) == 50 and all(w.row and w.column.endswith("_PUNT") for w in zeros)
