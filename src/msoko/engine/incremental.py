"""What changed since the last complete `run_all`, and what must be recomputed for results identical to a full run.

After every complete run `run_all` writes `results/pipeline.json`: the warehouse manifest it read (dataset →
partition → version id), fingerprints of the settings (the catalog with its data columns, `detection.yaml`,
`ratings.yaml`, the shipped reference scales, the msoko version) and of the stored results it left (the
indicators' active runs, the detection, ratings and distributions runs). The next run compares:

- a settings fingerprint that differs, stored results changed by someone else since (a `--year` run, a
  direct `recompute`), no state, or a changed registry (`organisations`: every unit's hierarchy) → full;
- a warehouse partition whose version differs → the rows of the old and new versions are compared
  (summaries of row hashes per year × organisation, `row_changes`): the years and organisations whose
  rows differ. A version no longer on
  disk, or a changed dataset without a `year` column, → full.

What depends on what (decision 0014):

- detection's rules read every year (clusters and standing look back several years, list movement compares
  with the previous year): they are rerun whole when any of detection's inputs changed; the group
  aggregates they read are per year (`detection.data.YEARLY`: moments, boundaries and minimum scores are
  per year), so only the years whose ВПР, tasks, ГИА or scales changed are rebuilt from the warehouse and
  the others are read from the stored run;
- an indicator's value for year Y rests on its dataset's rows of year Y (all units: ranks, peers and best
  values are among every unit of the level, year and breakdown) and its `change` on year Y − 1, so a
  change in year Y recomputes the indicators of the datasets that read it for years Y and Y + 1 — whole
  years, every unit; `risk_lists` indicators follow the years whose detection lists differ;
- ВПР distributions of year Y read only year Y (`vpr`, `vpr_tasks`, `scales`);
- ratings score every year's stored municipal values (dynamics use the previous year): rerun whole when
  anything was recomputed (they take hundredths of a second).

Units are never recomputed alone: a school's value moves its municipality's and region's sums and every
rank and percentile of its peers, so a partial year would not be exact.
"""

# ruff: noqa: S608 — SQL here reads the warehouse's own Parquet files; paths are quoted
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from msoko.core.atomic import write_json
from msoko.core.workspace import Workspace
from msoko.engine.catalog import Catalog
from msoko.engine.catalog.validate import dataset_specs
from msoko.engine.warehouse import Warehouse

STATE = "pipeline.json"
JOURNAL = "imports.jsonl"  # the ingest layer's journal of imports and roll-backs, under the warehouse
FORMAT = 1
REGISTRY = "organisations"
# warehouse datasets the ВПР distributions read year by year (the registry is handled as a full change)
DISTRIBUTION_INPUTS = ("vpr", "vpr_tasks", "scales")
SCALED = ("oge", "ege")  # catalog datasets that join that year's scales
DERIVED = ("risk_lists",)  # datasets msoko derives unless the warehouse holds the region's own (pipeline.DERIVED_FROM)
SETTINGS_LABELS = {
    "engine": "версия msoko",
    "catalog": "каталог показателей",
    "reference": "справочные шкалы",
    "detection": "настройки выявления (detection.yaml)",
    "ratings": "настройки рейтинга (ratings.yaml)",
}


