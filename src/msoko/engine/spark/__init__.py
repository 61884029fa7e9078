"""The indicator computation on Apache Spark (`msoko compute --engine spark`).

Nothing here is a second implementation of the engine. `msoko.engine.compute.compute` drives the work and
writes every statement once, in DuckDB's SQL; `SparkRunner` runs those statements on Spark instead of DuckDB:
the formulas are rendered by SQLGlot's Spark dialect from the compiled plan (`formula.compile_part`), the
rest of the engine's SQL is transpiled by SQLGlot (`render`). What stays on DuckDB: the sources (`Sources`:
typed views over the warehouse, the ОГЭ mark by scale, the ЕГЭ minimum, the year list, scale warnings) —
handed to Spark as Parquet — and the result store, which reads Spark's rows from Parquet. PySpark is an
optional extra (`uv sync --extra spark`); importing this package does not import it.
"""

from __future__ import annotations

from msoko.engine.spark.runner import (
    NOT_INSTALLED,
    SparkRunner,
    render,
    runner_for,
    scratch_for,
    spark_available,
    spark_session,
)

__all__ = ["NOT_INSTALLED", "SparkRunner", "render", "runner_for", "scratch_for", "spark_available", "spark_session"]
