"""Stored indicator values: versioned, written atomically, read by pages and reports without recomputing.

Layout under the workspace `results/` folder::

    indicators/manifest.json                   active run per indicator × year, versions, runs
    indicators/runs/<run_id>/<level>.parquet   one immutable run, one file per level

A run is written into a hidden folder and renamed into place, then the manifest is replaced atomically
(write aside, fsync, rename): a reader sees the old state or the new one, never a mix. Every value carries
the indicator's `version` and `definition_hash`. A formula (or dataset, filters, kind) that changes gets a
new version; the last run made with each earlier version is kept, so earlier values stay readable with
the version they were computed with (`history()`), while `indicator_values()` returns the active ones.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from msoko.core.atomic import new_run_id, staged_folder, write_json
from msoko.engine.catalog.model import Catalog, Level

FORMAT = 1
LEVELS = tuple(str(level) for level in Level)
EXPORT_COLUMNS = ("level", "id", "year", "indicator", "value", "numerator", "denominator")
OPTIONAL_COLUMNS = ("subject", "grade", "group_size", "under_min_group", "change", "target", "attainment",
                    "rank", "peers", "percentile", "best_value", "ci_low", "ci_high", "version", "procedure")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ResultStore:
    """Reader and writer of computed indicator values under a workspace's `results/` folder."""

    def __init__(self, results_root: Path | str):
        self.root = Path(results_root) / "indicators"

    # ---- manifest -------------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def manifest(self) -> dict:
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"format": FORMAT, "active": {}, "versions": {}, "runs": {}}
        if data.get("format") != FORMAT:
            raise ValueError(f"{self.manifest_path}: unsupported results format {data.get('format')!r}")
        return data

    def _write_manifest(self, manifest: dict) -> None:
        write_json(self.manifest_path, manifest)

    def run_dir(self, run_id: str) -> Path:
        return self.root / "runs" / run_id

    # ---- versions -------------------------------------------------------------------------------
    def resolve_versions(self, catalog: Catalog) -> dict[str, tuple[int, str]]:
        """code → (version, hash): a definition seen before keeps its version, a new one gets the next."""
        known = self.manifest()["versions"]
        resolved = {}
        for indicator in catalog.indicators:
            digest = indicator.definition_hash()
            entries = known.get(indicator.code, [])
            same = [e for e in entries if e["hash"] == digest and e["version"] >= indicator.version]
            if same:
                resolved[indicator.code] = (max(e["version"] for e in same), digest)
            else:
                latest = max((e["version"] for e in entries), default=0)
                resolved[indicator.code] = (max(indicator.version, latest + 1), digest)
        return resolved

    def versions(self, indicator: str) -> list[dict]:
        return list(self.manifest()["versions"].get(indicator, []))

    # ---- writing --------------------------------------------------------------------------------
    def write_run(self, values: pa.Table, catalog: Catalog, versions: dict[str, tuple[int, str]]) -> str:
        """Store a table of values (schema VALUE_SCHEMA) as a new run."""
        con = duckdb.connect(":memory:")
        con.register("values_in", values)
        return self.write_run_from(con, "values_in", catalog, versions)

    def write_run_from(self, con: duckdb.DuckDBPyConnection, table: str, catalog: Catalog,
                       versions: dict[str, tuple[int, str]], datasets: dict[str, dict] | None = None,
                       replaces: Replaces | None = None) -> str:
        """Store the values held in DuckDB table (or view) `table` as a new run (written by DuckDB, never in
        Python). `table` is read once per level; the row count and the indicator × year pairs for the
        manifest come from the COPY results and the written files' two columns, not from another scan.
        `datasets`: what the run read (see `pipeline._origins`), recorded in the same manifest write.
        `replaces`: the indicator × year slots this run recomputed (see `Replaces`); a slot it covers but has
        no value for is no longer active (a year whose rows were rolled back shows nothing, as after a
        recompute from scratch)."""
        run_id = new_run_id()
        columns = ", ".join(VALUE_SCHEMA.names)
        rows = 0
        with staged_folder(self.run_dir(run_id)) as staging:
            files = []
            for level in LEVELS:
                target = str(staging / f"{level}.parquet").replace("'", "''")
                # zstd level 1 and DuckDB's default row group: the encoding of a level's rows runs on every
                # thread and costs ≈30 % less than level 3 in 256k-row groups, for ≈10 % larger files.
                rows += con.execute(f"COPY (SELECT {columns} FROM {table} WHERE level = ?) "  # noqa: S608
                                    f"TO '{target}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, "
                                    "ROW_GROUP_SIZE 122880)", [level]).fetchall()[0][0]
                files.append(str(staging / f"{level}.parquet"))
            found = con.execute("SELECT DISTINCT indicator, year FROM read_parquet(?)", [files]).fetchall()
        manifest = self.manifest()
        if replaces is not None:
            replaces.drop(manifest)
        pairs: dict[str, set[int]] = {}
        for code, year in found:
            pairs.setdefault(code, set()).add(int(year))
        for code, years in pairs.items():
            version, digest = versions[code]
            indicator = catalog.indicator(code)
            active = manifest["active"].setdefault(code, {})
            for year in years:
                active[str(year)] = {"run": run_id, "version": version}
            entries = manifest["versions"].setdefault(code, [])
            entry = next((e for e in entries if e["version"] == version), None)
            if entry is None:
                entry = {"version": version, "hash": digest, "formula": indicator.formula,
                         "dataset": indicator.dataset, "filters": indicator.filters.model_dump(mode="json"),
                         "first_run": run_id, "first_computed_at": _now()}
                entries.append(entry)
            entry["last_run"] = run_id
        manifest["runs"][run_id] = {"created_at": _now(), "rows": rows,
                                    "indicators": len(pairs), "years": sorted({y for v in pairs.values() for y in v})}
        if datasets is not None:
            manifest["runs"][run_id]["datasets"] = datasets
        self._write_manifest(manifest)
        self._collect_garbage(manifest)
        return run_id

    def drop_active(self, replaces: Replaces) -> None:
        """A recompute of these slots that found no values: none of them stays active."""
        manifest = self.manifest()
        if replaces.drop(manifest):
            self._write_manifest(manifest)
            self._collect_garbage(manifest)

    def _collect_garbage(self, manifest: dict) -> None:
        """Delete runs no active value and no version's last run points to (never the history)."""
        keep = {slot["run"] for years in manifest["active"].values() for slot in years.values()}
        keep |= {e.get("last_run") for entries in manifest["versions"].values() for e in entries}
        changed = False
        for run_id in list(manifest["runs"]):
            if run_id not in keep:
                shutil.rmtree(self.run_dir(run_id), ignore_errors=True)
                del manifest["runs"][run_id]
                changed = True
        if changed:
            self._write_manifest(manifest)

    def record_absent(self, absent: dict[str, str]) -> None:
        """Remember why the last computation left these indicators without a value (code → Russian reason),
        for `msoko catalog list`; replaces what the previous computation recorded."""
        manifest = self.manifest()
        if manifest.get("absent", {}) != absent:
            manifest["absent"] = dict(sorted(absent.items()))
            self._write_manifest(manifest)

    def absent(self) -> dict[str, str]:
        return dict(self.manifest().get("absent", {}))

    # ---- reading --------------------------------------------------------------------------------
    def has_results(self) -> bool:
        return bool(self.manifest()["active"])

    def computed_indicators(self) -> set[str]:
        return set(self.manifest()["active"])

    def indicator_values(self, level: str | Level | None = None, year: int | None = None,
                         indicator: str | None = None, subject: str | None = None, grade: int | None = None,
                         *, breakdowns: bool = False, ids: Collection[str] | None = None,
                         procedure: str | None = None) -> pa.Table:
        """Active values. Without `subject`/`grade` a result indicator gives its pooled rows (all subjects
        and grades); with them, that breakdown. `breakdowns=True` returns every row. `procedure` keeps the
        rows of that procedure (every row of a result indicator names one: nothing is pooled across
        procedures, so an indicator over `results_by_org` has one pooled row per procedure). `ids` keeps
        only the rows of those organisations, municipalities and regions (and the workspace total) — a
        server of one region over a country's results reads its region's share."""
        manifest = self.manifest()
        by_run: dict[str, list[tuple[str, int]]] = {}
        for code, years in manifest["active"].items():
            if indicator is not None and code != indicator:
                continue
            for y, slot in years.items():
                if year is None or int(y) == int(year):
                    by_run.setdefault(slot["run"], []).append((code, int(y)))
        return self._read(by_run, level, subject, grade, breakdowns, ids=ids, procedure=procedure)

    def history(self, indicator: str, level: str | Level | None = None, year: int | None = None) -> pa.Table:
        """Every stored value of `indicator`, one block per kept run and version, oldest first."""
        manifest = self.manifest()
        runs = sorted({e["last_run"] for e in manifest["versions"].get(indicator, []) if e.get("last_run")}
                      | {s["run"] for s in manifest["active"].get(indicator, {}).values()})
        by_run = {}
        for run in runs:
            years = [year] if year is not None else manifest["runs"].get(run, {}).get("years", [])
            by_run[run] = [(indicator, int(y)) for y in years]
        table = self._read(by_run, level, None, None, True, with_run=True)
        if not table.num_rows:
            return table
        # A run recomputed for some years only (an incremental run, `--year`) leaves the earlier run active
        # for the other years: of each version × year, only the latest run's values are that version's.
        con = duckdb.connect(":memory:")
        con.register("h", table)
        latest = con.sql("SELECT * EXCLUDE (latest) FROM (SELECT *, max(run) OVER (PARTITION BY version, year) "
                         "AS latest FROM h) WHERE run = latest").to_arrow_table()
        return latest.sort_by([("level", "ascending"), ("indicator", "ascending"), ("year", "ascending"),
                               ("id", "ascending"), ("run", "ascending")])

    def _read(self, by_run: dict[str, list[tuple[str, int]]], level, subject, grade, breakdowns: bool,
              with_run: bool = False, ids: Collection[str] | None = None, procedure: str | None = None
              ) -> pa.Table:
        levels = [str(level)] if level is not None else list(LEVELS)
        con = duckdb.connect(":memory:")
        if ids is not None:
            con.register("scope", pa.table({"id": pa.array(sorted(ids), pa.string())}))
        tables = []
        for run_id, pairs in sorted(by_run.items()):
            files = [self.run_dir(run_id) / f"{lv}.parquet" for lv in levels]
            files = [str(f) for f in files if f.exists()]
            if not files or not pairs:
                continue
            con.register("wanted", pa.table({"indicator": [p[0] for p in pairs],
                                             "year": pa.array([p[1] for p in pairs], pa.int64())}))
            conditions, params = [], []
            if not breakdowns:
                conditions.append("subject IS NULL" if subject is None else "subject = ?")
                conditions.append("grade IS NULL" if grade is None else "grade = ?")
                params += [v for v in (subject,) if v is not None] + [int(v) for v in (grade,) if v is not None]
            if procedure is not None:
                if "procedure" not in pq.read_schema(files[0]).names:
                    continue  # a run stored before values named their procedure has none to match
                conditions.append("procedure = ?")
                params.append(procedure)
            if ids is not None:
                conditions.append(f"(v.level = '{Level.TOTAL}' OR v.id IN (SELECT id FROM scope))")  # noqa: S608
            where = (" AND " + " AND ".join(conditions)) if conditions else ""
            run_col = ", ? AS run" if with_run else ""
            run_params = [run_id] if with_run else []
            query = (f"SELECT v.*{run_col} FROM read_parquet(?) v SEMI JOIN wanted w "  # noqa: S608 — values bound
                     f"ON v.indicator = w.indicator AND v.year = w.year WHERE true{where}")
            tables.append(con.sql(query, params=[*run_params, files, *params]).to_arrow_table())
            con.unregister("wanted")
        if not tables:
            return empty_values(with_run)
        table = pa.concat_tables(tables, promote_options="default")
        return table.sort_by([("level", "ascending"), ("indicator", "ascending"), ("year", "ascending"),
                              ("id", "ascending")])


