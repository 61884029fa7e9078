"""Editing a formula makes a new version; values stored with the old one stay as they were."""

from __future__ import annotations

import shutil

import pyarrow as pa

from msoko.engine.catalog import DEFAULT_CATALOG, default_catalog, load_catalog
from msoko.engine.pipeline import recompute
from msoko.engine.results import VALUE_SCHEMA, ResultStore


def _edit_vpr_base(ws, formula: str) -> None:
    own = ws.root / "catalog"
    if not own.exists():
        shutil.copytree(DEFAULT_CATALOG, own)
    path = own / "indicators" / "1.1.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - code: vpr_base")
    head, rest = text[:start], text[start:]
    old = rest.split("formula: ", 1)[1].split("\n", 1)[0]
    path.write_text(head + rest.replace(f"formula: {old}", f"formula: {formula}", 1), encoding="utf-8")


def _total_2024(store: ResultStore):
    [row] = store.indicator_values(level="total", year=2024, indicator="vpr_base").to_pylist()
    return row


def test_editing_a_formula_and_recomputing_keeps_earlier_values_and_their_version(golden_workspace):
    ws = golden_workspace
    store = ResultStore(ws.results)
    recompute(ws)
    before = _total_2024(store)
    assert (before["value"], before["version"]) == (11 / 14, 1)

    _edit_vpr_base(ws, "count_if(mark >= 4) / count(*)")
    recompute(ws)
    after = _total_2024(store)
    assert (after["value"], after["version"]) == (8 / 14, 2)

    history = [r for r in store.history("vpr_base", level="total", year=2024).to_pylist()
               if r["subject"] is None and r["grade"] is None]
    assert sorted((r["version"], r["value"]) for r in history) == [(1, 11 / 14), (2, 8 / 14)]
    versions = store.versions("vpr_base")
    assert [(v["version"], v["formula"]) for v in versions] == [
        (1, "count_if(mark >= 3) / count(*)"), (2, "count_if(mark >= 4) / count(*)")]


def test_recomputing_an_unchanged_formula_keeps_its_version(golden_workspace):
    store = ResultStore(golden_workspace.results)
    recompute(golden_workspace)
    recompute(golden_workspace)
    assert _total_2024(store)["version"] == 1
    assert len(store.versions("vpr_base")) == 1


def test_going_back_to_an_earlier_formula_reuses_its_version(golden_workspace):
    ws = golden_workspace
    store = ResultStore(ws.results)
    recompute(ws)
    _edit_vpr_base(ws, "count_if(mark >= 4) / count(*)")
    recompute(ws)
    _edit_vpr_base(ws, "count_if(mark >= 3) / count(*)")
    recompute(ws)
    assert _total_2024(store)["version"] == 1
    catalog, _ = load_catalog(ws.root / "catalog")
    assert catalog.indicator("vpr_base").formula == "count_if(mark >= 3) / count(*)"


def test_recomputing_one_year_leaves_the_other_years_in_place(golden_workspace):
    ws = golden_workspace
    store = ResultStore(ws.results)
    recompute(ws)
    summary = recompute(ws, years=[2024])
    assert summary.years == [2024]
    years = {r["year"] for r in store.indicator_values(level="total", indicator="vpr_base").to_pylist()}
    assert years == {2023, 2024}


def test_values_can_be_read_for_a_set_of_ids_and_the_total(tmp_path):
    """A server of one region reads only its share of a larger store (the total always)."""
    catalog = default_catalog()
    store = ResultStore(tmp_path)
    rows = [("organisation", "o1"), ("organisation", "o2"), ("municipality", "m1"), ("region", "r2"),
            ("total", "total")]
    columns = {name: [None] * len(rows) for name in VALUE_SCHEMA.names}
    columns.update(level=[r[0] for r in rows], id=[r[1] for r in rows], year=[2026] * len(rows),
                   indicator=["vpr_base"] * len(rows), value=[0.5] * len(rows), version=[1] * len(rows))
    store.write_run(pa.table(columns, schema=VALUE_SCHEMA), catalog, store.resolve_versions(catalog))
    everything = store.indicator_values(breakdowns=True)
    assert everything.num_rows == 5
    kept = store.indicator_values(breakdowns=True, ids={"o1", "m1"})
    assert sorted(zip(kept["level"].to_pylist(), kept["id"].to_pylist(), strict=True)) == [
        ("municipality", "m1"), ("organisation", "o1"), ("total", "total")]
