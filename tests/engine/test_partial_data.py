"""`msoko compute` on partial data: whatever the warehouse lacks, compute exits 0, every indicator without
input is simply absent (no stored rows) and `msoko catalog list` says why (issue 14, item 3)."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

import golden  # noqa: E402

from msoko.cli.main import app  # noqa: E402
from msoko.core.workspace import Workspace  # noqa: E402
from msoko.engine.results import ResultStore  # noqa: E402
from msoko.engine.schemas import CONTEXT_KEYS, GIA, ORGANISATIONS, SCALES, VPR  # noqa: E402
from msoko.engine.warehouse import Warehouse  # noqa: E402

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def _workspace(tmp_path: Path, *, orgs=golden.ORGS, vpr=(), gia=(), context=()) -> Workspace:
    ws = Workspace(tmp_path / "home").ensure()
    wh, manifest = Warehouse(ws.warehouse), {"datasets": {}}
    golden._write(wh, manifest, "organisations", pa.Table.from_pylist(
        [{"org_id": o, "name": f"Школа {o}", "kind": k, "municipality_id": m, "municipality_name": m,
          "region_id": r, "region_name": r} for o, k, m, r in orgs], schema=ORGANISATIONS))
    golden._write(wh, manifest, "scales", pa.Table.from_pylist(
        [{"year": y, "procedure": p, "subject": s, "grade": None, "mark_or_level": k, "min_score": lo,
          "max_score": hi, "score_kind": kind, "source": "test"} for y, p, s, k, lo, hi, kind in golden.SCALE_ROWS],
        schema=SCALES))
    if vpr:
        golden._write(wh, manifest, "vpr", pa.Table.from_pylist(
            [{"year": y, "org_id": o, "participant": f"p{i}", "subject": s, "grade": g, "variant": 1,
              "primary_score": 10, "mark": m, "journal_mark": j} for i, (y, o, s, g, m, j) in enumerate(vpr)],
            schema=VPR))
    if gia:
        golden._write(wh, manifest, "gia", pa.Table.from_pylist(
            [{"year": y, "org_id": o, "participant": f"g{i}", "subject": s, "exam": e, "primary_score": p,
              "test_score": t, "mark": m} for i, (y, o, s, e, p, t, m) in enumerate(gia)], schema=GIA))
    if context:
        schema = CONTEXT_KEYS.append(pa.field("students", pa.int32())).append(pa.field("ovz", pa.int32()))
        golden._write(wh, manifest, "context", pa.Table.from_pylist(
            [{"year": y, "org_id": o, "students": n, "ovz": v} for y, o, n, v in context], schema=schema))
    wh.write_manifest(manifest)
    return ws


def _computed(ws: Workspace) -> set[str]:
    return set(ResultStore(ws.results).computed_indicators())


def _catalog_status(ws: Workspace) -> dict[str, str]:
    """What `msoko catalog list` shows in its «Состояние» column (read from the function it prints)."""
    from msoko.engine.catalog.status import data_status
    from msoko.engine.pipeline import workspace_catalog

    result = run("catalog", "list", "--home", ws.root)
    assert result.exit_code == 0, result.output
    catalog, _ = workspace_catalog(ws)
    return data_status(ws, catalog)


OGE = [r for r in golden.GIA_ROWS if r[3] == "ОГЭ"]
EGE = [r for r in golden.GIA_ROWS if r[3] == "ЕГЭ"]
CONTEXT = [(2024, "A", 300, 5), (2024, "B", 200, 0), (2024, "C", 100, 2), (2024, "D", 150, 1)]


def _compute_ok(ws: Workspace, *extra) -> None:
    result = run("compute", "--home", ws.root, *extra)
    assert result.exit_code == 0, result.output
    assert "Внутренняя ошибка" not in result.output


def test_oge_only(tmp_path):
    ws = _workspace(tmp_path, gia=OGE)
    _compute_ok(ws)
    computed = _computed(ws)
    assert "oge_mean_mark" in computed or any(c.startswith("oge_") for c in computed)
    assert not any(c.startswith("ege_") for c in computed)
    status = _catalog_status(ws)
    ege = [line for code, line in status.items() if code.startswith("ege_")]
    assert ege and all("нет результатов ЕГЭ" in line for line in ege), ege[:3]


def test_ege_only(tmp_path):
    ws = _workspace(tmp_path, gia=EGE)
    _compute_ok(ws)
    computed = _computed(ws)
    assert any(c.startswith("ege_") for c in computed)
    assert not any(c.startswith("oge_") for c in computed)
    status = _catalog_status(ws)
    oge = [line for code, line in status.items() if code.startswith("oge_")]
    assert oge and all("нет результатов ОГЭ" in line for line in oge), oge[:3]


def test_vpr_only(tmp_path):
    ws = _workspace(tmp_path, vpr=golden.VPR_ROWS)
    _compute_ok(ws)
    computed = _computed(ws)
    assert "vpr_base" in computed
    assert not any(c.startswith(("oge_", "ege_")) for c in computed)


def test_context_only(tmp_path):
    ws = _workspace(tmp_path, context=CONTEXT)
    _compute_ok(ws)
    assert not any(c.startswith(("vpr_", "oge_", "ege_")) for c in _computed(ws))


def test_a_single_organisation(tmp_path):
    ws = _workspace(tmp_path, orgs=[golden.ORGS[0]], vpr=[r for r in golden.VPR_ROWS if r[1] == "A"],
                    gia=[r for r in golden.GIA_ROWS if r[1] == "A"])
    _compute_ok(ws)
    assert "vpr_base" in _computed(ws)


def test_a_year_with_no_results(tmp_path):
    ws = _workspace(tmp_path, vpr=golden.VPR_ROWS, gia=golden.GIA_ROWS, context=[(2025, "A", 300, 5)])
    _compute_ok(ws, "--year", 2019)
    _compute_ok(ws, "--year", 2025)  # only context has 2025
    _compute_ok(ws)


def test_gia_without_oge_or_ege_rows_a_foreign_exam(tmp_path):
    foreign = [(2024, o, s, "Saber 11", p, None, None) for (_, o, s, _, p, _, _) in golden.GIA_ROWS]
    ws = _workspace(tmp_path, gia=foreign)
    _compute_ok(ws)
    assert not any(c.startswith(("oge_", "ege_")) for c in _computed(ws))


REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"
if not REAL.exists():
    REAL = Path("/work/shared/data/real")


@pytest.mark.skipif(not REAL.exists(), reason="shared real data not mounted")
@pytest.mark.parametrize("path, profile", [
    ("colombia_saber11_calendarB/csv/SB11_20141.csv.gz", "saber11-students"),
    ("enem2019_acre_roraima/rr.csv.zip", "enem-students"),  # runs once a profile of that name is shipped
])
def test_real_files_import_then_compute_exits_0(tmp_path, path, profile):
    from msoko.ingest import import_file
    from msoko.ingest.profiles import shipped_profiles

    if profile not in shipped_profiles():
        pytest.skip(f"no shipped profile {profile}")

    ws = Workspace(tmp_path / "home").ensure()
    outcome = import_file(ws, REAL / path, profile=profile)  # what `msoko import results --profile` runs
    assert outcome.status == "committed", [i.format() for i in outcome.errors]
    _compute_ok(ws)
    computed = _computed(ws)
    assert not any(c.startswith(("oge_", "ege_")) for c in computed)
    assert "нет результатов ЕГЭ" in _catalog_status(ws)["ege_mean"]
