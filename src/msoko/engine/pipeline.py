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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from msoko.core.issues import Issue, RejectedInput, has_errors
from msoko.core.workspace import Workspace
from msoko.engine import ENGINES as ENGINES  # what computes the indicators (re-exported for the CLI)
from msoko.engine.catalog import DEFAULT_CATALOG, Catalog, load_catalog
from msoko.engine.catalog.validate import dataset_specs
from msoko.engine.compute import Progress, compute, connect
from msoko.engine.results import Replaces, ResultStore
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
    stage_seconds: dict[str, float] = field(default_factory=dict)  # filled by run_all: stage → seconds
    plan: dict | None = None  # filled by run_all: what was recomputed and why (`incremental.Plan.as_dict`)
    engine: str = "duckdb"  # what computed the indicators

    def as_dict(self) -> dict:
        """The summary as plain JSON (a web job's result, the API's answer)."""
        return {
            "run_id": self.run_id, "rows": self.rows, "computed": len(self.computed), "waiting": len(self.waiting),
            "years": list(self.years), "seconds": round(self.seconds, 2),
            "warnings": [issue.as_dict() for issue in self.warnings],
            "detection": self.detection, "ratings": self.ratings, "distributions": self.distributions,
            "origins": dict(self.origins), "stages": dict(self.stage_seconds), "plan": self.plan,
            "engine": self.engine,
        }


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


# compute's reasons as a run over every year states them (engine/compute.py)
NO_ROWS_REASON = "в наборе {name} нет строк, подходящих под фильтры показателя, за годы расчёта"
NO_YEARS_REASON = "в наборе {name} нет строк с годом"


def _absent(store: ResultStore, everything: Catalog, recomputed: Catalog, found: dict[str, str]) -> dict[str, str]:
    """`absent` as a run over every indicator and year would record it, after a run over some of them: the
    others keep what was recorded; a recomputed indicator is absent only if no year of it is active."""
    codes = {i.code for i in recomputed.indicators}
    active = store.computed_indicators()
    out = {code: reason for code, reason in store.absent().items()
           if code not in codes and code in {i.code for i in everything.indicators}}
    for code, reason in found.items():
        if code in active:
            continue
        if "нет результатов за" in reason:  # said of the years given, not of the data as a whole
            reason = (NO_ROWS_REASON if active else NO_YEARS_REASON).format(name=recomputed.indicator(code).dataset)
        out[code] = reason
    return dict(sorted(out.items()))


def run_datasets(ws: Workspace, run_id: str) -> dict[str, dict]:
    """What an indicator run read, as recorded by `recompute` (empty for runs stored before it did)."""
    return dict(ResultStore(ws.results).manifest()["runs"].get(run_id, {}).get("datasets", {}))


