"""ВПР distributions for the organisation page: primary-score histograms with the year's mark boundaries and
task completion by level Б (basic) / П (advanced), stored beside the indicator results.

For every organisation, municipality and region × year × ВПР subject × grade (from the warehouse, with DuckDB):

- `groups`  one row per entity × subject × grade: participants, `under_min_group`, the year's boundaries of
            marks «3», «4», «5» and the maximum primary score (`bounds_source`: «scales» when taken from the
            scales — the region's imported ones first, then the shipped reference `msoko.engine.reference` —
            «data» when read off the results), and completion of Б and П tasks as sums of points scored and
            of maximum points (a share is Σscore / Σmax, never an average of shares).
- `scores`  the histogram: count of participants per primary score and its share of the group. Groups under
            the minimum size get no histogram rows (the page says «недостаточно данных»).
- `tasks`   per task: its level Б/П, points scored and maximum points summed, participants, display order.

Loading is detection's: the warehouse views (`detection.data.connect`) and the year's boundaries
(`detection.data._reference_scales`, the same table the «peaks» sign reads), so the page draws exactly the
boundaries detection judged. Б/П sums follow detection's definition (rows with a score and `max_score > 0`,
by each row's level).

Layout under `ws.results / "distributions"`::

    CURRENT.json                       {"format": 1, "years": {"2026": "<run>", …}, "min_group": 10, …}
    <run>/<year>/groups.parquet        sorted by level, id, subject, grade (small row groups: a page reads
    <run>/<year>/scores.parquet        only its organisation's, municipality's and region's rows)
    <run>/<year>/tasks.parquet

A run is written into a hidden folder and renamed into place, then CURRENT.json is replaced atomically. A
run for some years (`msoko compute --year`) points only those years at the new run; the others keep theirs.
Runs no year points to — except those of the pointer just replaced, which a reader may still hold — are removed.
"""

# ruff: noqa: S608 — SQL here is the engine's own text; values are bound or are integers and quoted paths
from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from msoko.core.atomic import new_run_id, staged_folder, write_json
from msoko.engine.catalog.model import Catalog
from msoko.engine.detection import data as detection_data
from msoko.engine.warehouse import Warehouse

FORMAT = 1
POINTER = "CURRENT.json"
TABLES = ("groups", "scores", "tasks")
MIN_GROUP = 10  # the catalog's ВПР result indicators' min_group_size, unless the catalog says otherwise
LEVELS = ("organisation", "municipality", "region")
ROW_GROUP = 2048  # small row groups: a page's filtered read decodes little beyond its own rows
STEPS = ["первичные баллы", "задания Б/П", "запись результатов"]
Progress = Callable[[str, int, int], None]

# Sort keys of the stored files: the page's filter on (year file) × level × id hits one contiguous range.
ORDER = {"groups": "level, id, subject, grade", "scores": "level, id, subject, grade, score",
         "tasks": "level, id, subject, grade, task_order"}


def root(results_dir: Path) -> Path:
    return Path(results_dir) / "distributions"


def min_group_of(catalog: Catalog | None) -> int:
    """The minimum group of the ВПР result indicators (`vpr_base`), else `MIN_GROUP`."""
    if catalog is not None:
        for indicator in catalog.indicators:
            if indicator.code == "vpr_base" and indicator.min_group_size:
                return int(indicator.min_group_size)
    return MIN_GROUP


def _levels(keys: str) -> str:
    """GROUPING SETS at the three levels over `keys` (plus the entity column)."""
    return ", ".join(f"({keys}, {column})" for column in ("org_id", "municipality_id", "region_id"))


_LEVEL = ("CASE WHEN grouping(org_id) = 0 THEN 'organisation' WHEN grouping(municipality_id) = 0 "
          "THEN 'municipality' ELSE 'region' END AS level, coalesce(org_id, municipality_id, region_id) AS id")


