"""Indicator computation: every indicator × year × level, with numerator, denominator and group size.

One scan per dataset computes the additive parts of all its indicators per organisation (or municipality,
for municipal forms), year and — for result datasets — subject and grade. Higher levels and the pooled
rows are sums of those parts (GROUPING SETS), so a share is always Σnumerators / Σdenominators. A final
pass adds the change from the previous year, the target and its attainment, rank, percentile and the best
value among peers at the same level (only values on enough results take part), and a 95 % Wilson interval
for shares. Only SQL the formula compiler produced, plus the engine's own fixed SQL, reaches DuckDB.
"""

# ruff: noqa: S608 — SQL here is the engine's own text; identifiers are quoted and validated, values are
# literals rendered by SQLGlot; formulas arrive only as compiled, allow-listed expressions.
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from msoko.core.issues import Issue
from msoko.engine.catalog.model import Catalog, Direction, Indicator, Kind, Level
from msoko.engine.catalog.validate import dataset_specs, indicator_formula
from msoko.engine.datasets import DatasetSpec, Grain
from msoko.engine.formula import compile_part, filter_condition, parse_formula
from msoko.engine.sources import Sources, _quote
from msoko.engine.warehouse import Warehouse

Progress = Callable[[str, int, int], None]
SHARE_LIKE = (Kind.SHARE,)
Z = 1.959963984540054


@dataclass
class ComputeOutcome:
    """The values stay in DuckDB (table `values_out`, spilled to disk when large) until someone asks."""

    con: duckdb.DuckDBPyConnection | None = None
    table: str = "values_out"
    computed: list[str] = field(default_factory=list)  # indicator codes with data
    waiting: dict[str, str] = field(default_factory=dict)  # code → missing dataset
    years: list[int] = field(default_factory=list)
    rows: int = 0
    warnings: list[Issue] = field(default_factory=list)  # data-quality notes (missing scales…)

    @property
    def values(self) -> pa.Table:
        if self.con is None or not self.rows:
            from msoko.engine.results import empty_values

            return empty_values()
        return self.con.sql(f"SELECT * FROM {self.table}").to_arrow_table()