def recompute(ws: Workspace, *, catalog: Catalog | None = None, years: list[int] | None = None,
              progress: Progress | None = None, memory_limit: str | None = None,
              derived: Mapping[str, DerivedSource] | None = None, only: set[str] | None = None,
              engine: str = "duckdb") -> RunSummary:
    """Recompute every indicator with data; raises RejectedInput when the catalog has errors.

    `derived`: datasets msoko produced itself (`derived_sources(ws)`), each read only where the warehouse
    holds none of that name. `engine`: "duckdb", or "spark" — the same statements on Spark
    (`msoko.engine.spark`; needs the `spark` extra and Java 17). `only`: recompute just the indicators over these catalog datasets (an
    incremental run). The run replaces the active values of what it recomputed — the indicators × `years`
    (every indicator and year when both are None), so a value no longer computed is no longer shown."""
    started = time.perf_counter()
    warnings: list[Issue] = []
    if catalog is None:
        catalog, issues = workspace_catalog(ws)
        if catalog is None or has_errors(issues):
            raise RejectedInput(issues)
        warnings = issues
    store = ResultStore(ws.results)
    versions = store.resolve_versions(catalog)
    everything = catalog
    if only is not None:
        catalog = catalog.model_copy(update={"indicators": tuple(i for i in catalog.indicators if i.dataset in only)})
    replaces = (Replaces.everything() if years is None and only is None else
                Replaces([i.code for i in catalog.indicators], years))
    spill = ws.root / "tmp"
    spill.mkdir(parents=True, exist_ok=True)
    warehouse = WarehouseWithDerived(ws.warehouse, derived=dict(derived or {}))
    con = connect(memory_limit or "4GB", temp_dir=str(spill))
    runner = None
    if engine != "duckdb":
        from msoko.engine.spark import runner_for

        runner = runner_for(engine, con, spill, memory_limit)
    try:
        outcome = compute(warehouse, catalog, years=years, versions=versions, progress=progress, con=con,
                          runner=runner)
        origins = _origins(warehouse, catalog, outcome.computed)
        run_id = (store.write_run_from(con, outcome.table, catalog, versions, datasets=origins, replaces=replaces)
                  if outcome.rows else None)
        if run_id is None:
            store.drop_active(replaces)
        store.record_absent(_absent(store, everything, catalog, outcome.absent) if only is not None
                            else outcome.absent)
    finally:
        con.close()
        if runner is not None:
            runner.cleanup()
    return RunSummary(run_id=run_id, rows=outcome.rows, computed=outcome.computed,
                      waiting=outcome.waiting, years=outcome.years, seconds=time.perf_counter() - started,
                      warnings=warnings + outcome.warnings,
                      origins={name: o.get("version", "warehouse") if o["origin"] == "derived" else "warehouse"
                               for name, o in origins.items()})


# ---- the whole sequence ----------------------------------------------------------------------------------
# stage title, a detail (the step inside the stage), done, total — the CLI draws bars, a web job stores it
StageProgress = Callable[[str, str, int, int], None]
STAGE_DETECTION = "Объективность, ШНОР/ШНСУ"
STAGE_INDICATORS = "Показатели"
STAGE_RATINGS = "Рейтинг муниципалитетов"
STAGE_DISTRIBUTIONS = "Распределения баллов ВПР, задания Б/П"
STAGES = (STAGE_DETECTION, STAGE_INDICATORS, STAGE_RATINGS, STAGE_DISTRIBUTIONS)


