"""The analytics engine (no Django imports: tests/test_layers.py)."""

# what can compute the indicators (`pipeline.run_all(engine=…)`, `msoko compute --engine`, MSOKO_ENGINE);
# detection, ratings and distributions are DuckDB's whichever computes them. Kept here, not in `pipeline`,
# so that the web's settings can name it without importing the engine's libraries.
ENGINES = ("duckdb", "spark")
