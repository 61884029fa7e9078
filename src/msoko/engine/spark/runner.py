"""`SparkRunner`: runs the engine's statements on a Spark session, the `DuckDBRunner` methods over Spark.

- `prepare`: the DuckDB sources (`ds_<name>`, `orgs`, `munis`) are copied once to Parquet under the scratch
  folder (only the years the run reads) and registered as Spark temporary views of the same names. On a
  cluster the scratch folder must be on storage every executor reads (`MSOKO_SPARK_SCRATCH`).
- `table`: a statement, transpiled from DuckDB's SQL (`render`) unless already written in Spark's (the
  base scan: its formulas come from `formula.compile_part(dialect="spark")`), is materialised once as a
  view — checkpointed by the executors (`localCheckpoint`), or with `checkpoint=False` written to Parquet
  under the scratch folder — as DuckDB's temporary tables are; a numbered table gets a fixed `rowid`
  (`monotonically_increasing_id`, computed once).
- `publish`: the stored long rows are written by Spark to Parquet; `values_out` on the DuckDB connection is a
  typed view over those files, so `ResultStore.write_run_from` stores them exactly as it stores DuckDB's.

`render` adapts what SQLGlot leaves as it is and Spark computes differently: DuckDB's `hash(a, b, …)`
(64 bits) becomes `xxhash64(a, b, …, isnull(a), isnull(b), …)` — Spark's hashes skip NULL arguments, so the
NULL flags keep (x, NULL) and (NULL, x) apart; `rowid`, DuckDB's row number of a table, is the column the
runner adds to numbered tables.
"""

# ruff: noqa: S608 — the SQL is the engine's own (see msoko.engine.compute); paths are the runner's scratch
from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from msoko.core.env import env_int, env_str
from msoko.engine.compute import VALUE_COLUMNS
from msoko.engine.sources import Sources, _quote

LOCAL_MASTER = "local[2]"


NOT_INSTALLED = "движок spark не установлен: выполните python3 -m uv sync --extra spark (нужны PySpark и Java 17)"


def spark_available() -> bool:
    """PySpark is installed (the optional `spark` extra) — Java is checked when a session starts."""
    return importlib.util.find_spec("pyspark") is not None


def spark_session(master: str | None = None, *, memory: str | None = None, partitions: int | None = None):
    """The Spark session of this process: `master` or `MSOKO_SPARK_MASTER` (a cluster URL) or `local[2]`.
    `memory` (e.g. "4GB") becomes the driver's memory — the whole of local mode — when the JVM starts here."""
    from pyspark.sql import SparkSession

    master = master or env_str("MSOKO_SPARK_MASTER", LOCAL_MASTER)
    builder = (SparkSession.builder.master(master).appName("msoko")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.ansi.enabled", "true")  # Spark 4's default, stated: errors, never silent NULLs
               .config("spark.sql.shuffle.partitions",
                       str(partitions or env_int("MSOKO_SPARK_PARTITIONS", 8, minimum=1)))
               .config("spark.sql.adaptive.enabled", "true"))
    if memory:
        builder = builder.config("spark.driver.memory", _jvm_memory(memory))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _jvm_memory(memory: str) -> str:
    """DuckDB's "6GB" / "512MB" as the JVM's "6g" / "512m"."""
    text = memory.strip().upper().replace("IB", "B")
    for suffix, unit in (("GB", "g"), ("MB", "m"), ("G", "g"), ("M", "m")):
        if text.endswith(suffix):
            return text[: -len(suffix)].strip() + unit
    return memory


