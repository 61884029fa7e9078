"""Indicator computation: every indicator × year × level, with numerator, denominator and group size.

One scan per dataset computes the additive parts of all its indicators per organisation (or municipality,
for municipal forms), year and — for result datasets — subject and grade. Higher levels and the pooled
rows are sums of those parts (GROUPING SETS), so a share is always Σnumerators / Σdenominators. The rolled
rows stay wide (one column group per indicator): each gets its value and the previous year's (one self-join
of the rolled rows), and one window over narrow (row, indicator, peer group, key) rows ranks them. The
stored long rows — one per indicator — are a view that unfolds the wide rows with the target and its
attainment, rank, percentile and the best value among peers at the same level (only values on enough
results take part) and a 95 % Wilson interval for shares; they exist only while they are written.
Peer groups are keyed by pairs of independent 64-bit hashes (a double collision, ≈2^-128 per pair, is not
a practical risk). Only SQL the formula compiler produced, plus the engine's own fixed SQL, reaches DuckDB.
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
Z_SQL = f"CAST({Z!r} AS DOUBLE)"  # a DOUBLE in every engine (a bare literal is a DECIMAL in DuckDB and Spark)


@dataclass
class ComputeOutcome:
    """The values stay in DuckDB (table `values_out`, spilled to disk when large) until someone asks."""

    con: duckdb.DuckDBPyConnection | None = None
    table: str = "values_out"
    computed: list[str] = field(default_factory=list)  # indicator codes with data
    waiting: dict[str, str] = field(default_factory=dict)  # code → missing dataset
    # code → why the indicator has no value although its dataset was read (no ЕГЭ rows in `gia`, no row of
    # the years computed, none passing its filters): it is simply absent, `catalog list` says why
    absent: dict[str, str] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    rows: int = 0
    warnings: list[Issue] = field(default_factory=list)  # data-quality notes (missing scales…)

    @property
    def values(self) -> pa.Table:
        if self.con is None or not self.rows:
            from msoko.engine.results import empty_values

            return empty_values()
        return self.con.sql(f"SELECT * FROM {self.table}").to_arrow_table()


def in_dialect(sql: str, dialect: str) -> str:
    """The engine's own SQL is written once, for DuckDB; another engine runs SQLGlot's rendering of it."""
    if dialect == "duckdb":
        return sql
    import sqlglot

    return sqlglot.transpile(sql, read="duckdb", write=dialect)[0]


class DuckDBRunner:
    """Runs the engine's statements (DuckDB SQL) on a DuckDB connection: the default engine. Another engine
    (`msoko.engine.spark.SparkRunner`) offers the same methods and transpiles the same statements."""

    dialect = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def prepare(self, sources: Sources, datasets: list[str], years: list[int]) -> None:
        """Make the datasets' views (`ds_<name>`, `orgs`, `munis`) readable by the engine: already here."""

    def table(self, name: str, sql: str, *, dialect: str = "duckdb", numbered: bool = False) -> None:
        """Materialise `sql` (written in `dialect`) as `name`; `numbered`: its rows are told apart by `rowid`
        (DuckDB's own row number of a table)."""
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def row(self, sql: str) -> tuple:
        return self.con.execute(sql).fetchall()[0]

    def drop(self, *names: str) -> None:
        self.con.execute("; ".join(f"DROP TABLE {name}" for name in names))

    def publish(self, table: str, longs: list[str]) -> None:
        """`table` on the DuckDB connection: a view of the long rows each dataset's `longs` unfold, or empty."""
        self.con.execute(f"DROP VIEW IF EXISTS {table}; DROP TABLE IF EXISTS {table}")
        if longs:  # the long rows are unfolded from the wide tables as they are read (written), never stored
            self.con.execute(f"CREATE TEMP VIEW {table} AS {' UNION ALL '.join(longs)}")
        else:
            self.con.execute(f"CREATE TEMP TABLE {table} ({VALUE_COLUMNS})")


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
Scales = dict[str, tuple[str, str]]  # indicator code → (lowest, highest) maximum-score column of its rows
HIER = ("_h_municipality", "_h_region")  # the base table's hierarchy columns (organisation grain)
SCALE_COLUMN = "max_score"  # a result dataset's declared maximum of the scale its scores are on
UNKNOWN_SCALE = -1  # stands for an undeclared maximum: rows with and without one are different scales


def procedure_key(spec: DatasetSpec) -> bool:
    """A dataset whose rows name their procedure (results_by_org) keeps it as a key: no row of the roll-up
    pools two procedures, for any indicator (ВПР marks, НВО points and ДЗИ grades are different things)."""
    return "procedure" in spec.columns


