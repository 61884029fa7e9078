"""Stored results, the reader, and `msoko export objectivity|risk`."""

from __future__ import annotations

import csv
import io

import polars as pl
from typer.testing import CliRunner

from msoko.cli.main import app
from msoko.core.spreadsheet import safe_cell
from msoko.engine.detection import DetectionResults, run
from msoko.engine.detection.store import POINTER
from tests.detection.builders import scored
from tests.detection.conftest import SMOOTH
from tests.detection.test_objectivity_rules import PILED, RAISED_60


def export(home, *args):
    return CliRunner().invoke(app, ["export", *args, "--home", str(home)])


def test_the_reader_has_nothing_before_the_first_run(tmp_path):
    assert DetectionResults.open(tmp_path / "results") is None


def test_export_without_stored_results_asks_to_run_compute_and_exits_1(tmp_path):
    result = export(tmp_path / "home", "objectivity")
    assert result.exit_code == 1
    assert "msoko compute" in result.output


def test_export_objectivity_writes_exactly_the_documented_columns(region):
    ws = region(vpr=scored("target", 2025, PILED, journal_delta=RAISED_60))
    run(ws)
    result = export(ws.root, "objectivity", "--year", "2025")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["year", "org_id", "procedure", "subject", "grade", "participants", "flagged", "signs"]
    target = [r for r in rows[1:] if r[1] == "target"]
    assert target == [["2025", "target", "ВПР", "Математика", "5", "30", "1", "journal;peaks"]]
    assert all(r[6] == "0" for r in rows[1:] if r[1] != "target")


def test_export_risk_writes_exactly_the_documented_columns_to_a_file(region, tmp_path):
    ws = region(vpr=scored("target", 2025, SMOOTH))
    run(ws)
    out = tmp_path / "risk.csv"
    result = export(ws.root, "risk", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["year", "org_id", "shnor", "shnsu", "reasons"]
    assert {r[2] for r in rows[1:]} <= {"0", "1"}


def test_csv_cells_cannot_start_a_formula_but_numbers_stay_numbers():
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("+7 999") == "'+7 999"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-1.5") == "-1.5"
    assert safe_cell(-3) == "-3"
    assert safe_cell("Школа № 1") == "Школа № 1"


def test_a_run_for_one_year_keeps_the_other_years_stored(region):
    ws = region(years=(2024, 2025), vpr=scored("target", 2024, SMOOTH) + scored("target", 2025, SMOOTH))
    run(ws)
    first = DetectionResults.open(ws.results)
    rows_2024 = first.objectivity(2024).height
    run(ws, years=[2025])
    second = DetectionResults.open(ws.results)
    assert second.folder != first.folder
    assert second.years() == [2024, 2025]
    assert second.objectivity(2024).height == rows_2024


def test_only_the_current_run_and_the_one_before_it_are_kept(region):
    ws = region(vpr=scored("target", 2025, SMOOTH))
    for _ in range(3):
        run(ws)
    runs = [p for p in (ws.results / "detection").iterdir() if p.is_dir()]
    assert len(runs) == 2
    assert DetectionResults.open(ws.results).folder in runs


def test_a_run_switches_the_pointer_only_after_every_table_is_written(region):
    ws = region(vpr=scored("target", 2025, SMOOTH))
    run(ws)
    base = ws.results / "detection"
    assert (base / POINTER).exists()
    assert not [p for p in base.iterdir() if p.name.startswith(".tmp-")]
    current = DetectionResults.open(ws.results)
    assert {p.name for p in current.folder.iterdir()} >= {"objectivity.parquet", "risk.parquet", "signs.parquet",
                                                         "lists.parquet", "risk_profile.parquet", "social.parquet"}


def test_the_risk_profile_names_ten_factors_and_leaves_unsupported_ones_empty(region):
    ctx = [{"year": 2025, "org_id": o, "students": 300, "pdn_kdn": 3, "infra_deficit": 1 if o == "target" else 0}
           for o in ["target", *[f"h{i}" for i in range(8)]]]
    ws = region(vpr=scored("target", 2025, SMOOTH), context=ctx)
    run(ws)
    profile = DetectionResults.open(ws.results).risk_profile(2025, "target")
    assert profile["factor"].to_list() == list(range(1, 11))
    by_factor = {r["factor"]: r for r in profile.iter_rows(named=True)}
    assert by_factor[1]["at_risk"] is True  # infrastructure deficit
    assert by_factor[3]["at_risk"] is None  # teachers' competence: no data in the warehouse
    assert profile.filter(pl.col("at_risk").is_null()).height >= 3


def test_a_run_over_an_empty_warehouse_stores_empty_results(tmp_path):
    from msoko.core.workspace import Workspace

    ws = Workspace(tmp_path / "empty").ensure()
    summary = run(ws)
    assert summary["objectivity"] == 0 and summary["risk"] == 0
    results = DetectionResults.open(ws.results)
    assert results.objectivity().is_empty() and results.risk().is_empty()


def test_a_warehouse_with_vpr_only_still_gets_objectivity_results(tmp_path):
    from tests.detection.builders import write_workspace

    ws = write_workspace(tmp_path / "ws", vpr=scored("a", 2025, SMOOTH))
    run(ws)
    assert DetectionResults.open(ws.results).objectivity().height == 1


def test_the_reader_gathers_every_explanation_of_a_school(region):
    ws = region(vpr=scored("target", 2025, PILED, journal_delta=RAISED_60))
    run(ws)
    texts = DetectionResults.open(ws.results).explanations("target")
    assert any("признаки необъективности" in t for t in texts)


def test_details_add_the_measured_values_and_the_explanation_after_the_documented_columns(region):
    ws = region(vpr=scored("target", 2025, PILED, journal_delta=RAISED_60))
    run(ws)
    result = export(ws.root, "objectivity", "--details")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    target = next(r for r in rows if r["org_id"] == "target")
    assert list(rows[0])[:8] == ["year", "org_id", "procedure", "subject", "grade", "participants", "flagged", "signs"]
    assert target["values"].startswith("journal=0.5333/") and ";peaks=1/" in target["values"]
    assert "признаки необъективности" in target["explanation"]


def test_risk_details_give_the_standing_numbers_of_a_school_listed_by_the_context_fair_rule():
    from msoko.cli.detection import risk_values

    listed = {"year": 2026, "composite": -0.8, "expected": -0.1, "social_index": 41.5, "low_standing": True,
              "standing_z": -1.42, "standing_result": -0.62, "standing_expected": -0.05, "standing_gap": -0.57,
              "standing_tau": 0.38, "standing_years": 3, "standing_n": 240, "cluster": 1, "cluster_size": 27}
    values = dict(kv.split("=", 1) for kv in risk_values(listed, window=3).split(";"))
    assert values["standing_z"] == "-1.42" and values["standing_result"] == "-0.62"
    assert values["standing_expected"] == "-0.05" and values["standing_window"] == "2024-2026"
    assert values["standing_years"] == "3" and values["standing_n"] == "240"
    assert values["cluster"] == "1" and values["cluster_size"] == "27" and values["social_index"] == "41.5"
    not_listed = {**listed, "low_standing": False}
    assert "standing_z" not in risk_values(not_listed, window=3) and "cluster" not in risk_values(not_listed)


def test_risk_details_keep_the_documented_columns_then_values_and_explanation(region):
    ws = region(vpr=scored("target", 2025, SMOOTH))
    run(ws)
    result = export(ws.root, "risk", "--details")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["year", "org_id", "shnor", "shnsu", "reasons", "values", "explanation"]