def _digest(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()[:32]


def settings_fingerprints(catalog: Catalog, detection_config, ratings_config) -> dict[str, str]:
    """Everything besides the warehouse that a run's results depend on, as short hashes."""
    from msoko import __version__
    from msoko.engine.reference import SCALES_CSV

    specs = dataset_specs(catalog)
    return {
        "engine": __version__,
        "catalog": _digest(catalog.model_dump_json() + repr(sorted(specs.items()))),
        "reference": _digest(SCALES_CSV.read_bytes() if SCALES_CSV.exists() else b""),
        "detection": _digest(detection_config.model_dump_json()),
        "ratings": _digest(ratings_config.model_dump_json()),
    }


def results_fingerprint(ws: Workspace) -> dict[str, str | None]:
    """What the stored results are now: a later writer outside the pipeline changes one of these."""
    from msoko.core.atomic import current_run
    from msoko.engine import distributions, ratings
    from msoko.engine.detection import store as detection_store
    from msoko.engine.results import ResultStore

    active = ResultStore(ws.results).manifest()["active"]
    detection = current_run(detection_store.root(ws.results))
    rated = current_run(ratings.root(ws.results))
    pointer = distributions.root(ws.results) / distributions.POINTER
    return {
        "indicators": _digest(json.dumps(active, sort_keys=True)),
        "detection": detection[1].get("run") if detection else None,
        "ratings": rated[1].get("run") if rated else None,
        "distributions": _digest(pointer.read_bytes()) if pointer.exists() else None,
    }


def state_path(ws: Workspace) -> Path:
    return ws.results / STATE


def load_state(ws: Workspace) -> dict | None:
    try:
        data = json.loads(state_path(ws).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data if data.get("format") == FORMAT else None


def save_state(ws: Workspace, warehouse: dict, settings: dict[str, str]) -> None:
    """Record what a complete run read and the results it left (called last, after every stage)."""
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    write_json(state_path(ws), {"format": FORMAT, "finished_at": finished, "warehouse": warehouse,
                                "settings": settings, "results": results_fingerprint(ws)})


def forget_state(ws: Workspace) -> None:
    """A run that did not leave results equal to a full run's (`--year`): the next one starts from scratch."""
    state_path(ws).unlink(missing_ok=True)


# ---- the plan --------------------------------------------------------------------------------------------
@dataclass
class Plan:
    """What a run recomputes. `full`: everything (the reasons say why); otherwise only what is listed."""

    full: bool
    reasons: list[str] = field(default_factory=list)  # Russian, for the summary
    detection: bool = True
    detection_years: set[int] | None = None  # years whose group aggregates detection rebuilds (None = all)
    ratings: bool = True
    indicator_datasets: set[str] | None = None  # catalog datasets whose indicators are recomputed (None = all)
    indicator_years: set[int] | None = None  # None = every year
    distribution_years: set[int] | None = None  # None = every year
    changed_years: dict[str, list[int]] = field(default_factory=dict)  # warehouse dataset → years changed
    changed_orgs: dict[str, int] = field(default_factory=dict)  # warehouse dataset → organisations changed
    imports: list[str] = field(default_factory=list)  # ids of the imports (or roll-backs) behind the change
    seconds: float = 0.0  # spent finding what changed
    years_only: list[int] | None = None  # a run asked for these years (`--year`): every stage, those years only

    @property
    def nothing(self) -> bool:
        return (not self.full and not self.detection and not self.ratings and not self.indicator_datasets
                and not self.distribution_years)

    def as_dict(self) -> dict:
        def years(found: set[int] | None) -> list[int] | str:
            return "все" if found is None else sorted(found)

        return {"mode": "full" if self.full else ("nothing" if self.nothing else "incremental"),
                "reasons": list(self.reasons), "detection": self.detection,
                "detection_years": years(self.detection_years), "ratings": self.ratings,
                "indicator_datasets": None if self.indicator_datasets is None else sorted(self.indicator_datasets),
                "indicator_years": years(self.indicator_years),
                "distribution_years": years(self.distribution_years),
                "changed_years": {k: list(v) for k, v in self.changed_years.items()},
                "changed_orgs": dict(self.changed_orgs), "imports": list(self.imports),
                "seconds": round(self.seconds, 2), "years_only": self.years_only}


def full_plan(*reasons: str) -> Plan:
    return Plan(full=True, reasons=list(reasons))


def _files(warehouse: Warehouse, dataset: str, versions: Iterable[str]) -> list[Path] | None:
    """The Parquet files of `versions`; None when one of them is gone from disk (`msoko maintenance`)."""
    files: list[Path] = []
    for version in sorted(set(versions)):
        folder = warehouse.version_dir(dataset, version)
        if not folder.is_dir():
            return None
        files += sorted(folder.glob("*.parquet"))
    return files


def _sql_files(files: list[Path]) -> str:
    return "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"


def row_changes(con: duckdb.DuckDBPyConnection, old: list[Path], new: list[Path]) -> tuple[set[int], set[str]] | None:
    """Years and organisations whose rows differ between two sets of files of one dataset; None when the
    rows carry no `year`.

    Per year × organisation both sides are summarised by the row count and the sum and xor of two
    independent 64-bit hashes of every row (≈10× cheaper than `EXCEPT ALL` over a year of ВПР): equal
    multisets of rows give equal summaries; different ones giving equal summaries would need a collision of
    both hash pairs (the odds the engine's peer keys accept, decision 0005)."""
    columns: list[str] | None = None
    shapes = set()
    for file in [*old, *new]:
        names = pq.read_schema(file).names
        shapes.add(frozenset(names))  # columns are read by name: their order does not matter
        columns = names if columns is None else [c for c in columns if c in names]
    if not columns or "year" not in columns:
        return None
    keys = ["year", *(["org_id"] if "org_id" in columns else [])]
    key_sql = ", ".join(keys)
    cols = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
    if len(shapes) > 1:  # columns that differ between versions: every row of both counts as changed
        rows = con.execute(f"SELECT DISTINCT {key_sql} FROM read_parquet({_sql_files([*old, *new])}, "
                           "union_by_name = true)").fetchall()
        return {int(r[0]) for r in rows if r[0] is not None}, {str(r[1]) for r in rows if len(r) > 1 and r[1]}
    row, row2 = f"hash({cols})", f"hash('row', {cols})"

    def summary(files: list[Path]) -> str:
        empty = "" if files else " WHERE false"  # a side with no files: the other's columns, no rows
        return (f"(SELECT {key_sql}, count(*) AS n, sum(h1) AS s1, bit_xor(h1) AS x1, sum(h2) AS s2, "
                f"bit_xor(h2) AS x2 FROM (SELECT {key_sql}, {row} AS h1, {row2} AS h2 "
                f"FROM read_parquet({_sql_files(files or old or new)}, union_by_name = true){empty}) GROUP BY ALL)")

    differ = " OR ".join(f"a.{c} IS DISTINCT FROM b.{c}" for c in ("n", "s1", "x1", "s2", "x2"))
    rows = con.execute(f"SELECT {key_sql} FROM {summary(old)} a FULL JOIN {summary(new)} b USING ({key_sql}) "
                       f"WHERE {differ}").fetchall()
    years = {int(r[0]) for r in rows if r[0] is not None}
    orgs = {str(r[1]) for r in rows if len(r) > 1 and r[1] is not None}
    return years, orgs


def _imports_behind(ws: Workspace, added: set[str], removed: set[str]) -> list[str]:
    """Ids of the imports whose versions were added, and of rolled-back imports whose versions left, from
    the import journal (`warehouse/imports.jsonl`, written by the ingest layer; read here line by line)."""
    path = ws.warehouse / JOURNAL
    versions: dict[str, set[str]] = {}
    found: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line torn by a crash mid-append
        key = record.get("id")
        if record.get("event") == "pending":
            versions[key] = {v for parts in (record.get("datasets") or {}).values() for v in parts.values()}
            if versions[key] & added:
                found.append(key)
        elif record.get("event") == "rollback" and versions.get(key, set()) & removed:
            found.append(f"{key} (отменена)")
    return found


def plan(ws: Workspace, catalog: Catalog, settings: dict[str, str], warehouse_now: dict) -> Plan:
    """Compare the last complete run's state with now; what to recompute for results equal to a full run."""
    state = load_state(ws)
    if state is None:
        return full_plan("нет сведений о прошлом полном расчёте")
    changed_settings = [SETTINGS_LABELS.get(k, k) for k in sorted(set(settings) | set(state["settings"]))
                        if settings.get(k) != state["settings"].get(k)]
    only_followers = {SETTINGS_LABELS["detection"], SETTINGS_LABELS["ratings"]}
    if set(changed_settings) - only_followers:
        return full_plan("изменились: " + ", ".join(changed_settings))
    if results_fingerprint(ws) != state.get("results"):
        return full_plan("сохранённые результаты изменены после прошлого расчёта (например, расчётом за один год)")

    wh = Warehouse(ws.warehouse)
    before: dict = state["warehouse"]
    changed: dict[str, tuple[set[int], set[str]]] = {}
    added_versions: set[str] = set()
    removed_versions: set[str] = set()
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    try:
        for dataset in sorted(set(before) | set(warehouse_now)):
            old_parts, new_parts = before.get(dataset, {}), warehouse_now.get(dataset, {})
            touched = [p for p in set(old_parts) | set(new_parts) if old_parts.get(p) != new_parts.get(p)]
            if not touched:
                continue
            if dataset == REGISTRY:
                return full_plan("изменился реестр организаций")
            if dataset in DERIVED and bool(old_parts) != bool(new_parts):
                # the region's own dataset replaces msoko's derived one (or gives way to it) in every year
                return full_plan(f"набор {dataset} {'загружен в хранилище' if new_parts else 'удалён из хранилища'}")
            old_versions = {old_parts[p] for p in touched if p in old_parts}
            new_versions = {new_parts[p] for p in touched if p in new_parts}
            # a version may move between partitions: compare the rows, not the version ids
            old_versions, new_versions = old_versions - new_versions, new_versions - old_versions
            added_versions |= new_versions
            removed_versions |= old_versions
            old_files, new_files = _files(wh, dataset, old_versions), _files(wh, dataset, new_versions)
            if old_files is None or new_files is None:
                return full_plan(f"версия данных набора {dataset}, прочитанная прошлым расчётом, удалена из хранилища")
            found = row_changes(con, old_files, new_files) if (old_files or new_files) else (set(), set())
            if found is None:
                return full_plan(f"в изменённом наборе {dataset} нет столбца года")
            if found[0]:
                changed[dataset] = found
    finally:
        con.close()

    result = Plan(full=False, detection=False, ratings=False, indicator_datasets=set(), indicator_years=set(),
                  distribution_years=set())
    result.changed_years = {d: sorted(years) for d, (years, _) in changed.items()}
    result.changed_orgs = {d: len(orgs) for d, (_, orgs) in changed.items() if orgs}
    result.imports = _imports_behind(ws, added_versions, removed_versions) if changed else []
    if changed:
        result.reasons.append("изменились данные: " + "; ".join(
            f"{d} за {', '.join(str(y) for y in years)}" for d, years in result.changed_years.items()))
    from msoko.engine.schemas import DATASETS

    if SETTINGS_LABELS["detection"] in changed_settings:
        result.detection = True
        result.reasons.append("изменились " + SETTINGS_LABELS["detection"])
    if set(changed) & set(DATASETS):
        result.detection = True
    from msoko.engine.detection.data import YEARLY_INPUTS

    result.detection_years = set().union(*(changed[d][0] for d in YEARLY_INPUTS if d in changed))
    if SETTINGS_LABELS["detection"] in changed_settings:
        result.detection_years = None  # the settings may change how groups are built: every year anew
    if SETTINGS_LABELS["ratings"] in changed_settings:
        result.reasons.append("изменились " + SETTINGS_LABELS["ratings"])
    for name, spec in dataset_specs(catalog).items():
        inputs = {spec.source} | ({"scales"} if name in SCALED else set())
        years = set().union(*(changed[d][0] for d in inputs if d in changed))
        if years:
            result.indicator_datasets.add(name)
            result.indicator_years |= years | {y + 1 for y in years}
    for dataset in DISTRIBUTION_INPUTS:
        if dataset in changed:
            result.distribution_years |= changed[dataset][0]
    result.ratings = bool(changed) or bool(changed_settings)
    return result


def follow_detection(result: Plan, catalog: Catalog, before, after) -> None:
    """Add the years whose detection lists (`risk_lists`) differ to the indicators of datasets built on them."""
    from msoko.engine.pipeline import RISK_LISTS

    specs = dataset_specs(catalog)
    readers = {name for name, spec in specs.items() if spec.source == RISK_LISTS}
    if not readers or result.indicator_datasets is None:
        return
    years = differing_years(before, after)
    if years:
        result.indicator_datasets |= readers
        result.indicator_years = (result.indicator_years or set()) | years | {y + 1 for y in years}
        result.reasons.append("изменились списки ШНОР/ШНСУ за " + ", ".join(str(y) for y in sorted(years)))


def differing_years(before, after) -> set[int]:
    """Years whose rows differ between two `risk_lists` tables (pyarrow, or None when there was none)."""
    import polars as pl

    def by_year(table) -> dict[int, pl.DataFrame]:
        if table is None or not table.num_rows:
            return {}
        df = pl.from_arrow(table)
        return {int(y): part.sort(part.columns) for (y,), part in df.partition_by("year", as_dict=True).items()}

    old, new = by_year(before), by_year(after)
    return {y for y in set(old) | set(new)
            if y not in old or y not in new or not old[y].equals(new[y], null_equal=True)}


def describe(plan: dict) -> list[str]:
    """The plan (`Plan.as_dict`, as a summary carries it) in Russian lines for `msoko compute` and the web job."""
    def years(found) -> str:
        return "все годы" if found == "все" else ", ".join(str(y) for y in found)

    reasons = "; ".join(plan.get("reasons") or [])
    if plan["mode"] == "full" and plan.get("years_only"):
        return [f"Пересчитаны только годы {years(plan['years_only'])}; следующий расчёт без --year будет полным."]
    if plan["mode"] == "full":
        return [f"Полный пересчёт: {reasons or 'по запросу'}."]
    if plan["mode"] == "nothing":
        return ["С прошлого расчёта данные и настройки не изменились — пересчитывать нечего."]
    lines = [f"Пересчитано только то, что изменилось: {reasons}."]
    if plan.get("imports"):
        lines.append("Загрузки: " + ", ".join(plan["imports"]) + ".")
    if plan.get("changed_orgs"):
        lines.append("Организаций с изменёнными данными: " + "; ".join(
            f"{dataset} — {n}" for dataset, n in plan["changed_orgs"].items()) + ".")
    rebuilt = plan.get("detection_years")
    lines.append("Признаки необъективности и списки ШНОР/ШНСУ: " + (
        ("пересчитаны за все годы (правила сравнивают несколько лет); " + (
            f"итоги по группам заново собраны за {years(rebuilt)}, за остальные годы взяты из прошлого расчёта."
            if rebuilt and rebuilt != "все" else "итоги по группам собраны заново за все годы."
            if rebuilt == "все" else "итоги по группам взяты из прошлого расчёта."))
        if plan["detection"] else "не пересчитывались — их данные не изменились."))
    if plan.get("indicator_datasets"):
        lines.append(f"Показатели наборов {', '.join(plan['indicator_datasets'])}: {years(plan['indicator_years'])} — "
                     "годы изменений и следующие за ними (изменение к прошлому году), по всем организациям и "
                     "уровням (места и сравнение с другими).")
    else:
        lines.append("Показатели: не пересчитывались — их данные не изменились.")
    lines.append("Рейтинг муниципалитетов: " + ("пересчитан." if plan["ratings"] else "не пересчитывался."))
    lines.append("Распределения баллов ВПР: " + (
        f"{years(plan['distribution_years'])}." if plan.get("distribution_years")
        else "не пересчитывались — данные ВПР не изменились."))
    return lines