def _base_query(spec: DatasetSpec, indicators: list[Indicator], years: list[int], dialect: str = "duckdb"
                ) -> tuple[str, list[Part], dict[str, str], Scales]:
    """One GROUP BY over the dataset; identical aggregates (count(*) under the same filter…) are shared.
    Returns the SQL, the parts, each column's roll-up aggregate (sum, or min/max for the scale bounds) and
    the scale bounds of every mean over a dataset that declares `max_score`."""
    unit = Sources.unit_column(spec)
    dims = [unit, "year", *(["procedure"] if procedure_key(spec) else []), *spec.breakdowns]
    columns: dict[str, str] = {}  # compiled SQL → column name
    rollup: dict[str, str] = {}  # column name → how it rolls up

    def column(sql: str, how: str = "sum") -> str:
        name = columns.setdefault(sql, f"c{len(columns)}")
        rollup[name] = how
        return name

    parts: list[Part] = []
    scales: Scales = {}
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
        if indicator.kind is Kind.MEAN and SCALE_COLUMN in spec.columns:
            # a mean is never taken across different maxima: the bounds of the maxima its rows are on
            filtered = f" FILTER (WHERE {where.sql(dialect='duckdb')})" if where is not None else ""
            bound = f"coalesce({_quote(SCALE_COLUMN)}, {UNKNOWN_SCALE})"
            scales[indicator.code] = (column(in_dialect(f"min({bound}){filtered}", dialect), "min"),
                                      column(in_dialect(f"max({bound}){filtered}", dialect), "max"))
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
    # the frame is the engine's DuckDB text (rendered for `dialect`); the parts are already in `dialect`
    frame = in_dialect(f"SELECT {dim_sql}, __parts__ FROM {source} WHERE year IN ({year_list}) GROUP BY {dim_sql}",
                       dialect)
    return frame.replace("__parts__", selects, 1), parts, rollup, scales


def _rollup_query(spec: DatasetSpec, base: str, rollup: dict[str, str]) -> str:
    """Sums of every column (min/max of the scale bounds) at each level × breakdown: (level, id, year,
    procedure, subject, grade, c0, c1, …). `procedure` is the dataset's own (ВПР for `vpr`) or, where rows
    name it, a key of every grouping set — never rolled up."""
    breakdowns = list(spec.breakdowns)
    keyed = procedure_key(spec)
    # a breakdown column is selected as itself, not aliased: Spark resolves HAVING's GROUPING(x) against an
    # alias of the select list and then finds no grouping column of that name
    subject = '"subject"' if "subject" in breakdowns else "CAST(NULL AS VARCHAR) AS subject"
    grade = '"grade"' if "grade" in breakdowns else "CAST(NULL AS BIGINT) AS grade"
    procedure = ('"procedure"' if keyed else
                 _text(spec.procedure) if spec.procedure else "CAST(NULL AS VARCHAR)")
    sets = [()]
    if "subject" in breakdowns:
        sets.append(("subject",))
    if "grade" in breakdowns:
        sets.append(("grade",))
    if "subject" in breakdowns and "grade" in breakdowns:
        sets.append(("subject", "grade"))
    fixed = ["id", "year", *(['"procedure"'] if keyed else [])]
    grouping = ", ".join("(" + ", ".join([*fixed, *[_quote(c) for c in s]]) + ")" for s in sets)
    sums = ", ".join(f"CAST({how}({name}) AS DOUBLE) AS {name}" for name, how in rollup.items())
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
        head = (f"SELECT '{level}' AS level, id, year, CAST({procedure} AS VARCHAR) AS procedure, {subject}, "
                f"{grade}, {sums} {inner}")
        if not breakdowns:
            blocks.append(f"{head} GROUP BY {', '.join(fixed)}")
            continue
        # A breakdown row whose own value is missing (an ОГЭ row has no grade) is not a breakdown: drop it.
        flags = " AND ".join(f"NOT (GROUPING({_quote(c)}) = 0 AND {_quote(c)} IS NULL)" for c in breakdowns)
        blocks.append(f"{head} GROUP BY GROUPING SETS ({grouping}) HAVING {flags}")
    return " UNION ALL ".join(blocks)


