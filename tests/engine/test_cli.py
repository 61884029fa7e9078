"""`msoko compute`, `msoko export indicators` and `msoko catalog list` on the golden workspace."""

from __future__ import annotations

import csv
import io

from typer.testing import CliRunner

from msoko.cli.main import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_compute_then_export_gives_the_documented_columns_first(golden_workspace):
    home = golden_workspace.root
    assert run("compute", "--home", home).exit_code == 0
    result = run("export", "indicators", "--level", "municipality", "--year", 2024, "--indicator", "vpr_base",
                 "--home", home)
    assert result.exit_code == 0
    header = result.stdout.splitlines()[0].split(",")
    assert header[:7] == ["level", "id", "year", "indicator", "value", "numerator", "denominator"]
    rows = {r["id"]: r for r in rows_of(result.stdout)}
    assert set(rows) == {"M1", "M2", "M3"}
    assert (rows["M1"]["value"], rows["M1"]["numerator"], rows["M1"]["denominator"]) == ("0.875", "7", "8")


def test_export_filters_by_subject_and_grade(golden_workspace, tmp_path):
    home = golden_workspace.root
    run("compute", "--home", home)
    out = tmp_path / "out.csv"
    result = run("export", "indicators", "--level", "total", "--indicator", "vpr_base", "--subject", "Математика",
                 "--grade", 5, "--year", 2024, "-o", out, "--home", home)
    assert result.exit_code == 0
    [row] = rows_of(out.read_text(encoding="utf-8"))
    assert (row["numerator"], row["denominator"], row["subject"], row["grade"]) == ("6", "8", "Математика", "5")


def test_export_before_compute_is_refused_with_exit_1(golden_workspace):
    result = run("export", "indicators", "--level", "region", "--home", golden_workspace.root)
    assert result.exit_code == 1
    assert "msoko compute" in result.stderr


def test_export_with_an_unknown_level_is_a_usage_error(golden_workspace):
    result = run("export", "indicators", "--level", "school", "--home", golden_workspace.root)
    assert result.exit_code == 2


def test_catalog_list_shows_computed_and_waiting_indicators(golden_workspace):
    home = golden_workspace.root
    run("compute", "--home", home)
    result = runner.invoke(app, ["catalog", "list", "--home", str(home)], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    assert "рассчитан" in result.stdout
    assert "ожидает набор данных form_talents" in result.stdout


def test_compute_rejects_a_broken_workspace_catalog_with_exit_1(golden_workspace):
    own = golden_workspace.root / "catalog"
    own.mkdir()
    (own / "catalog.yaml").write_text("mechanisms: [{code: '1', name: x}]\nsystems: []\nindicators:\n"
                                      "  - {code: x, name: x, system: '9.9', track: main, kind: count, unit: ед.,"
                                      " formula: 'count(*)', dataset: vpr, direction: neutral, source: s}\n",
                                      encoding="utf-8")
    result = run("compute", "--home", golden_workspace.root)
    assert result.exit_code == 1
    assert "неизвестная система «9.9»" in result.stderr


def test_a_broken_detection_yaml_stops_compute_before_any_result_is_written(golden_workspace):
    home = golden_workspace.root
    (home / "detection.yaml").write_text("objectivity:\n  journal:\n    raised_exces: 0.2\n", encoding="utf-8")
    result = run("compute", "--home", home)
    assert result.exit_code == 1
    assert "raised_exces" in result.stderr
    assert "detection.yaml" in result.stderr
    assert not (home / "results" / "indicators" / "manifest.json").exists()
