"""DuckDB views over the warehouse: the datasets formulas read, the org hierarchy and the year's scales.

Every view lists exactly the columns its dataset declares; a declared column missing from the files reads
as NULL, so a form that lacks a column computes what it can. `oge.mark` is the mark by that year's scale
for the subject (the file's mark when no scale is known, kept as `file_mark`); `ege.min_score` is that
year's minimum test score for the subject. Scales imported into the warehouse override the shipped ones
for the same year × procedure × subject × grade.

A dataset msoko derives itself (`risk_lists`, from the stored detection run) reaches the engine as a
`DerivedSource` on a `WarehouseWithDerived`: it is read only while the warehouse holds no data of that name,
so a region's own imported dataset always wins.
"""

# ruff: noqa: S608 — SQL here is the engine's own text; identifiers are quoted and validated, values are
# literals rendered by SQLGlot; formulas arrive only as compiled, allow-listed expressions.
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from msoko.core.issues import Issue
from msoko.engine.datasets import ColumnType, DatasetSpec, Grain
from msoko.engine.warehouse import Warehouse

SQL_TYPE = {ColumnType.INT: "BIGINT", ColumnType.NUMBER: "DOUBLE", ColumnType.TEXT: "VARCHAR",
            ColumnType.FLAG: "BIGINT"}


@dataclass(frozen=True)
class DerivedSource:
    """A dataset msoko produced itself: its rows, and what they were computed from (`version`, e.g.
    `detection:<run id>`, recorded with the indicator run like a warehouse version)."""

    table: pa.Table
    version: str
    title: str  # Russian, for the compute summary


@dataclass(frozen=True, eq=False)
class WarehouseWithDerived(Warehouse):
    """The warehouse plus derived datasets, each offered only where the warehouse has none of its own."""

    derived: Mapping[str, DerivedSource] = field(default_factory=dict)

    def derived_for(self, dataset: str) -> DerivedSource | None:
        found = self.derived.get(dataset)
        return found if found is not None and not super().files(dataset) else None

    def has(self, dataset: str) -> bool:
        return super().has(dataset) or self.derived_for(dataset) is not None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _files_sql(files: list[Path]) -> str:
    return "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"


def _present_columns(files: list[Path]) -> set[str]:
    names: set[str] = set()
    for file in files:  # footers only; a column present in any version is read (NULL elsewhere)
        names.update(pq.read_schema(file).names)
    return names


def _select_columns(spec_columns: dict[str, ColumnType], present: set[str], alias: str = "",
                    aliases: Mapping[str, str] | None = None) -> str:
    prefix = f"{alias}." if alias else ""
    parts = []
    for name, kind in spec_columns.items():
        stored = name if name in present else (aliases or {}).get(name, name)
        if stored in present:
            parts.append(f"CAST({prefix}{_quote(stored)} AS {SQL_TYPE[kind]}) AS {_quote(name)}")
        else:
            parts.append(f"CAST(NULL AS {SQL_TYPE[kind]}) AS {_quote(name)}")
    return ", ".join(parts)


def _column_type(kind: pa.DataType) -> ColumnType | None:
    if pa.types.is_boolean(kind):
        return ColumnType.FLAG
    if pa.types.is_integer(kind):
        return ColumnType.INT
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return ColumnType.NUMBER
    return None  # text and dates are not variables a formula aggregates


def data_columns(warehouse: Warehouse) -> dict[str, dict[str, ColumnType]]:
    """The further numeric columns the imported data of each extensible built-in dataset hold (`context`,
    `results_by_org`), typed from the Parquet footers: integers → int, fractions → number, booleans → flag.
    A column typed differently in two versions is a number. Declared columns keep their declared type."""
    from msoko.engine.datasets import BUILTIN

    found: dict[str, dict[str, ColumnType]] = {}
    for name, spec in BUILTIN.items():
        if not spec.extensible:
            continue
        columns: dict[str, ColumnType] = {}
        for file in warehouse.files(spec.source):
            for item in pq.read_schema(file):
                kind = _column_type(item.type)
                if kind is None or item.name in spec.columns or not item.name.isidentifier():
                    continue
                columns[item.name] = kind if columns.get(item.name, kind) == kind else ColumnType.NUMBER
        if columns:
            found[name] = dict(sorted(columns.items()))
    return found