def _value_sql(num: str, den: str | None) -> str:
    """numerator / denominator as the stored `value` is: the numerator alone where there is no denominator
    (or it is NULL), NULL where it is 0."""
    num_sql = f"CAST({num} AS DOUBLE)"
    if den is None:
        return num_sql
    den_sql = f"CAST({den} AS DOUBLE)"
    return f"CASE WHEN {den_sql} IS NULL THEN {num_sql} WHEN {den_sql} = 0 THEN NULL ELSE {num_sql} / {den_sql} END"


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _present(size: str, scale: tuple[str, str] | None, alias: str = "") -> str:
    """The condition for a stored row: the group has results and, for a mean, they are on one scale."""
    condition = f"{alias}{size} > 0"
    return condition + (f" AND {alias}{scale[0]} = {alias}{scale[1]}" if scale else "")


def _wide_query(rolled: str, parts: list[Part], indicators: dict[str, Indicator],
                keep: list[int], scales: Scales | None = None) -> str:
    """The rolled rows of the kept years with, per indicator `i`, its value `v{i}`, the previous year's value
    `pv{i}` (the same level × id × procedure × breakdown a year before, and for a mean on the same scale: a
    change across a change of scale is no change) and, for an indicator with a direction, its ranking key
    `k{i}` (NULL unless the value rests on enough results); `pk`/`pk2` key the peer group (level × year ×
    procedure × breakdown) by a pair of independent 64-bit hashes."""
    scales = scales or {}
    same = " AND ".join(f"p.{c} IS NOT DISTINCT FROM r.{c}" for c in ("id", "procedure", "subject", "grade"))
    year_list = ", ".join(str(int(y)) for y in keep)
    values, keys = [], []
    for i, (code, num, den, size) in enumerate(parts):
        indicator = indicators[code]
        scale = scales.get(code)
        previous = _present(size, scale, "p.")
        if scale:
            previous += f" AND p.{scale[0]} = r.{scale[0]} AND r.{scale[0]} = r.{scale[1]}"
        values.append(f"{_value_sql('r.' + num, 'r.' + den if den else None)} AS v{i}, CASE WHEN {previous} THEN "
                      f"{_value_sql('p.' + num, 'p.' + den if den else None)} END AS pv{i}")
        sign = {Direction.HIGHER: "-", Direction.LOWER: ""}.get(indicator.direction)
        if sign is not None:
            minimum = int(indicator.min_group_size)
            keys.append(f"CASE WHEN v{i} IS NOT NULL AND {_present(size, scale)} AND {size} >= {minimum} "
                        f"THEN {sign}v{i} END AS k{i}")
    hashes = ("hash(r.level, r.year, r.procedure, r.subject, r.grade) AS pk, "
              "hash('peers', r.grade, r.subject, r.procedure, r.year, r.level) AS pk2")
    sql = (f"SELECT r.*, {hashes}, {', '.join(values)} FROM {rolled} r LEFT JOIN {rolled} p "
           f"ON p.level = r.level AND p.year = r.year - 1 AND {same} WHERE r.year IN ({year_list})")
    return f"SELECT *, {', '.join(keys)} FROM ({sql})" if keys else sql


RANKED = (Direction.HIGHER, Direction.LOWER)  # directions that take a rank


def _ranks_query(wide: str, parts: list[Part], indicators: dict[str, Indicator]) -> str | None:
    """Rank, peer count and best ranking key of every ranked value (`rid` = the wide row, `i` = the
    indicator): one window over narrow rows, so the sort never carries the wide rows."""
    narrow = [f"SELECT rowid AS rid, {i} AS i, pk, pk2, k{i} AS k FROM {wide} WHERE k{i} IS NOT NULL"
              for i, (code, *_) in enumerate(parts) if indicators[code].direction in RANKED]
    if not narrow:
        return None
    # Written out for every engine (Spark neither extends a named window with a frame nor orders NULLs
    # last by default): ties share a rank whatever their order, the best key is the peer group's minimum.
    peers = "PARTITION BY i, pk, pk2"
    return (f"SELECT rid, i, CAST(rank() OVER ({peers} ORDER BY k ASC NULLS LAST) AS BIGINT) AS r, "
            f"CAST(count(*) OVER ({peers}) AS BIGINT) AS n, min(k) OVER ({peers}) AS b "
            f"FROM ({' UNION ALL '.join(narrow)})")



def _target_sql(indicator: Indicator, years: list[int]) -> str:
    """The indicator's target for each year × level of the run, inlined (most indicators have none)."""
    cases = [(year, str(level), indicator.target_for(year, level)) for year in years for level in Level]
    cases = [c for c in cases if c[2] is not None]
    if not cases:
        return "CAST(NULL AS DOUBLE)"
    whens = " ".join(f"WHEN year = {int(y)} AND level = {_text(lv)} THEN CAST({float(t)!r} AS DOUBLE)"
                     for y, lv, t in cases)
    return f"CASE {whens} END"