def build(con: duckdb.DuckDBPyConnection, years: list[int] | None, min_group: int,
          progress: Callable[[int], None] | None = None) -> list[int]:
    """Create tables `dist_groups`, `dist_scores`, `dist_tasks` in `con` (a `detection.data.connect`
    connection); return the years they cover."""
    year_filter = f"AND {detection_data.years_sql('year', years)}"
    detection_data._reference_scales(con, years)  # scales_all, vpr_bounds — the boundaries detection uses
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE dist_orgs AS
        SELECT org_id, any_value(municipality_id) AS municipality_id, any_value(region_id) AS region_id
        FROM organisations GROUP BY org_id
        """
    )
    if progress:
        progress(0)
    # --- primary scores ------------------------------------------------------------------------------
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dist_hist AS
        WITH base AS (
            SELECT v.year::BIGINT AS year, v.org_id, o.municipality_id, o.region_id, v.subject,
                   v.grade::BIGINT AS grade, v.primary_score::BIGINT AS score
            FROM vpr v JOIN dist_orgs o USING (org_id)
            WHERE v.primary_score IS NOT NULL AND v.subject IS NOT NULL AND v.grade IS NOT NULL {year_filter}
        )
        SELECT {_LEVEL}, year, subject, grade, score, count(*)::BIGINT AS count
        FROM base GROUP BY GROUPING SETS ({_levels("year, subject, grade, score")})
        """
    )
    con.execute("DELETE FROM dist_hist WHERE id IS NULL")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dist_participants AS
        SELECT level, id, year, subject, grade, sum(count)::BIGINT AS participants,
               max(score)::BIGINT AS top_score
        FROM dist_hist GROUP BY ALL;
        CREATE OR REPLACE TEMP TABLE dist_scores AS
        SELECT h.level, h.id, h.year, h.subject, h.grade, h.score, h.count,
               h.count / p.participants AS share
        FROM dist_hist h JOIN dist_participants p USING (level, id, year, subject, grade)
        WHERE p.participants >= {int(min_group)}
        """
    )
    if progress:
        progress(1)
    # --- tasks by level Б / П --------------------------------------------------------------------------
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dist_task_base AS
        SELECT t.year::BIGINT AS year, t.org_id, o.municipality_id, o.region_id, t.subject,
               t.grade::BIGINT AS grade, t.task, t.level AS task_level, t.participant, t.score, t.max_score
        FROM vpr_tasks t JOIN dist_orgs o USING (org_id)
        WHERE t.score IS NOT NULL AND t.max_score > 0 AND t.subject IS NOT NULL AND t.grade IS NOT NULL
              {year_filter};
        CREATE OR REPLACE TEMP TABLE dist_task_order AS
        SELECT year, subject, grade, task,
               row_number() OVER (PARTITION BY year, subject, grade
                                  ORDER BY try_cast(split_part(task, '.', 1) AS BIGINT) NULLS LAST,
                                           try_cast(nullif(split_part(task, '.', 2), '') AS BIGINT) NULLS FIRST,
                                           task)::BIGINT AS task_order
        FROM (SELECT DISTINCT year, subject, grade, task FROM dist_task_base);
        CREATE OR REPLACE TEMP TABLE dist_task_sums AS
        SELECT {_LEVEL}, year, subject, grade, task, task_level,
               sum(score)::DOUBLE AS score, sum(max_score)::DOUBLE AS max_points,
               count(*)::BIGINT AS participants
        FROM dist_task_base GROUP BY GROUPING SETS ({_levels("year, subject, grade, task, task_level")});
        DELETE FROM dist_task_sums WHERE id IS NULL;
        CREATE OR REPLACE TEMP TABLE dist_tasks AS
        SELECT t.*, t.score / t.max_points AS completion, o.task_order
        FROM dist_task_sums t JOIN dist_task_order o USING (year, subject, grade, task);
        CREATE OR REPLACE TEMP TABLE dist_levels AS
        SELECT {_LEVEL}, year, subject, grade,
               sum(score) FILTER (WHERE task_level = 'Б')::DOUBLE AS b_score,
               sum(max_score) FILTER (WHERE task_level = 'Б')::DOUBLE AS b_max,
               sum(score) FILTER (WHERE task_level = 'П')::DOUBLE AS p_score,
               sum(max_score) FILTER (WHERE task_level = 'П')::DOUBLE AS p_max,
               count(DISTINCT participant)::BIGINT AS task_participants
        FROM dist_task_base GROUP BY GROUPING SETS ({_levels("year, subject, grade")});
        DELETE FROM dist_levels WHERE id IS NULL;
        """
    )
    # --- one row per group, with the year's boundaries ------------------------------------------------
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dist_groups AS
        WITH bounds AS (
            SELECT year, subject, grade,
                   max(bound) FILTER (WHERE mark = 3) AS bound_3, max(bound) FILTER (WHERE mark = 4) AS bound_4,
                   max(bound) FILTER (WHERE mark = 5) AS bound_5
            FROM vpr_bounds GROUP BY ALL
        ),
        scaled AS (
            SELECT year::BIGINT AS year, subject, grade::BIGINT AS grade, max(max_score)::BIGINT AS max_score,
                   count(DISTINCT mark_or_level) FILTER (WHERE mark_or_level IN ('3', '4', '5')) = 3 AS known
            FROM scales_all WHERE procedure = 'ВПР' AND grade IS NOT NULL GROUP BY ALL
        ),
        keys AS (
            SELECT level, id, year, subject, grade FROM dist_participants
            UNION SELECT level, id, year, subject, grade FROM dist_levels
        ),
        observed AS (
            SELECT year, subject, grade, max(top_score) AS top_score FROM dist_participants
            WHERE level = 'region' GROUP BY ALL
        )
        SELECT k.level, k.id, k.year, k.subject, k.grade,
               coalesce(p.participants, 0)::BIGINT AS participants,
               coalesce(p.participants, 0) < {int(min_group)} AS under_min_group,
               b.bound_3, b.bound_4, b.bound_5,
               coalesce(s.max_score, ob.top_score)::BIGINT AS max_score,
               CASE WHEN s.known THEN 'scales' WHEN b.bound_3 IS NOT NULL THEN 'data' END AS bounds_source,
               l.b_score, l.b_max, l.b_score / nullif(l.b_max, 0) AS b_completion,
               l.p_score, l.p_max, l.p_score / nullif(l.p_max, 0) AS p_completion,
               l.task_participants
        FROM keys k
        LEFT JOIN dist_participants p USING (level, id, year, subject, grade)
        LEFT JOIN dist_levels l USING (level, id, year, subject, grade)
        LEFT JOIN bounds b ON b.year = k.year AND b.subject = k.subject AND b.grade = k.grade
        LEFT JOIN scaled s ON s.year = k.year AND s.subject = k.subject AND s.grade = k.grade
        LEFT JOIN observed ob ON ob.year = k.year AND ob.subject = k.subject AND ob.grade = k.grade
        """
    )
    found = con.execute("SELECT DISTINCT year FROM dist_groups ORDER BY year").fetchall()
    return [int(row[0]) for row in found]


def compute(warehouse: Warehouse, years: list[int] | None = None, min_group: int = MIN_GROUP) -> dict[str, pa.Table]:
    """The three tables in memory (tests, notebooks); `run` writes them without leaving DuckDB."""
    con = detection_data.connect(warehouse)
    try:
        build(con, years, min_group)
        return {name: con.sql(f"SELECT * FROM dist_{name} ORDER BY year, {ORDER[name]}").to_arrow_table()
                for name in TABLES}
    finally:
        con.close()


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _read_pointer(base: Path) -> dict | None:
    try:
        data = json.loads((base / POINTER).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data if data.get("format") == FORMAT else None


def write(con: duckdb.DuckDBPyConnection, results_dir: Path, years: list[int], *, replace_all: bool,
          min_group: int) -> str:
    """Copy `dist_*` of `years` into a new run; point those years at it (all years when `replace_all`)."""
    base = root(results_dir)
    run_id = new_run_id()
    with staged_folder(base / run_id) as staging:
        for year in years:
            folder = staging / str(year)
            folder.mkdir()
            for name in TABLES:
                con.execute(
                    f"COPY (SELECT * EXCLUDE (year) FROM dist_{name} WHERE year = {int(year)} ORDER BY {ORDER[name]}) "
                    f"TO {_quote(folder / f'{name}.parquet')} (FORMAT parquet, COMPRESSION zstd, "
                    f"ROW_GROUP_SIZE {ROW_GROUP})")
    previous = _read_pointer(base)
    pointed = {} if (replace_all or previous is None) else dict(previous.get("years", {}))
    pointed.update({str(y): run_id for y in years})
    write_json(base / POINTER, {"format": FORMAT, "years": dict(sorted(pointed.items())), "min_group": int(min_group),
                                "run": run_id, "created": datetime.now(UTC).isoformat(timespec="seconds")})
    keep = set(pointed.values()) | set((previous or {}).get("years", {}).values())
    for old in base.iterdir():
        if old.is_dir() and not old.name.startswith(".") and old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    return run_id


def run(warehouse: Warehouse, results_dir: Path, years: Iterable[int] | None = None, *,
        min_group: int = MIN_GROUP, progress: Progress | None = None) -> dict:
    """Compute and store the distributions of `years` (every year with ВПР data when None)."""
    wanted = sorted(set(years)) if years is not None else None

    def step(i: int) -> None:
        if progress:
            progress(STEPS[i], i, len(STEPS))

    con = detection_data.connect(warehouse)
    try:
        found = build(con, wanted, min_group, step)
        step(2)
        written = sorted(set(found) | set(wanted or []))
        run_id = write(con, results_dir, written, replace_all=wanted is None, min_group=min_group)
        counts = {name: con.execute(f"SELECT count(*) FROM dist_{name}").fetchone()[0] for name in TABLES}
    finally:
        con.close()
    if progress:
        progress("готово", len(STEPS), len(STEPS))
    return {"run": run_id, "years": found, **counts}


@dataclass(frozen=True)
class StoredDistributions:
    """Read access to the stored distributions: a filtered read of one year's files (row groups skipped by
    their statistics), never the whole store."""

    folder: Path
    meta: dict

    @classmethod
    def open(cls, results_dir: Path) -> StoredDistributions | None:
        base = root(results_dir)
        meta = _read_pointer(base)
        return None if meta is None else cls(base, meta)

    @property
    def min_group(self) -> int:
        return int(self.meta.get("min_group", MIN_GROUP))

    def years(self) -> list[int]:
        return sorted(int(y) for y in self.meta.get("years", {}))

    def read(self, name: str, year: int, ids: list[str], subject: str | None = None,
             grade: int | None = None) -> pa.Table:
        """Rows of table `name` in `year` for the entities `ids` (an organisation, its municipality, its region),
        optionally one subject and grade."""
        run_id = self.meta.get("years", {}).get(str(int(year)))
        path = self.folder / str(run_id) / str(int(year)) / f"{name}.parquet"
        if run_id is None or not ids or not path.exists():
            return _EMPTY[name]
        wanted = pa.array(sorted(set(ids)), pa.string())
        handle = pq.ParquetFile(path)
        column = handle.schema_arrow.get_field_index("id")
        groups = []
        for i in range(handle.metadata.num_row_groups):  # skip row groups whose id range holds none of `ids`
            stats = handle.metadata.row_group(i).column(column).statistics
            if stats is None or not stats.has_min_max or any(stats.min <= x <= stats.max for x in wanted.to_pylist()):
                groups.append(i)
        table = handle.read_row_groups(groups)
        mask = pc.is_in(table["id"], value_set=wanted)
        if subject is not None:
            mask = pc.and_(mask, pc.equal(table["subject"], subject))
        if grade is not None:
            mask = pc.and_(mask, pc.equal(table["grade"], int(grade)))
        return table.filter(mask)


def _empty(columns: list[tuple[str, pa.DataType]]) -> pa.Table:
    return pa.schema(columns).empty_table()


_KEY = [("level", pa.string()), ("id", pa.string()), ("subject", pa.string()), ("grade", pa.int64())]
_EMPTY = {
    "groups": _empty(_KEY + [("participants", pa.int64()), ("under_min_group", pa.bool_()),
                             ("bound_3", pa.int64()), ("bound_4", pa.int64()), ("bound_5", pa.int64()),
                             ("max_score", pa.int64()), ("bounds_source", pa.string()),
                             ("b_score", pa.float64()), ("b_max", pa.float64()), ("b_completion", pa.float64()),
                             ("p_score", pa.float64()), ("p_max", pa.float64()), ("p_completion", pa.float64()),
                             ("task_participants", pa.int64())]),
    "scores": _empty(_KEY + [("score", pa.int64()), ("count", pa.int64()), ("share", pa.float64())]),
    "tasks": _empty(_KEY + [("task", pa.string()), ("task_level", pa.string()), ("score", pa.float64()),
                            ("max_points", pa.float64()), ("participants", pa.int64()),
                            ("completion", pa.float64()), ("task_order", pa.int64())]),
}