VALUE_SCHEMA = pa.schema([
    ("level", pa.string()), ("id", pa.string()), ("year", pa.int64()), ("indicator", pa.string()),
    ("value", pa.float64()), ("numerator", pa.float64()), ("denominator", pa.float64()),
    ("subject", pa.string()), ("grade", pa.int64()), ("group_size", pa.int64()), ("under_min_group", pa.bool_()),
    ("change", pa.float64()), ("target", pa.float64()), ("attainment", pa.float64()), ("rank", pa.int64()),
    ("peers", pa.int64()), ("percentile", pa.float64()), ("best_value", pa.float64()),
    ("ci_low", pa.float64()), ("ci_high", pa.float64()), ("version", pa.int64()),
    ("definition_hash", pa.string()), ("procedure", pa.string()),
])


class Replaces:
    """Which active indicator × year slots a run replaces: every slot (`everything()`, a full run — an
    indicator or year no longer computed is then no longer shown), or the given indicators × years."""

    def __init__(self, codes: Collection[str] | None, years: Collection[int] | None):
        self.codes = None if codes is None else set(codes)
        self.years = None if years is None else {int(y) for y in years}

    @classmethod
    def everything(cls) -> Replaces:
        return cls(None, None)

    def drop(self, manifest: dict) -> bool:
        """Remove the covered slots from `manifest["active"]`; whether any was there."""
        dropped = False
        for code in list(manifest["active"]):
            if self.codes is not None and code not in self.codes:
                continue
            slots = manifest["active"][code]
            for year in list(slots):
                if self.years is None or int(year) in self.years:
                    del slots[year]
                    dropped = True
            if not slots:
                del manifest["active"][code]
        return dropped


def empty_values(with_run: bool = False) -> pa.Table:
    schema = VALUE_SCHEMA.append(pa.field("run", pa.string())) if with_run else VALUE_SCHEMA
    return schema.empty_table()
