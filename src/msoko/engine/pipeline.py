"""One call for a full recompute: catalog → values → result store. Used by the CLI, the web and benchmarks.

The catalog is the workspace's own `catalog/` folder when present (a region's edited copy), else the
shipped default.

Datasets msoko derives itself are passed as `derived` (see `derived_sources`): today `risk_lists`, the ШНОР/ШНСУ
lists of the stored detection run. Each indicator run records in the result manifest what every dataset it
read was (`runs[<run>].datasets`: the warehouse's active version ids, or the derived source's version such as
`detection:<run id>`), so a stored value can be traced to its data.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from msoko.core.issues import Issue, RejectedInput, has_errors
from msoko.core.workspace import Workspace
from msoko.engine.catalog import DEFAULT_CATALOG, Catalog, load_catalog
from msoko.engine.catalog.validate import dataset_specs
from msoko.engine.compute import Progress, compute, connect
from msoko.engine.results import ResultStore
from msoko.engine.sources import DerivedSource, WarehouseWithDerived
from msoko.engine.warehouse import Warehouse

RISK_LISTS = "risk_lists"
RISK_LISTS_LABEL = "списки ШНОР/ШНСУ модуля выявления"
# the datasets `derived_sources` can produce → (the warehouse datasets they come from, any one suffices; label)
DERIVED_FROM = {RISK_LISTS: (("vpr", "gia"), RISK_LISTS_LABEL)}


def catalog_path(ws: Workspace) -> Path:
    own = ws.root / "catalog"
    return own if own.exists() else DEFAULT_CATALOG


def workspace_catalog(ws: Workspace) -> tuple[Catalog | None, list[Issue]]:
    """The workspace's catalog, with the further columns its data hold (formulas may use them)."""
    from msoko.engine.sources import data_columns

    return load_catalog(catalog_path(ws), data_columns=data_columns(Warehouse(ws.warehouse)))


@dataclass
class RunSummary:
    run_id: str | None
    rows: int
    computed: list[str]
    waiting: dict[str, str]
    years: list[int]
    seconds: float
    warnings: list[Issue] = field(default_factory=list)
    detection: dict | None = None  # filled by the caller that also runs detection
    distributions: dict | None = None  # filled by the caller that also stores the ВПР distributions
    ratings: dict | None = None  # filled by the caller that also stores the municipal ratings
    # dataset → where its rows came from: "warehouse" (imported) or a derived source's version
    origins: dict[str, str] = field(default_factory=dict)


def risk_lists_table(risk, lists) -> pa.Table:
    """The `risk_lists` dataset from detection's stored tables (polars frames `risk` and `lists`).

    One row per school × year that detection judged, plus any school that left a list that year without
    results of its own: `shnor`, `shnsu` (on the list that year), `entered` (entered ШНОР or ШНСУ that year),
    `left` (left one of them). `entered`/`left` are empty (NULL) in a year whose previous year detection has
    no rows for — with nothing to compare, every listed school would otherwise count as «entered»; the
    pages show no movement for such a year either.
    """
    import polars as pl

    key = ["year", "org_id"]
    flags = (risk.select(pl.col("year").cast(pl.Int64), "org_id", pl.col("shnor").cast(pl.Int64),
                         pl.col("shnsu").cast(pl.Int64)) if risk.height else
             pl.DataFrame(schema={"year": pl.Int64, "org_id": pl.Utf8, "shnor": pl.Int64, "shnsu": pl.Int64}))
    moves = (lists.with_columns(pl.col("year").cast(pl.Int64)).group_by(key).agg(
        (pl.col("status") == "entered").any().cast(pl.Int64).alias("entered"),
        (pl.col("status") == "left").any().cast(pl.Int64).alias("left")) if lists.height else
        pl.DataFrame(schema={"year": pl.Int64, "org_id": pl.Utf8, "entered": pl.Int64, "left": pl.Int64}))
    years = set(flags["year"].to_list())
    df = flags.join(moves, on=key, how="full", coalesce=True).with_columns(
        pl.col("shnor", "shnsu").fill_null(0),
        pl.col("entered", "left").fill_null(0))
    compared = pl.col("year").is_in(sorted(y for y in years if y - 1 in years))
    df = df.with_columns(*[pl.when(compared).then(pl.col(c)).otherwise(None).alias(c) for c in ("entered", "left")])
    return df.sort(key).to_arrow()