def _long_query(wide: str, ranks: str | None, parts: list[Part], indicators: dict[str, Indicator],
                keep: list[int], versions: dict[str, tuple[int, str]], only: list[Part] | None = None,
                scales: Scales | None = None) -> str:
    """One row per indicator and wide row where the group has results, in the stored columns: value, parts,
    change, target and attainment, rank, peers, percentile, best value, Wilson interval, version stamps.
    `only`: the parts that have rows (the others are left out of the union)."""
    longs = []
    for i, (code, num, den, size) in enumerate(parts):
        if only is not None and (code, num, den, size) not in only:
            continue
        indicator = indicators[code]
        version, digest = versions.get(code, (indicator.version, indicator.definition_hash()))
        direction = indicator.direction
        if direction in RANKED and ranks is not None:
            source = f"{wide} w LEFT JOIN {ranks} q ON q.rid = w.rowid AND q.i = {i}"
            best = ("-" if direction is Direction.HIGHER else "") + "q.b"
            rank_sql = f"q.r AS rank, q.n AS peers, {best} AS best_value"
        else:
            source = f"{wide} w"
            rank_sql = "CAST(NULL AS BIGINT) AS rank, CAST(NULL AS BIGINT) AS peers, CAST(NULL AS DOUBLE) AS best_value"
        target = _target_sql(indicator, keep)
        inner = (f"SELECT w.level, w.id, w.year, {_text(code)} AS indicator, w.v{i} AS value, "
                 f"CAST(w.{num} AS DOUBLE) AS numerator, "
                 f"{f'CAST(w.{den} AS DOUBLE)' if den else 'CAST(NULL AS DOUBLE)'} AS denominator, w.subject, w.grade, "
                 f"CAST(w.{size} AS BIGINT) AS group_size, w.{size} < {int(indicator.min_group_size)} AS under_min_group, "
                 f"w.v{i} - w.pv{i} AS change, {target} AS target, {rank_sql}, w.procedure FROM {source} "
                 f"WHERE {_present(size, (scales or {}).get(code), 'w.')}")
        if direction is Direction.LOWER:
            attainment = "CASE WHEN target IS NULL OR value IS NULL THEN NULL WHEN value > 0 THEN target / value END"
        else:
            attainment = "CASE WHEN target IS NULL OR value IS NULL THEN NULL WHEN target <> 0 THEN value / target END"
        if indicator.kind in SHARE_LIKE:
            z = Z_SQL
            ci = [f"CASE WHEN denominator > 0 THEN (value + {z}^2 / (2 * denominator) {op} {z} * sqrt(value * "
                  f"(1 - value) / denominator + {z}^2 / (4 * denominator * denominator))) / (1 + {z}^2 / denominator) END"
                  for op in ("-", "+")]
        else:
            ci = ["CAST(NULL AS DOUBLE)"] * 2
        longs.append(
            f"SELECT level, id, CAST(year AS BIGINT) AS year, indicator, value, numerator, denominator, subject, "
            f"CAST(grade AS BIGINT) AS grade, group_size, under_min_group, change, target, {attainment} AS attainment, "
            "rank, peers, CASE WHEN rank IS NOT NULL THEN CASE WHEN peers = 1 THEN CAST(100 AS DOUBLE) "
            "ELSE CAST(100 * (peers - rank) AS DOUBLE) / CAST(peers - 1 AS DOUBLE) END END AS percentile, best_value, "
            f"{ci[0]} AS ci_low, {ci[1]} AS ci_high, CAST({int(version)} AS BIGINT) AS version, "
            f"{_text(digest)} AS definition_hash, procedure FROM ({inner})")
    return " UNION ALL ".join(longs)


VALUE_COLUMNS = ("level VARCHAR, id VARCHAR, year BIGINT, indicator VARCHAR, value DOUBLE, numerator DOUBLE, "
                 "denominator DOUBLE, subject VARCHAR, grade BIGINT, group_size BIGINT, under_min_group BOOLEAN, "
                 "change DOUBLE, target DOUBLE, attainment DOUBLE, rank BIGINT, peers BIGINT, percentile DOUBLE, "
                 "best_value DOUBLE, ci_low DOUBLE, ci_high DOUBLE, version BIGINT, definition_hash VARCHAR, "
                 "procedure VARCHAR")