def connect(memory_limit: str | None = None, threads: int | None = None, temp_dir: str | None = None
            ) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = '{memory_limit or '4GB'}'")
    if temp_dir:
        con.execute(f"SET temp_directory = '{temp_dir}'")
    con.execute("SET preserve_insertion_order = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _where(indicator: Indicator, spec: DatasetSpec):
    filters = indicator.filters
    values = {"subject": filters.subject, "grade": filters.grade, "org_kind": filters.org_kind}
    if filters.procedure and "procedure" in spec.columns:
        values["procedure"] = filters.procedure
    return filter_condition(values, {})


Part = tuple[str, str, str | None, str]  # indicator code, numerator / denominator / group-size column
HIER = ("_h_municipality", "_h_region")  # the base table's hierarchy columns (organisation grain)


def _base_query(spec: DatasetSpec, indicators: list[Indicator], years: list[int], dialect: str = "duckdb"
                ) -> tuple[str, list[Part], list[str]]:
    """One GROUP BY over the dataset; identical aggregates (count(*) under the same filter…) are shared."""
    unit = Sources.unit_column(spec)
    dims = [unit, "year", *spec.breakdowns]
    columns: dict[str, str] = {}  # compiled SQL → column name

    def column(sql: str) -> str:
        return columns.setdefault(sql, f"c{len(columns)}")

    parts: list[Part] = []
    size_formula, _ = parse_formula(spec.group_size, {**spec.columns, "*": None})
    for indicator in indicators:
        formula, errors = indicator_formula(indicator, spec)
        if formula is None:  # validated catalogs never get here
            raise ValueError(f"{indicator.code}: {errors[0].message}")
        where = _where(indicator, spec)
        num = column(compile_part(formula.numerator, where=where, dialect=dialect))
        den = (column(compile_part(formula.denominator, where=where, dialect=dialect))
               if formula.denominator is not None else None)
        size = column(compile_part(size_formula.numerator, where=where, dialect=dialect))
        parts.append((indicator.code, num, den, size))
    view = _quote("ds_" + spec.name)
    if spec.grain is Grain.ORGANISATION:  # rows of organisations outside the registry are not counted
        # The organisation's municipality and region ride along, so the roll-up needs no second join.
        source = (f"(SELECT d.*, o.kind AS org_kind, o.municipality_id AS {HIER[0]}, o.region_id AS {HIER[1]} "
                  f"FROM {view} d JOIN orgs o ON o.org_id = d.org_id)")
        dims = [unit, *HIER, *dims[1:]]
    else:
        source = view
    dim_sql = ", ".join(_quote(c) for c in dims)
    year_list = ", ".join(str(int(y)) for y in years)
    selects = ", ".join(f"{sql} AS {name}" for sql, name in columns.items())
    sql = f"SELECT {dim_sql}, {selects} FROM {source} WHERE year IN ({year_list}) GROUP BY {dim_sql}"
    return sql, parts, list(columns.values())


def _rollup_query(spec: DatasetSpec, base: str, names: list[str]) -> str:
    """Sums of every column at each level × breakdown: (level, id, year, subject, grade, c0, c1, …)."""
    breakdowns = list(spec.breakdowns)
    subject = '"subject"' if "subject" in breakdowns else "CAST(NULL AS VARCHAR)"
    grade = '"grade"' if "grade" in breakdowns else "CAST(NULL AS BIGINT)"
    sets = [()]
    if "subject" in breakdowns:
        sets.append(("subject",))
    if "grade" in breakdowns:
        sets.append(("grade",))
    if "subject" in breakdowns and "grade" in breakdowns:
        sets.append(("subject", "grade"))
    grouping = ", ".join("(" + ", ".join(["id", "year", *[_quote(c) for c in s]]) + ")" for s in sets)
    sums = ", ".join(f"sum({name}) AS {name}" for name in names)
    levels = []
    if spec.grain is Grain.ORGANISATION:
        joined = f"{base} b"
        levels += [("organisation", "b.org_id"), ("municipality", f"b.{HIER[0]}"), ("region", f"b.{HIER[1]}")]
    else:
        joined = f"{base} b JOIN munis h ON h.municipality_id = b.municipality_id"
        levels += [("municipality", "h.municipality_id"), ("region", "h.region_id")]
    levels.append(("total", "'total'"))
    blocks = []
    for level, id_sql in levels:
        inner = f"FROM (SELECT b.*, {id_sql} AS id FROM {joined})"
        head = f"SELECT '{level}' AS level, id, year, {subject} AS subject, {grade} AS grade, {sums} {inner}"
        if not breakdowns:
            blocks.append(f"{head} GROUP BY id, year")
            continue
        # A breakdown row whose own value is missing (an ОГЭ row has no grade) is not a breakdown: drop it.
        flags = " AND ".join(f"NOT (GROUPING({_quote(c)}) = 0 AND {_quote(c)} IS NULL)" for c in breakdowns)
        blocks.append(f"{head} GROUP BY GROUPING SETS ({grouping}) HAVING {flags}")
    return " UNION ALL ".join(blocks)


def _prev_query(rolled: str, names: list[str]) -> str:
    """The rolled rows with the same level × id × breakdown's sums of the previous year (`p_c0`, …), for the
    change: one join of the (few, wide) rolled rows instead of one per indicator row later."""
    prev = ", ".join(f"p.{name} AS p_{name}" for name in names)
    same = " AND ".join(f"p.{c} IS NOT DISTINCT FROM r.{c}" for c in ("id", "subject", "grade"))
    keys = ("hash(r.level, r.year, r.subject, r.grade) AS peer_key, "
            "hash('peers', r.grade, r.subject, r.year, r.level) AS peer_check")
    return (f"SELECT r.*, {keys}, {prev} FROM {rolled} r LEFT JOIN {rolled} p "
            f"ON p.level = r.level AND p.year = r.year - 1 AND {same}")


def _value_sql(num: str, den: str | None) -> str:
    """numerator / denominator as the stored `value` is: the numerator alone where there is no denominator
    (or it is NULL), NULL where it is 0."""
    num_sql = f"CAST({num} AS DOUBLE)"
    if den is None:
        return num_sql
    den_sql = f"CAST({den} AS DOUBLE)"
    return f"CASE WHEN {den_sql} IS NULL THEN {num_sql} WHEN {den_sql} = 0 THEN NULL ELSE {num_sql} / {den_sql} END"


def _long_query(rolled: str, parts: list[Part], indicators: dict[str, Indicator]) -> str:
    """One row per indicator, in the columns of `enriched`: its value, whether it is ranked (order_key not
    NULL: a value on enough results with a direction), prev_value (the previous year's value where that
    year's row exists) and its peer group's key pair (the breakdown's hashes combined with the indicator's)."""
    longs = []
    for code, num, den, size in parts:
        indicator = indicators[code]
        literal = "'" + code.replace("'", "''") + "'"
        minimum = int(indicator.min_group_size)
        sign = {Direction.HIGHER: "-", Direction.LOWER: ""}.get(indicator.direction)
        order_key = (f"CASE WHEN value IS NOT NULL AND group_size >= {minimum} THEN {sign}value END"
                     if sign is not None else "CAST(NULL AS DOUBLE)")
        den_sql = f"CAST({den} AS DOUBLE)" if den else "CAST(NULL AS DOUBLE)"
        prev = f"CASE WHEN p_{size} > 0 THEN {_value_sql('p_' + num, 'p_' + den if den else None)} END"
        row = (f"SELECT level, id, year, subject, grade, {literal} AS indicator, CAST({num} AS DOUBLE) AS numerator, "
               f"{den_sql} AS denominator, CAST({size} AS BIGINT) AS group_size, {_value_sql(num, den)} AS value, "
               f"{prev} AS prev_value, xor(peer_key, hash({literal})) AS peers, "
               f"xor(peer_check, hash('peers', {literal})) AS peers_check FROM {rolled} WHERE {size} > 0")
        longs.append(f"SELECT level, id, year, subject, grade, indicator, numerator, denominator, group_size, value, "
                     f"group_size < {minimum} AS under_min_group, {order_key} AS order_key, prev_value, peers, "
                     f"peers_check FROM ({row})")
    return " UNION ALL ".join(longs)


META_COLUMNS = ("indicator VARCHAR, year BIGINT, level VARCHAR, is_share BOOLEAN, direction VARCHAR, "
                "min_group_size BIGINT, target DOUBLE, version BIGINT, definition_hash VARCHAR")


def _create_meta(con: duckdb.DuckDBPyConnection, indicators: list[Indicator], years: list[int],
                 versions: dict[str, tuple[int, str]]) -> None:
    """Table `meta`: what the final pass needs per indicator × year × level. Built by bound INSERTs, not
    through a pyarrow table from Python objects (that imports pandas: ≈1 s of a region's recompute)."""
    rows = []
    for ind in indicators:
        version, digest = versions.get(ind.code, (ind.version, ind.definition_hash()))
        for year in years:
            for level in Level:
                rows.append((ind.code, year, str(level), ind.kind in SHARE_LIKE, str(ind.direction),
                             ind.min_group_size, ind.target_for(year, level), version, digest))
    con.execute(f"CREATE OR REPLACE TEMP TABLE meta ({META_COLUMNS})")
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
        con.execute(f"INSERT INTO meta VALUES {values}", [v for row in chunk for v in row])


# Peer groups are keyed by pairs of independent 64-bit hashes (`peers`/`peers_check`): joining and grouping
# on two integers is several times faster than on the text columns, and a double collision (≈2^-128 per
# pair) is not a practical risk. The wide rows are never sorted: a rank depends only on the peer
# group and the value, so ranks, peer counts and best values are computed once per distinct value of a peer
# group (a narrow table) and joined back; the metadata (target, version, hash) is joined at the end.
ENRICHED_COLUMNS = ("level VARCHAR, id VARCHAR, year BIGINT, subject VARCHAR, grade BIGINT, indicator VARCHAR, "
                    "numerator DOUBLE, denominator DOUBLE, group_size BIGINT, value DOUBLE, under_min_group BOOLEAN, "
                    "order_key DOUBLE, prev_value DOUBLE, peers UBIGINT, peers_check UBIGINT")
PREPARE_SQL = """
CREATE OR REPLACE TEMP TABLE peer_ranks AS
SELECT peers, peers_check, order_key,
       CAST(1 + coalesce(sum(n) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT) AS rank_all,
       CAST(sum(n) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS BIGINT) AS peers_all,
       first_value(order_key) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS best_key
FROM (SELECT peers, peers_check, order_key, count(*) AS n FROM enriched WHERE order_key IS NOT NULL
      GROUP BY peers, peers_check, order_key)
WINDOW w AS (PARTITION BY peers, peers_check ORDER BY order_key);
"""

FINAL_SQL = f"""
WITH w AS (
  SELECT e.*, k.rank_all, k.peers_all, k.best_key, m.is_share, m.direction, m.target, m.version,
         m.definition_hash
  FROM enriched e
  JOIN meta m ON m.indicator = e.indicator AND m.year = e.year AND m.level = e.level
  LEFT JOIN peer_ranks k ON k.peers = e.peers AND k.peers_check = e.peers_check AND k.order_key = e.order_key
  WHERE e.year IN (SELECT year FROM keep_years)
)
SELECT level, id, CAST(year AS BIGINT) AS year, indicator, value, numerator, denominator,
  subject, CAST(grade AS BIGINT) AS grade, group_size, under_min_group,
  value - prev_value AS change,
  target,
  CASE WHEN target IS NULL OR value IS NULL THEN NULL
       WHEN direction = 'lower_is_better' THEN CASE WHEN value > 0 THEN target / value END
       WHEN target <> 0 THEN value / target END AS attainment,
  rank_all AS rank,
  peers_all AS peers,
  CASE WHEN rank_all IS NOT NULL THEN CASE WHEN peers_all = 1 THEN 100.0
       ELSE 100.0 * (peers_all - rank_all) / (peers_all - 1) END END AS percentile,
  CASE direction WHEN 'higher_is_better' THEN -best_key ELSE best_key END AS best_value,
  CASE WHEN is_share AND denominator > 0 THEN
    (value + {Z}^2 / (2 * denominator) - {Z} * sqrt(value * (1 - value) / denominator
      + {Z}^2 / (4 * denominator * denominator))) / (1 + {Z}^2 / denominator) END AS ci_low,
  CASE WHEN is_share AND denominator > 0 THEN
    (value + {Z}^2 / (2 * denominator) + {Z} * sqrt(value * (1 - value) / denominator
      + {Z}^2 / (4 * denominator * denominator))) / (1 + {Z}^2 / denominator) END AS ci_high,
  CAST(version AS BIGINT) AS version, definition_hash
FROM w
"""


def compute(warehouse: Warehouse, catalog: Catalog, *, years: list[int] | None = None,
            versions: dict[str, tuple[int, str]] | None = None, progress: Progress | None = None,
            con: duckdb.DuckDBPyConnection | None = None, dialect: str = "duckdb") -> ComputeOutcome:
    """Compute every indicator of `catalog` whose dataset has data; `years` limits what is returned
    (the previous year is read too, for the change). `versions` maps code → (version, hash) to stamp."""
    con = con or connect()
    specs = dataset_specs(catalog)
    sources = Sources(con, warehouse, specs)
    by_dataset: dict[str, list[Indicator]] = {}
    outcome = ComputeOutcome(con=con)
    for indicator in catalog.indicators:
        if indicator.dataset in sources.available:
            by_dataset.setdefault(indicator.dataset, []).append(indicator)
        else:
            outcome.waiting[indicator.code] = indicator.dataset
    all_years = sources.years(set(by_dataset))
    keep = sorted(set(years) & set(all_years)) if years else all_years
    read = sorted({y for y in all_years if y in keep or (y + 1) in keep})
    outcome.years = keep
    outcome.warnings = sources.scale_gaps(keep)
    total = len(by_dataset) + 1
    computed = [i for ind in by_dataset.values() for i in ind] if read else []
    _create_meta(con, computed, read, versions or {})
    con.execute(f"CREATE OR REPLACE TEMP TABLE enriched ({ENRICHED_COLUMNS})")
    for step, (name, indicators) in enumerate(sorted(by_dataset.items())):
        if progress:
            progress(f"набор «{name}»", step, total)
        if not read:
            break
        spec = specs[name]
        base_sql, parts, names = _base_query(spec, indicators, read, dialect)
        con.execute(f"CREATE OR REPLACE TEMP TABLE base AS {base_sql}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE rolled AS {_rollup_query(spec, 'base', names)}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE rolled_prev AS {_prev_query('rolled', names)}")
        con.execute("INSERT INTO enriched " + _long_query("rolled_prev", parts, {i.code: i for i in indicators}))
        con.execute("DROP TABLE base; DROP TABLE rolled; DROP TABLE rolled_prev")
        outcome.computed += [part[0] for part in parts]
    if progress:
        progress("сравнение, ранги, цели", total - 1, total)
    con.execute("CREATE OR REPLACE TEMP TABLE keep_years (year BIGINT)")
    if keep:
        con.execute(f"INSERT INTO keep_years VALUES {', '.join(f'({int(y)})' for y in keep)}")
    con.execute(PREPARE_SQL)
    # Every join of the final pass builds its hash table on the narrow side as written (the previous
    # year's values, the ranks, the metadata) and streams the wide rows through it; left to itself the
    # optimiser builds on the wide rows (equal row counts), which costs more than the rest of the pass.
    con.execute("SET disabled_optimizers = 'build_side_probe_side'")
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {outcome.table} AS {FINAL_SQL}")
    finally:
        con.execute("RESET disabled_optimizers")
    con.execute("DROP TABLE enriched; DROP TABLE peer_ranks")
    outcome.rows = con.execute(f"SELECT count(*) FROM {outcome.table}").fetchall()[0][0]
    if progress:
        progress("готово", total, total)
    return outcome


__all__ = ["ComputeOutcome", "Direction", "compute", "connect"]
