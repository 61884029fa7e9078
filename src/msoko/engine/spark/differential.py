"""Two stored runs compared value by value: the DuckDB engine's and Spark's (tests and the benchmark).

Rows are matched on their keys (level, id, year, indicator, subject, grade, procedure); every other stored
column must agree: integers, flags and text exactly, floats within `RELATIVE` of the larger magnitude (both
NULL, or both NaN, is agreement; NULL on one side only is not).
"""

# ruff: noqa: S608 — column names come from VALUE_SCHEMA, file names are bound parameters
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from msoko.engine.results import VALUE_SCHEMA, ResultStore

KEYS = ("level", "id", "year", "indicator", "subject", "grade", "procedure")
RELATIVE = 1e-9


@dataclass
class Difference:
    rows: tuple[int, int]  # rows on each side
    only_left: int = 0
    only_right: int = 0
    columns: dict[str, int] = field(default_factory=dict)  # column → rows that disagree
    examples: list[dict] = field(default_factory=list)  # a few disagreeing rows, both sides

    @property
    def equal(self) -> bool:
        return not self.only_left and not self.only_right and not self.columns and self.rows[0] == self.rows[1]

    def __str__(self) -> str:
        return (f"rows {self.rows[0]} / {self.rows[1]}, only left {self.only_left}, only right {self.only_right}, "
                f"columns {self.columns}, e.g. {self.examples[:3]}")


def active_files(store: ResultStore) -> list[str]:
    """Every Parquet file of the runs the manifest's active values point at."""
    runs = {slot["run"] for years in store.manifest()["active"].values() for slot in years.values()}
    return sorted(str(f) for run in runs for f in store.run_dir(run).glob("*.parquet"))


def _agree(column: str, kind: pa.DataType) -> str:
    a, b = f"a.{column}", f"b.{column}"
    same_null = f"({a} IS NULL) = ({b} IS NULL)"
    if pa.types.is_floating(kind):
        close = (f"(isnan({a}) AND isnan({b})) OR {a} = {b} OR "
                 f"abs({a} - {b}) <= {RELATIVE} * greatest(abs({a}), abs({b}))")
        return f"({same_null} AND ({a} IS NULL OR {close}))"
    return f"({same_null} AND ({a} IS NULL OR {a} = {b}))"


def compare(left: ResultStore | Sequence[str], right: ResultStore | Sequence[str]) -> Difference:
    """The active values of two result stores (or two lists of value files), compared row by row."""
    con = duckdb.connect(":memory:")
    for name, side in (("a", left), ("b", right)):
        files = active_files(side) if isinstance(side, ResultStore) else [str(Path(f)) for f in side]
        if files:  # only the rows the active slots point at: a run holds exactly its active indicator × years
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet(?)", [files])
        else:
            con.register("empty_values", VALUE_SCHEMA.empty_table())
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM empty_values")
    rows = (con.execute("SELECT count(*) FROM a").fetchone()[0], con.execute("SELECT count(*) FROM b").fetchone()[0])
    on = " AND ".join(f"a.{k} IS NOT DISTINCT FROM b.{k}" for k in KEYS)
    out = Difference(rows=rows)
    out.only_left = con.execute(f"SELECT count(*) FROM a ANTI JOIN b ON {on}").fetchone()[0]
    out.only_right = con.execute(f"SELECT count(*) FROM b ANTI JOIN a ON {on}").fetchone()[0]
    compared = [f for f in VALUE_SCHEMA if f.name not in KEYS]
    checks = ", ".join(f"count(*) FILTER (WHERE NOT {_agree(f.name, f.type)}) AS {f.name}" for f in compared)
    counts = con.execute(f"SELECT {checks} FROM a JOIN b ON {on}").fetchone()
    out.columns = {f.name: n for f, n in zip(compared, counts, strict=True) if n}
    if out.columns:
        wrong = " OR ".join(f"NOT {_agree(name, VALUE_SCHEMA.field(name).type)}" for name in out.columns)
        pick = ", ".join([*(f"a.{k}" for k in KEYS), *(f"a.{c} AS left_{c}, b.{c} AS right_{c}" for c in out.columns)])
        cursor = con.execute(f"SELECT {pick} FROM a JOIN b ON {on} WHERE {wrong} LIMIT 5")
        names = [d[0] for d in cursor.description]
        out.examples = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return out