def compute(warehouse: Warehouse, catalog: Catalog, *, years: list[int] | None = None,
            versions: dict[str, tuple[int, str]] | None = None, progress: Progress | None = None,
            con: duckdb.DuckDBPyConnection | None = None, runner: DuckDBRunner | None = None) -> ComputeOutcome:
    """Compute every indicator of `catalog` whose dataset has data; `years` limits what is returned
    (the previous year is read too, for the change). `versions` maps code → (version, hash) to stamp.

    Per dataset: one scan into `base` (parts per organisation × year × breakdown), the roll-up to every
    level × breakdown, and one table `wide_<n>` of the kept years with values, previous values and ranks
    per indicator. `values_out` is a view that unfolds the wide tables into the stored long rows; the
    long rows are produced only while they are written.

    `runner` runs the statements: DuckDB on `con` by default; a Spark runner (`msoko.engine.spark`) runs the
    same statements, the formulas rendered by SQLGlot's Spark dialect, and publishes its rows as `values_out`
    on `con`. The sources (`Sources`: views, years, scale warnings) are DuckDB's in both cases."""
    con = con or connect()
    runner = runner or DuckDBRunner(con)
    dialect = runner.dialect
    specs = dataset_specs(catalog)
    sources = Sources(con, warehouse, specs)
    by_dataset: dict[str, list[Indicator]] = {}
    outcome = ComputeOutcome(con=con)
    for indicator in catalog.indicators:
        if indicator.dataset in sources.available:
            by_dataset.setdefault(indicator.dataset, []).append(indicator)
        elif indicator.dataset in sources.absent:
            outcome.absent[indicator.code] = sources.absent[indicator.dataset]
        else:
            outcome.waiting[indicator.code] = indicator.dataset
    all_years = sources.years(set(by_dataset))
    keep = sorted(set(years) & set(all_years)) if years else all_years
    read = sorted({y for y in all_years if y in keep or (y + 1) in keep})
    outcome.years = keep
    outcome.warnings = sources.scale_gaps(keep)
    if read and keep:
        runner.prepare(sources, sorted(by_dataset), read)
    total = len(by_dataset) + 1
    longs = []
    for step, (name, indicators) in enumerate(sorted(by_dataset.items())):
        if progress:
            progress(f"набор «{name}»", step, total)
        if not read or not keep:
            years_text = ", ".join(str(y) for y in years) if years else ""
            reason = (f"в наборе {name} нет результатов за {years_text}" if years_text
                      else f"в наборе {name} нет строк с годом")
            outcome.absent.update({i.code: reason for i in indicators})
            continue
        spec = specs[name]
        base_sql, parts, rollup, scales = _base_query(spec, indicators, read, dialect)
        wide = f"wide_{step}"
        runner.table("base", base_sql, dialect=dialect)
        runner.table("rolled", _rollup_query(spec, "base", rollup))
        named = {i.code: i for i in indicators}
        runner.table(wide, _wide_query("rolled", parts, named, keep, scales), numbered=True)
        # count(*) FILTER, not count_if: DuckDB's count_if over no rows is NULL, not 0
        counted = ", ".join(f"count(*) FILTER (WHERE {_present(size, scales.get(code))})"
                            for code, *_, size in parts)
        counts = runner.row(f"SELECT {counted} FROM {wide}")
        kept = [(part, n) for part, n in zip(parts, counts, strict=True) if n]
        for (code, *_), n in zip(parts, counts, strict=True):
            if not n:
                outcome.absent[code] = f"в наборе {name} нет строк, подходящих под фильтры показателя, за годы расчёта"
        if kept:
            kept_parts = [part for part, _ in kept]
            ranks_sql = _ranks_query(wide, parts, named)
            ranks = f"ranks_{step}" if ranks_sql else None
            if ranks_sql:
                runner.table(ranks, ranks_sql)
            longs.append(_long_query(wide, ranks, parts, named, keep, versions or {}, only=kept_parts,
                                     scales=scales))
            outcome.rows += sum(n for _, n in kept)
            outcome.computed += [part[0] for part in kept_parts]
        runner.drop("base", "rolled")
    if progress:
        progress("сравнение, ранги, цели", total - 1, total)
    runner.publish(outcome.table, longs)
    if progress:
        progress("готово", total, total)
    return outcome


__all__ = ["ComputeOutcome", "Direction", "DuckDBRunner", "compute", "connect", "in_dialect"]