def derived_sources(ws: Workspace) -> dict[str, DerivedSource]:
    """The datasets msoko derives from its own stored results: `risk_lists` from the current detection run
    (nothing before detection has stored a run). A region's imported dataset of the same name still wins."""
    from msoko.engine.detection.store import DetectionResults

    found = DetectionResults.open(ws.results)
    if found is None:
        return {}
    table = risk_lists_table(found.risk(), found.lists())
    if not table.num_rows:  # nothing judged: the indicators keep waiting rather than compute from no rows
        return {}
    return {RISK_LISTS: DerivedSource(table, f"detection:{found.meta['run']}",
                                      f"{RISK_LISTS_LABEL} (msoko compute)")}


def _origins(warehouse: Warehouse, catalog: Catalog, computed: list[str]) -> dict[str, dict]:
    """What each dataset the run's indicators read was: warehouse version ids, or the derived version."""
    specs = dataset_specs(catalog)
    used = {catalog.indicator(code).dataset for code in computed}
    out: dict[str, dict] = {}
    for name in sorted(used):
        source = specs[name].source if name in specs else name
        derived = warehouse.derived_for(source) if isinstance(warehouse, WarehouseWithDerived) else None
        if derived is not None:
            out[name] = {"origin": "derived", "version": derived.version}
        else:
            out[name] = {"origin": "warehouse", "source": source,
                         "versions": sorted(set(warehouse.active_versions(source).values()))}
    return out


def run_datasets(ws: Workspace, run_id: str) -> dict[str, dict]:
    """What an indicator run read, as recorded by `recompute` (empty for runs stored before it did)."""
    return dict(ResultStore(ws.results).manifest()["runs"].get(run_id, {}).get("datasets", {}))


def recompute(ws: Workspace, *, catalog: Catalog | None = None, years: list[int] | None = None,
              progress: Progress | None = None, memory_limit: str | None = None,
              derived: Mapping[str, DerivedSource] | None = None) -> RunSummary:
    """Recompute every indicator with data; raises RejectedInput when the catalog has errors.

    `derived`: datasets msoko produced itself (`derived_sources(ws)`), each read only where the warehouse
    holds none of that name."""
    started = time.perf_counter()
    warnings: list[Issue] = []
    if catalog is None:
        catalog, issues = workspace_catalog(ws)
        if catalog is None or has_errors(issues):
            raise RejectedInput(issues)
        warnings = issues
    store = ResultStore(ws.results)
    versions = store.resolve_versions(catalog)
    spill = ws.root / "tmp"
    spill.mkdir(parents=True, exist_ok=True)
    warehouse = WarehouseWithDerived(ws.warehouse, derived=dict(derived or {}))
    con = connect(memory_limit or "4GB", temp_dir=str(spill))
    try:
        outcome = compute(warehouse, catalog, years=years, versions=versions, progress=progress, con=con)
        origins = _origins(warehouse, catalog, outcome.computed)
        run_id = (store.write_run_from(con, outcome.table, catalog, versions, datasets=origins)
                  if outcome.rows else None)
        store.record_absent(outcome.absent)
    finally:
        con.close()
    return RunSummary(run_id=run_id, rows=outcome.rows, computed=outcome.computed,
                      waiting=outcome.waiting, years=outcome.years, seconds=time.perf_counter() - started,
                      warnings=warnings + outcome.warnings,
                      origins={name: o.get("version", "warehouse") if o["origin"] == "derived" else "warehouse"
                               for name, o in origins.items()})