def shipped_scales_csv() -> Path | None:
    """The scales shipped with the product (msoko.engine.reference), read by DuckDB directly."""
    try:
        from msoko.engine.reference import SCALES_CSV
    except ImportError:  # a bare engine without reference data
        return None
    return SCALES_CSV if SCALES_CSV.exists() else None


class Sources:
    """Registers the views on a DuckDB connection and says which datasets hold data."""

    def __init__(self, con: duckdb.DuckDBPyConnection, warehouse: Warehouse, specs: dict[str, DatasetSpec]):
        self.con, self.warehouse, self.specs = con, warehouse, specs
        self.available: set[str] = set()
        # dataset → why it has no rows although its source has files (ОГЭ rows absent from `gia`, …)
        self.absent: dict[str, str] = {}
        self._rows: dict[str, str] = {}  # name → its rows without the scale join (for years and gap checks)
        self._register()

    def _register(self) -> None:
        con, wh = self.con, self.warehouse
        org_files = wh.files("organisations")
        if org_files:
            con.execute(f"""CREATE OR REPLACE TEMP TABLE orgs AS
                SELECT DISTINCT org_id, kind, municipality_id, region_id
                FROM read_parquet({_files_sql(org_files)}, union_by_name = true)""")
        else:
            con.execute("""CREATE OR REPLACE TEMP TABLE orgs (org_id VARCHAR, kind VARCHAR,
                municipality_id VARCHAR, region_id VARCHAR)""")
        con.execute("""CREATE OR REPLACE TEMP TABLE munis AS
            SELECT municipality_id, any_value(region_id) AS region_id FROM orgs GROUP BY municipality_id""")
        self._register_scales()
        for name, spec in self.specs.items():
            self._register_dataset(name, spec)

    def _register_scales(self) -> None:
        con = self.con
        shipped = shipped_scales_csv()
        files = self.warehouse.files("scales")
        cols = "year, procedure, subject, grade, mark_or_level, min_score, max_score, score_kind"
        parts = []
        if files:
            parts.append(f"SELECT {cols} FROM read_parquet({_files_sql(files)}, union_by_name = true)")
        if shipped is not None:
            con.execute(f"""CREATE OR REPLACE TEMP TABLE shipped_scales AS SELECT * FROM read_csv('{shipped}',
                header = true, all_varchar = true)""")
            override = (f"WHERE (year, procedure, subject, coalesce(grade, -1)) NOT IN (SELECT DISTINCT year, "
                        f"procedure, subject, coalesce(grade, -1) FROM read_parquet({_files_sql(files)}, "
                        "union_by_name = true))") if files else ""
            typed = ("CAST(year AS SMALLINT) AS year, procedure, subject, CAST(nullif(grade, '') AS TINYINT) AS grade, "
                     "mark_or_level, CAST(min_score AS SMALLINT) AS min_score, "
                     "CAST(max_score AS SMALLINT) AS max_score, score_kind")
            parts.append(f"SELECT * FROM (SELECT {typed} FROM shipped_scales) {override}")
        if parts:
            con.execute("CREATE OR REPLACE TEMP TABLE scales AS " + " UNION ALL ".join(parts))
        else:
            con.execute("""CREATE OR REPLACE TEMP TABLE scales (year SMALLINT, procedure VARCHAR,
                subject VARCHAR, grade TINYINT, mark_or_level VARCHAR, min_score SMALLINT, max_score SMALLINT,
                score_kind VARCHAR)""")
        con.execute("""CREATE OR REPLACE TEMP TABLE oge_scale AS
            SELECT year, subject, CAST(mark_or_level AS BIGINT) AS mark, min_score, max_score FROM scales
            WHERE procedure = 'ОГЭ' AND score_kind = 'primary' AND mark_or_level IN ('2', '3', '4', '5')""")
        con.execute("""CREATE OR REPLACE TEMP TABLE ege_min AS
            SELECT year, subject, max(min_score) AS min_score FROM scales
            WHERE procedure = 'ЕГЭ' AND mark_or_level = 'min' GROUP BY year, subject""")

    def _register_dataset(self, name: str, spec: DatasetSpec) -> None:
        files = self.warehouse.files(spec.source)
        view = _quote("ds_" + name)
        derived = self.warehouse.derived_for(spec.source) if isinstance(self.warehouse, WarehouseWithDerived) else None
        if derived is not None:
            table = "derived_" + name
            self.con.register(table, derived.table)
            self.available.add(name)
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT "
                             f"{_select_columns(spec.columns, set(derived.table.column_names))} FROM {_quote(table)}")
            return
        if not files:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT "
                             f"{_select_columns(spec.columns, set())} WHERE false")
            return
        present = _present_columns(files)
        raw = f"read_parquet({_files_sql(files)}, union_by_name = true)"
        if name in ("oge", "ege"):
            exam = "ОГЭ" if name == "oge" else "ЕГЭ"
            # `gia` may hold only the other exam (or a foreign one, Saber 11): then this dataset has no input
            # and its indicators are absent, never computed over no rows.
            if "exam" not in present or not self.con.execute(
                    f"SELECT 1 FROM {raw} WHERE exam = '{exam}' LIMIT 1").fetchall():
                self.absent[name] = f"в наборе {spec.source} нет результатов {exam}"
                self.con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT "
                                 f"{_select_columns(spec.columns, set())} WHERE false")
                return
            self._rows[name] = (f"(SELECT CAST(year AS BIGINT) AS year, CAST(subject AS VARCHAR) AS subject, "
                                f"CAST(mark AS BIGINT) AS mark FROM {raw} WHERE exam = '{exam}')")
        self.available.add(name)
        if name == "oge":
            columns = {k: v for k, v in spec.columns.items() if k not in ("mark", "file_mark")}
            self.con.execute(f"""CREATE OR REPLACE TEMP VIEW {view} AS
                SELECT {_select_columns(columns, present, 'g')},
                       CAST(coalesce(s.mark, g.mark) AS BIGINT) AS mark, CAST(g.mark AS BIGINT) AS file_mark
                FROM {raw} g LEFT JOIN oge_scale s ON s.year = g.year AND s.subject = g.subject
                     AND g.primary_score BETWEEN s.min_score AND s.max_score
                WHERE g.exam = 'ОГЭ'""")
        elif name == "ege":
            columns = {k: v for k, v in spec.columns.items() if k != "min_score"}
            self.con.execute(f"""CREATE OR REPLACE TEMP VIEW {view} AS
                SELECT {_select_columns(columns, present, 'g')}, CAST(m.min_score AS BIGINT) AS min_score
                FROM {raw} g LEFT JOIN ege_min m ON m.year = g.year AND m.subject = g.subject
                WHERE g.exam = 'ЕГЭ'""")
        else:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT "
                             f"{_select_columns(spec.columns, present, aliases=spec.aliases)} FROM {raw}")

    def scale_gaps(self, years: list[int]) -> list[Issue]:
        """Warnings: ОГЭ results whose year × subject has no scale (the file's mark is used), ЕГЭ results
        with a test score whose year × subject has no minimum (left out of ege_below_min)."""
        if not years:
            return []
        issues = []
        year_list = ", ".join(str(int(y)) for y in years)
        checks = (  # ОГЭ: where no scale exists the view's mark is the file's, so the plain rows answer
            ("oge", "mark IS NOT NULL AND NOT EXISTS (SELECT 1 FROM oge_scale s "
                    "WHERE s.year = d.year AND s.subject = d.subject)",
             "ОГЭ {year}, «{subject}»: нет шкалы перевода баллов этого года — для {n} результатов взята "
             "отметка из файла; загрузите шкалу (msoko import scales)"),
            ("ege", "test_score IS NOT NULL AND min_score IS NULL",
             "ЕГЭ {year}, «{subject}»: неизвестен минимальный балл этого года — {n} результатов не вошли в "
             "показатели «ниже минимума»; загрузите шкалу (msoko import scales)"),
        )
        for name, condition, text in checks:
            if name not in self.available:
                continue
            source = self._rows["oge"] if name == "oge" and "oge" in self._rows else _quote("ds_" + name)
            rows = self.con.execute(
                f"SELECT year, subject, count(*) FROM {source} d WHERE year IN ({year_list}) "
                f"AND {condition} GROUP BY year, subject ORDER BY year, subject").fetchall()
            issues += [Issue.warning(text.format(year=y, subject=subj, n=n)) for y, subj, n in rows]
        return issues

    def years(self, names: set[str]) -> list[int]:
        found: set[int] = set()
        for name in names & self.available:
            source = self._rows.get(name, _quote("ds_" + name))
            rows = self.con.execute(f"SELECT DISTINCT year FROM {source}").fetchall()
            found.update(int(r[0]) for r in rows if r[0] is not None)
        return sorted(found)

    @staticmethod
    def unit_column(spec: DatasetSpec) -> str:
        return "municipality_id" if spec.grain is Grain.MUNICIPALITY else "org_id"
