"""The catalog's `risk_lists` indicators computed from the ШНОР/ШНСУ lists detection stored, unless the region
imported its own `risk_lists` dataset."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from msoko.cli.main import app
from msoko.engine.detection import DetectionResults
from msoko.engine.detection import store as detection_store
from msoko.engine.detection.lists import movement
from msoko.engine.pipeline import derived_sources, recompute, risk_lists_table, run_datasets
from msoko.engine.results import ResultStore
from msoko.engine.warehouse import Warehouse

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/engine is no package: reach tests.detection
from tests.detection.builders import org, scale_rows, write_workspace  # noqa: E402
from tests.detection.conftest import HONEST, honest_vpr  # noqa: E402

CODES = ("shnor_schools_share", "shnsu_schools_share", "shnor_entered_share", "shnor_left_share")

# golden.py's registry: A, B in M1 and C in M2 (R1), D in M3 (R2); K is a kindergarten of M2.
RISK = [  # year, org_id, shnor, shnsu
    (2023, "A", True, False), (2023, "B", False, False), (2023, "C", False, True), (2023, "D", False, False),
    (2024, "A", False, False), (2024, "B", True, False), (2024, "C", False, True), (2024, "D", True, False),
]


def _store_detection(ws, rows=RISK) -> str:
    risk = pl.DataFrame(rows, schema={"year": pl.Int32, "org_id": pl.Utf8, "shnor": pl.Boolean,
                                      "shnsu": pl.Boolean}, orient="row")
    tables = {name: pl.DataFrame({"year": pl.Series([], dtype=pl.Int32)}) for name in detection_store.TABLES}
    tables.update(risk=risk, lists=movement(risk))
    return detection_store.write(ws.results, tables, {"years": [2023, 2024]}).name


def _values(ws, level: str, year: int) -> dict[tuple[str, str], tuple]:
    table = ResultStore(ws.results).indicator_values(level=level, year=year)
    return {(r["indicator"], r["id"]): (r["value"], r["numerator"], r["denominator"])
            for r in table.to_pylist() if r["indicator"] in CODES}


def test_the_dataset_has_a_row_per_judged_school_and_no_movement_in_a_year_without_the_previous_one():
    risk = pl.DataFrame(RISK, schema=["year", "org_id", "shnor", "shnsu"], orient="row")
    rows = {(r["year"], r["org_id"]): r for r in risk_lists_table(risk, movement(risk)).to_pylist()}
    assert rows[(2023, "A")] == {"year": 2023, "org_id": "A", "shnor": 1, "shnsu": 0, "entered": None, "left": None}
    assert (rows[(2024, "A")]["left"], rows[(2024, "A")]["entered"]) == (1, 0)  # left ШНОР
    assert (rows[(2024, "B")]["entered"], rows[(2024, "D")]["entered"]) == (1, 1)
    assert (rows[(2024, "C")]["entered"], rows[(2024, "C")]["left"]) == (0, 0)  # stayed in ШНСУ


def test_the_four_indicators_count_the_detection_lists_at_organisation_and_municipality_level(golden_workspace):
    ws = golden_workspace
    detection_run = _store_detection(ws)
    summary = recompute(ws, derived=derived_sources(ws))
    assert set(CODES) <= set(summary.computed)
    assert summary.origins["risk_lists"] == f"detection:{detection_run}"

    orgs = _values(ws, "organisation", 2024)
    assert {o: orgs[("shnor_schools_share", o)][0] for o in "ABCD"} == {"A": 0, "B": 1, "C": 0, "D": 1}
    assert {o: orgs[("shnor_entered_share", o)][0] for o in "ABCD"} == {"A": 0, "B": 1, "C": 0, "D": 1}
    assert {o: orgs[("shnor_left_share", o)][0] for o in "ABCD"} == {"A": 1, "B": 0, "C": 0, "D": 0}

    munis = _values(ws, "municipality", 2024)  # sums of numerators and denominators, as for every indicator
    assert munis[("shnor_schools_share", "M1")] == (0.5, 1, 2)
    assert munis[("shnsu_schools_share", "M2")] == (1.0, 1, 1)  # the kindergarten K is not a school
    assert munis[("shnor_entered_share", "M1")] == (0.5, 1, 2)
    assert munis[("shnor_left_share", "M1")] == (0.5, 1, 2)
    assert munis[("shnor_entered_share", "M3")] == (1.0, 1, 1)
    region = _values(ws, "region", 2024)
    assert region[("shnor_schools_share", "R1")] == (pytest.approx(1 / 3), 1, 3)

    # against the stored lists themselves, every year with a previous one
    found = DetectionResults.open(ws.results)
    registry = {"A": "M1", "B": "M1", "C": "M2", "D": "M3"}
    moves = found.lists(2024)
    for status, code in (("entered", "shnor_entered_share"), ("left", "shnor_left_share")):
        for muni in ("M1", "M2", "M3"):
            listed = {o for o in moves.filter(pl.col("status") == status)["org_id"].to_list() if registry[o] == muni}
            assert munis[(code, muni)][1] == len(listed)

    first = _values(ws, "organisation", 2023)  # no 2022 to compare with: no movement
    assert first[("shnor_entered_share", "A")][0] is None
    assert first[("shnor_schools_share", "A")][0] == 1

    recorded = run_datasets(ws, summary.run_id)
    assert recorded["risk_lists"] == {"origin": "derived", "version": f"detection:{detection_run}"}
    assert recorded["vpr"]["origin"] == "warehouse"
    assert recorded["vpr"]["versions"] == sorted(set(Warehouse(ws.warehouse).active_versions("vpr").values()))


def test_without_derived_sources_the_indicators_wait_for_the_dataset(golden_workspace):
    _store_detection(golden_workspace)
    summary = recompute(golden_workspace)
    assert summary.waiting["shnor_schools_share"] == "risk_lists"


def test_a_risk_lists_dataset_imported_by_the_region_wins_over_detection(golden_workspace):
    ws = golden_workspace
    _store_detection(ws)
    wh = Warehouse(ws.warehouse)
    version = uuid.uuid4().hex
    folder = wh.version_dir("risk_lists", version)
    folder.mkdir(parents=True)
    own = pa.table({"year": pa.array([2024, 2024, 2024], pa.int64()), "org_id": ["A", "B", "D"],
                    "shnor": [1, 1, 0], "shnsu": [0, 0, 0], "entered": [1, 0, 0], "left": [0, 0, 0]})
    pq.write_table(own, folder / "part-0.parquet")
    manifest = wh.manifest()
    manifest["datasets"]["risk_lists"] = {"all": version}
    wh.write_manifest(manifest)

    summary = recompute(ws, derived=derived_sources(ws))
    assert summary.origins["risk_lists"] == "warehouse"
    munis = _values(ws, "municipality", 2024)
    assert munis[("shnor_schools_share", "M1")] == (1.0, 2, 2)  # the region's list, not detection's 1 of 2
    assert munis[("shnor_entered_share", "M1")] == (0.5, 1, 2)
    assert ("shnor_schools_share", "M2") not in munis  # C is not in the region's list
    assert run_datasets(ws, summary.run_id)["risk_lists"] == {"origin": "warehouse", "source": "risk_lists",
                                                              "versions": [version]}


@pytest.fixture
def detected(tmp_path):
    """Eight schools in two municipalities, two years; the worst context moves from h1 (M1) to h6 (M2), so
    detection's ШНСУ list has h1 leaving and h6 entering in 2025."""
    orgs = [org(o, municipality_id="M1" if i < 4 else "M2") for i, o in enumerate(HONEST)]
    context = []
    for year, worst in ((2024, "h1"), (2025, "h6")):
        for i, o in enumerate(HONEST):
            bad = o == worst
            context.append({"year": year, "org_id": o, "students": 500, "pdn_kdn": 60 if bad else i,
                            "chronic_absence": 90 if bad else 5 + i, "remote": 1 if bad else 0})
    return write_workspace(tmp_path / "ws", organisations=orgs, vpr=honest_vpr(2024) + honest_vpr(2025),
                           context=context,
                           scales=scale_rows(2024, "Математика", 5) + scale_rows(2025, "Математика", 5))