def run_all(ws: Workspace, *, years: list[int] | None = None, progress: StageProgress | None = None,
            memory_limit: str | None = None, full: bool = False, engine: str = "duckdb") -> RunSummary:
    """Detection → indicators (fed detection's lists) → municipal ratings → ВПР distributions; one summary.

    Detection reads only the warehouse, never indicator values, so it runs first; the catalog's `risk_lists`
    indicators then read its lists (unless the region imported its own `risk_lists`). Every configuration
    (the catalog, `detection.yaml`, `ratings.yaml`) is checked before anything is written: a broken one
    raises RejectedInput with located issues and leaves the stored results as they were.
    The CLI (`msoko compute`), the web recompute job and the API call this.

    Incremental by default (`engine.incremental`): only what changed since the last complete run is
    recomputed — whole stages or whole years, never a part of a year — so the stored results are those a
    full run would store. `full=True` recomputes everything; so does a run without a recorded state, and
    one with `years` (which then leaves no state: the next run starts from scratch).
    `summary.plan` says what was recomputed and why. `engine` computes the indicators ("spark": the same
    statements on PySpark, see `recompute`); detection, ratings and distributions are DuckDB's either way.
    """
    from msoko.engine import distributions, incremental, ratings
    from msoko.engine.detection import load_config
    from msoko.engine.detection import run as run_detection

    catalog, catalog_issues = workspace_catalog(ws)
    if catalog is None or has_errors(catalog_issues):
        raise RejectedInput(catalog_issues)
    detection_config, issues = load_config(ws)
    if detection_config is None:
        raise RejectedInput(issues)
    ratings_config, issues = ratings.load_config(ws.root)
    if ratings_config is None:
        raise RejectedInput(issues)

    started = time.perf_counter()
    seconds: dict[str, float] = {}
    warehouse = Warehouse(ws.warehouse)
    snapshot = warehouse.manifest()["datasets"]
    settings = incremental.settings_fingerprints(catalog, detection_config, ratings_config)
    if years is not None:
        plan = incremental.full_plan(f"расчёт только за {', '.join(str(y) for y in sorted(years))}")
        plan.years_only = sorted(years)
    elif full:
        plan = incremental.full_plan("полный пересчёт по запросу (--full)")
    else:
        plan = incremental.plan(ws, catalog, settings, snapshot)
        plan.seconds = time.perf_counter() - started

    def reporter(stage: str):
        def step(name: str, done: int, total: int) -> None:
            if progress is not None:
                progress(stage, name, done, total)
        return step

    def timed(stage: str, work):
        begun = time.perf_counter()
        reporter(stage)("", 0, 1)
        out = work(reporter(stage))
        reporter(stage)("готово", 1, 1)
        seconds[stage] = round(time.perf_counter() - begun, 2)
        return out

    def skipped(stage: str) -> None:
        reporter(stage)("без изменений", 1, 1)

    detection = None
    if plan.full or plan.detection:
        lists_before = None if plan.full else derived_sources(ws).get(RISK_LISTS)
        detection = timed(STAGE_DETECTION, lambda step: run_detection(
            ws, years, step, changed_years=None if plan.full else plan.detection_years))
    else:
        skipped(STAGE_DETECTION)
    derived = derived_sources(ws)
    if not plan.full and plan.detection:
        after = derived.get(RISK_LISTS)
        incremental.follow_detection(plan, catalog, lists_before and lists_before.table, after and after.table)

    if plan.full or plan.indicator_datasets:
        indicator_years = years if plan.full else sorted(plan.indicator_years or ())
        summary = timed(STAGE_INDICATORS, lambda step: recompute(
            ws, catalog=catalog, years=indicator_years, progress=step, derived=derived, memory_limit=memory_limit,
            only=None if plan.full else plan.indicator_datasets, engine=engine))
    else:
        skipped(STAGE_INDICATORS)
        summary = RunSummary(run_id=None, rows=0, computed=[], waiting={}, years=[], seconds=0.0)
    summary.warnings = catalog_issues + summary.warnings
    summary.detection = detection
    if plan.full or plan.ratings:
        summary.ratings = timed(STAGE_RATINGS, lambda _step: ratings.run(
            ws.results, warehouse, catalog, ratings_config, indicator_run=summary.run_id))
    else:
        skipped(STAGE_RATINGS)
    if plan.full or plan.distribution_years:
        summary.distributions = timed(STAGE_DISTRIBUTIONS, lambda step: _distributions(
            distributions, warehouse, ws, years if plan.full else sorted(plan.distribution_years or ()),
            distributions.min_group_of(catalog), step))
    else:
        skipped(STAGE_DISTRIBUTIONS)
    if years is None:
        incremental.save_state(ws, snapshot, settings)
    else:
        incremental.forget_state(ws)
    summary.plan = plan.as_dict()
    summary.engine = engine
    summary.stage_seconds = seconds
    summary.seconds = time.perf_counter() - started
    return summary


def _distributions(module, warehouse: Warehouse, ws: Workspace, years: list[int] | None, min_group: int, step):
    """The ВПР distributions of `years` (all when None). A year recomputed that no longer has ВПР rows would
    keep an empty entry a run over every year does not have: the distributions are then stored whole."""
    out = module.run(warehouse, ws.results, years, min_group=min_group, progress=step)
    if years is not None and set(years) - set(out["years"]):
        out = module.run(warehouse, ws.results, None, min_group=min_group, progress=step)
    return out