def _spark_hash(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "hash":
        args = [a.copy() for a in node.expressions]
        flags = [exp.func("isnull", a.copy()) for a in node.expressions]
        return exp.func("xxhash64", *args, *flags)
    return node


def render(sql: str) -> str:
    """The engine's DuckDB statement in Spark's SQL (SQLGlot), with DuckDB's `hash` made Spark's 64-bit one."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    return tree.transform(_spark_hash).sql(dialect="spark")


def _value_view(files: str) -> str:
    """The long rows Spark wrote, typed as the stored columns (VALUE_COLUMNS)."""
    columns = [item.strip().split(" ", 1) for item in VALUE_COLUMNS.split(",")]
    casts = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in columns)
    return f"SELECT {casts} FROM read_parquet('{files}')"


class SparkRunner:
    """Runs `msoko.engine.compute.compute`'s statements on `spark`; results end as `values_out` on `con`."""

    dialect = "spark"

    def __init__(self, spark, con: duckdb.DuckDBPyConnection, scratch: Path | str, *, checkpoint: bool = True):
        self.spark, self.con, self.checkpoint = spark, con, checkpoint
        self.scratch = Path(scratch)  # this run's own folder: `cleanup` removes it whole
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.statements = 0  # Spark statements run (materialised tables, rows, the published values)
        self.views: set[str] = set()  # the temporary views this runner made in the session

    def _path(self, name: str) -> Path:
        return self.scratch / name

    def _register(self, name: str, path: Path) -> None:
        self.spark.read.parquet(str(path)).createOrReplaceTempView(name)
        self.views.add(name)

    def prepare(self, sources: Sources, datasets: list[str], years: list[int]) -> None:
        year_list = ", ".join(str(int(y)) for y in years)
        names = [("orgs", ""), ("munis", "")] + [("ds_" + d, f" WHERE year IN ({year_list})") for d in datasets]
        for name, where in names:
            path = self._path("sources") / f"{name}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            target = str(path).replace("'", "''")
            sources.con.execute(f"COPY (SELECT * FROM {_quote(name)}{where}) TO '{target}' (FORMAT parquet)")
            self._register(name, path)

    def table(self, name: str, sql: str, *, dialect: str = "duckdb", numbered: bool = False) -> None:
        from pyspark.sql import functions

        frame = self.spark.sql(sql if dialect == "spark" else render(sql))
        if numbered:
            frame = frame.withColumn("rowid", functions.monotonically_increasing_id())
        if self.checkpoint:  # kept by the executors (memory, then their disks): no file round trip
            frame.localCheckpoint(eager=True).createOrReplaceTempView(name)
            self.views.add(name)
        else:
            path = self._path(name)
            frame.write.mode("overwrite").parquet(str(path))
            self._register(name, path)
        self.statements += 1

    def row(self, sql: str) -> tuple:
        self.statements += 1
        return tuple(self.spark.sql(render(sql)).collect()[0])

    def drop(self, *names: str) -> None:
        for name in names:
            self.spark.catalog.dropTempView(name)
            self.views.discard(name)
            shutil.rmtree(self._path(name), ignore_errors=True)

    def publish(self, table: str, longs: list[str]) -> None:
        """Each dataset's long rows written by Spark (one statement per dataset: Spark's planner slows down
        far more than linearly on a union of every indicator of the catalog), read by DuckDB as `table`."""
        self.con.execute(f"DROP VIEW IF EXISTS {table}; DROP TABLE IF EXISTS {table}")
        if not longs:
            self.con.execute(f"CREATE TEMP TABLE {table} ({VALUE_COLUMNS})")
            return
        path = self._path("values_out")
        shutil.rmtree(path, ignore_errors=True)
        for n, sql in enumerate(longs):
            self.spark.sql(render(sql)).write.parquet(str(path / f"dataset-{n}"))
            self.statements += 1
        files = str(path / "*" / "*.parquet").replace("'", "''")
        self.con.execute(f"CREATE TEMP VIEW {table} AS {_value_view(files)}")

    def close(self) -> None:
        """Forget this runner's views; the scratch folder (and the values DuckDB may still read) goes with
        `cleanup`."""
        for name in sorted(self.views):
            self.spark.catalog.dropTempView(name)
        self.views.clear()

    def cleanup(self) -> None:
        """After the values are stored: the views (and their checkpoints) and the scratch folder go."""
        self.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


def scratch_for(root: Path) -> Path:
    """A fresh scratch folder for one run under `root` (the workspace's tmp/)."""
    folder = Path(root) / f"spark-{os.getpid()}-{os.urandom(4).hex()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def runner_for(engine: str, con: duckdb.DuckDBPyConnection, spill: Path, memory_limit: str | None = None
               ) -> SparkRunner:
    """The runner of `engine` ("spark") for `pipeline.recompute`: a session (local[2] unless
    MSOKO_SPARK_MASTER names a cluster) and a fresh scratch folder of its own under MSOKO_SPARK_SCRATCH
    (storage every node reads, on a cluster) or the workspace's tmp/."""
    if engine != "spark":
        raise ValueError(f"неизвестный движок расчёта «{engine}»: допустимы duckdb и spark")
    if not spark_available():
        raise RuntimeError(NOT_INSTALLED)
    root = Path(env_str("MSOKO_SPARK_SCRATCH") or spill)
    return SparkRunner(spark_session(memory=memory_limit), con, scratch_for(root))