def test_msoko_compute_feeds_detection_lists_to_the_indicators_and_catalog_list_shows_them(detected):
    runner = CliRunner()
    result = runner.invoke(app, ["compute", "--home", str(detected.root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    found = DetectionResults.open(detected.results)
    assert f"списки ШНОР/ШНСУ модуля выявления (detection:{found.meta['run']})" in " ".join(result.stdout.split())

    risk = found.risk(2025)
    munis = _values(detected, "municipality", 2025)
    for muni, members in (("M1", HONEST[:4]), ("M2", HONEST[4:])):
        mine = risk.filter(pl.col("org_id").is_in(members))
        assert munis[("shnsu_schools_share", muni)][1:] == (mine["shnsu"].sum(), mine.height)
        assert munis[("shnor_schools_share", muni)][1:] == (mine["shnor"].sum(), mine.height)
        for status, code in (("entered", "shnor_entered_share"), ("left", "shnor_left_share")):
            moved = found.lists(2025).filter(pl.col("status") == status, pl.col("org_id").is_in(members))
            assert munis[(code, muni)][1] == moved["org_id"].n_unique()
    assert munis[("shnor_left_share", "M1")][1] == 1 and munis[("shnor_entered_share", "M2")][1] == 1

    lines = _listed(runner, detected)
    for code in CODES:
        assert "рассчитан" in lines[code], lines.get(code)


def _listed(runner, ws) -> dict[str, str]:
    listed = runner.invoke(app, ["catalog", "list", "--system", "1.2", "--home", str(ws.root)],
                           env={"COLUMNS": "300"})
    assert listed.exit_code == 0, listed.output
    return {line.split("│")[1].strip(): line for line in listed.stdout.splitlines() if line.count("│") > 2}


def test_before_the_first_compute_catalog_list_says_the_lists_come_from_compute_not_from_an_import(detected):
    lines = _listed(CliRunner(), detected)
    for code in CODES:
        text = " ".join(lines[code].split())
        assert "списки ШНОР/ШНСУ" in text and "msoko compute" in text and "ожидает" not in text, text


def test_without_results_to_judge_catalog_list_says_the_lists_wait_for_the_dataset(tmp_path):
    ws = write_workspace(tmp_path / "ws", organisations=[org(s) for s in HONEST])
    lines = _listed(CliRunner(), ws)
    for code in CODES:
        assert "ожидает набор данных risk_lists" in " ".join(lines[code].split())
