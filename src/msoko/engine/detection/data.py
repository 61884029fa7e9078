"""The warehouse as DuckDB views, and the group-level aggregates every rule reads.

All participant-level work happens here, in DuckDB: one pass over ВПР, one over per-task scores, one over
ГИА. What leaves DuckDB is one row per organisation × procedure × subject × grade × year (and the matching
reference rows per region), small enough for the rules to work on in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from msoko.engine.schemas import DATASETS
from msoko.engine.warehouse import Warehouse


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def connect(warehouse: Warehouse, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per warehouse dataset (an empty table when never imported)."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = false")  # aggregates only: lets DuckDB stream with less memory
    if threads:
        con.execute(f"SET threads TO {int(threads)}")
    for name, schema in DATASETS.items():
        files = warehouse.files(name)
        if files:
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({_sql_list(files)}, union_by_name = true)")  # noqa: S608 — file paths quoted, numbers and column names only
        else:
            con.register(f"_empty_{name}", pa.Table.from_batches([], schema=schema))
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM _empty_{name}")  # noqa: S608 — file paths quoted, numbers and column names only
    return con


def columns(con: duckdb.DuckDBPyConnection, view: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE {view}").fetchall()]


def years_sql(column: str, years: Iterable[int] | None) -> str:
    """A SQL condition keeping `years` of `column` (every year when None, none when empty)."""
    if years is None:
        return "TRUE"
    wanted = sorted({int(y) for y in years})
    return f"{column} IN ({', '.join(str(y) for y in wanted)})" if wanted else "FALSE"


def _reference_scales(con: duckdb.DuckDBPyConnection, years: Iterable[int] | None = None) -> None:
    """`scales_all` and `vpr_bounds(year, subject, grade, mark, bound)` (the lowest primary score of 3, 4, 5)
    of `years` (every year when None): a year's boundaries rest on that year's scales and marks only.

    Order of preference: the warehouse `scales` (imported by the region), the shipped reference scales
    (`msoko.engine.reference.default_scales()`), and, for ВПР that neither covers, the boundary read off
    the data itself — the lowest score at which most of the year's participants got that mark or better.
    """
    try:
        from msoko.engine.reference import default_scales

        shipped = default_scales().select(DATASETS["scales"].names).cast(DATASETS["scales"])
    except Exception:  # noqa: BLE001 — reference data missing or of another shape: fall back to the data
        shipped = pa.Table.from_batches([], schema=DATASETS["scales"])
    con.register("_shipped_scales", shipped)
    con.execute(
        """
        CREATE OR REPLACE TABLE scales_all AS
        SELECT year, procedure, subject, grade, mark_or_level, min_score, max_score FROM scales
        UNION ALL
        SELECT s.year, s.procedure, s.subject, s.grade, s.mark_or_level, s.min_score, s.max_score
        FROM _shipped_scales s
        WHERE NOT EXISTS (
            SELECT 1 FROM scales i WHERE i.year = s.year AND i.procedure = s.procedure AND i.subject = s.subject
              AND i.grade IS NOT DISTINCT FROM s.grade)
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE vpr_bounds AS
        WITH known AS (
            SELECT year::BIGINT AS year, subject, grade::BIGINT AS grade, mark_or_level::BIGINT AS mark,
                   min(min_score)::BIGINT AS bound
            FROM scales_all
            WHERE procedure = 'ВПР' AND mark_or_level IN ('3', '4', '5') AND grade IS NOT NULL
              AND {years_sql("year", years)}
            GROUP BY ALL
        ),
        scored AS (
            SELECT year, subject, grade, primary_score AS s, m.mark,
                   avg((v.mark >= m.mark)::INT) AS share_at_least
            FROM vpr v CROSS JOIN (VALUES (3), (4), (5)) m(mark)
            WHERE v.mark IS NOT NULL AND v.primary_score IS NOT NULL AND {years_sql("v.year", years)}
            GROUP BY ALL
        ),
        inferred AS (
            SELECT year::BIGINT AS year, subject, grade::BIGINT AS grade, mark::BIGINT AS mark,
                   min(s)::BIGINT AS bound
            FROM scored WHERE share_at_least >= 0.5 GROUP BY ALL
        ),
        chosen AS (SELECT *, 1 AS pref FROM known UNION ALL SELECT *, 2 FROM inferred)
        SELECT year, subject, grade, mark, arg_min(bound, pref) AS bound
        FROM chosen GROUP BY year, subject, grade, mark
        """  # noqa: S608 — year numbers only
    )


def _plain(df: pl.DataFrame) -> pl.DataFrame:
    """DuckDB hands HUGEINT sums over as Decimal; the rules want plain integers and floats."""
    return df.with_columns(
        [pl.col(name).cast(pl.Int64 if dtype.scale == 0 else pl.Float64)  # type: ignore[attr-defined]
         for name, dtype in df.schema.items() if isinstance(dtype, pl.Decimal)]
    )


# the group aggregates `build` makes year by year: each year's rows rest on that year's warehouse rows only
# (moments, boundaries and minimum scores are per year), so a year's aggregates can be kept and reused
YEARLY = {"vpr": ("year", "org_id", "subject", "grade"), "gia": ("year", "org_id", "exam", "subject"),
          "bounds": ("year", "subject", "grade", "mark")}
YEARLY_INPUTS = ("vpr", "vpr_tasks", "gia", "scales")  # the warehouse datasets they read year by year


def build(con: duckdb.DuckDBPyConnection, peaks_at: int, peaks_below: int,
          years: Iterable[int] | None = None) -> dict[str, pl.DataFrame]:
    """Create the aggregate tables; return them as polars frames in a dict.

    `years`: build the per-year aggregates (`YEARLY`) of these years only (every year when None); the
    registry, context and federal results are read whole. Each yearly frame is sorted by its key, so the
    same data give the same frame however it was assembled."""
    _reference_scales(con, years)
    org_cols = columns(con, "organisations")
    region = "coalesce(o.region_id, '')" if "region_id" in org_cols else "''"
    con.execute(
        f"""
        CREATE OR REPLACE TABLE org_region AS
        SELECT org_id, any_value({region}) AS region_id FROM organisations o GROUP BY org_id
        """  # noqa: S608 — file paths quoted, numbers and column names only
    )
    # --- ВПР per participant → per group -------------------------------------------------------------
    con.execute(
        f"""
        CREATE OR REPLACE TABLE vpr_groups AS
        WITH base AS (
            SELECT v.year::INT AS year, v.org_id, coalesce(r.region_id, '') AS region_id, v.subject,
                   v.grade::INT AS grade, v.primary_score AS s, v.mark, v.journal_mark AS jm
            FROM vpr v LEFT JOIN org_region r USING (org_id)
            WHERE v.primary_score IS NOT NULL AND {years_sql("v.year", years)}
        ),
        moments AS (
            SELECT year, subject, grade, avg(s) AS mu, stddev_pop(s) AS sd FROM base GROUP BY ALL
        ),
        bounds AS (
            SELECT year, subject, grade,
                   max(bound) FILTER (WHERE mark = 3) AS b3, max(bound) FILTER (WHERE mark = 4) AS b4,
                   max(bound) FILTER (WHERE mark = 5) AS b5
            FROM vpr_bounds GROUP BY ALL
        ),
        flagged AS (
            SELECT b.*, (
                (b.s >= w.b3 AND b.s < w.b3 + {int(peaks_at)}) OR (b.s >= w.b4 AND b.s < w.b4 + {int(peaks_at)})
                OR (b.s >= w.b5 AND b.s < w.b5 + {int(peaks_at)})) AS at_w,
                ((b.s < w.b3 AND b.s >= w.b3 - {int(peaks_below)}) OR (b.s < w.b4 AND b.s >= w.b4 - {int(peaks_below)})
                OR (b.s < w.b5 AND b.s >= w.b5 - {int(peaks_below)})) AS below_w
            FROM base b LEFT JOIN bounds w USING (year, subject, grade)
        )
        SELECT b.year, b.org_id, any_value(b.region_id) AS region_id, b.subject, b.grade,
               count(*) AS n,
               avg(b.mark) AS mean_mark,
               count_if(b.mark = 2) AS n2,
               avg((b.s - m.mu) / nullif(m.sd, 0)) AS mean_z,
               count_if(b.jm IS NOT NULL AND b.mark IS NOT NULL) AS nj,
               count_if(b.mark > b.jm) AS raised,
               count_if(b.mark = b.jm) AS confirmed,
               count_if(b.mark < b.jm) AS lowered,
               count_if(abs(b.mark - b.jm) >= 2) AS gap2,
               count_if(coalesce(b.at_w, FALSE)) AS n_at,
               count_if(coalesce(b.below_w AND NOT b.at_w, FALSE)) AS n_below
        FROM flagged b JOIN moments m USING (year, subject, grade)
        GROUP BY b.year, b.org_id, b.subject, b.grade
        """  # noqa: S608 — file paths quoted, numbers and column names only
    )
    # --- ВПР per-task scores by level ---------------------------------------------------------------
    con.execute(
        f"""
        CREATE OR REPLACE TABLE task_groups AS
        SELECT year::INT AS year, org_id, subject, grade::INT AS grade,
               sum(score) FILTER (WHERE level = 'Б')::DOUBLE AS b_score,
               sum(max_score) FILTER (WHERE level = 'Б')::DOUBLE AS b_max,
               sum(score) FILTER (WHERE level = 'П')::DOUBLE AS p_score,
               sum(max_score) FILTER (WHERE level = 'П')::DOUBLE AS p_max
        FROM vpr_tasks WHERE score IS NOT NULL AND max_score > 0 AND {years_sql("year", years)}
        GROUP BY ALL
        """  # noqa: S608 — year numbers only
    )
    # --- ГИА per participant → per group ------------------------------------------------------------
    con.execute(
        f"""
        CREATE OR REPLACE TABLE gia_groups AS
        WITH mins AS (
            SELECT year::INT AS year, subject, min(min_score) AS min_test
            FROM scales_all WHERE procedure = 'ЕГЭ' AND mark_or_level = 'min' GROUP BY ALL
        ),
        base AS (
            SELECT g.year::INT AS year, g.org_id, coalesce(r.region_id, '') AS region_id, g.exam, g.subject,
                   coalesce(g.test_score, g.primary_score)::DOUBLE AS s,
                   CASE WHEN g.mark IS NOT NULL THEN g.mark = 2
                        WHEN g.exam = 'ЕГЭ' AND mn.min_test IS NOT NULL AND g.test_score IS NOT NULL
                             THEN g.test_score < mn.min_test
                   END AS below
            FROM gia g LEFT JOIN org_region r USING (org_id)
            LEFT JOIN mins mn ON mn.year = g.year AND mn.subject = g.subject
            WHERE coalesce(g.test_score, g.primary_score) IS NOT NULL AND {years_sql("g.year", years)}
        ),
        moments AS (SELECT year, exam, subject, avg(s) AS mu, stddev_pop(s) AS sd FROM base GROUP BY ALL)
        SELECT b.year, b.org_id, any_value(b.region_id) AS region_id, b.exam, b.subject, count(*) AS n,
               avg((b.s - m.mu) / nullif(m.sd, 0)) AS mean_z,
               count_if(b.below) AS n_below, count(b.below) AS n_known
        FROM base b JOIN moments m USING (year, exam, subject)
        GROUP BY b.year, b.org_id, b.exam, b.subject
        """  # noqa: S608 — year numbers only
    )
    frames = {
        "vpr": con.sql(
            """
            SELECT g.*, t.b_score, t.b_max, t.p_score, t.p_max
            FROM vpr_groups g
            LEFT JOIN task_groups t USING (year, org_id, subject, grade)
            """
        ).pl(),
        "gia": con.sql("SELECT * FROM gia_groups").pl(),
        "bounds": con.sql("SELECT * FROM vpr_bounds").pl(),
    }
    frames["organisations"] = con.sql("SELECT * FROM organisations").pl()
    frames["context"] = con.sql("SELECT * FROM context").pl()
    rbo_cols = columns(con, "results_by_org")
    if "share_2" in rbo_cols or "below_min" in rbo_cols:
        share = "coalesce(share_2, below_min)" if {"share_2", "below_min"} <= set(rbo_cols) else (
            "share_2" if "share_2" in rbo_cols else "below_min")
        frames["results_by_org"] = con.sql(
            f"""SELECT year::INT AS year, org_id, procedure, subject, grade::INT AS grade,
                       participants::BIGINT AS n, {share}::DOUBLE AS share_below FROM results_by_org"""  # noqa: S608 — file paths quoted, numbers and column names only
        ).pl()
    else:
        frames["results_by_org"] = pl.DataFrame(
            schema={"year": pl.Int32, "org_id": pl.Utf8, "procedure": pl.Utf8, "subject": pl.Utf8,
                    "grade": pl.Int32, "n": pl.Int64, "share_below": pl.Float64}
        )
    out = {name: _plain(frame) for name, frame in frames.items()}
    for name, key in YEARLY.items():
        out[name] = out[name].sort(list(key), nulls_last=True)
    return out
