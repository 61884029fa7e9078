"""Importing any dataset the catalog declares (forms, staff lists, data from other systems).

    outcome = import_dataset(ws, "form_talents", path, dry_run=False, actor="cli")
    outcome = publish_rows(ws, "form_talents", rows, actor="collection:12", file_name="кампания 12")

The spec is derived from the catalog: a file has `year`, `org_id` (or `municipality_id` for a
municipality-grain dataset) and any of the dataset's columns, by code or by their Russian label. Values are
typed and checked by the same rules as the dataset's form (`msoko.engine.forms`: types, ranges, choices and
the hard checks); an error anywhere rejects the whole file with its row and column, and nothing is written.

Replacement: the dataset is partitioned by year; a new version of a year's partition is the active rows of
that year for the units *not* in the file plus the file's rows, so an import replaces only the
organisations (or municipalities) × years it contains. Versions, the manifest switch and the journal are
ingest's own (`store.commit`), so `msoko import` lists and rollback work on these imports too.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from msoko.core.issues import Issue, has_errors
from msoko.core.workspace import Workspace
from msoko.engine.catalog.model import Catalog, DatasetDecl
from msoko.engine.datasets import ColumnType, Grain
from msoko.engine.forms.load import _TYPE_OF, form_for_dataset, forms_folder, load_forms
from msoko.engine.forms.model import FieldType, Form, FormField
from msoko.engine.forms.values import check_values, parse_value
from msoko.engine.warehouse import Warehouse
from msoko.ingest import store
from msoko.ingest.pipeline import ImportOutcome
from msoko.ingest.tabular import read_table

KIND = "dataset"
_ARROW = {ColumnType.INT: pa.int64(), ColumnType.NUMBER: pa.float64(), ColumnType.TEXT: pa.string(),
          ColumnType.FLAG: pa.int8()}
MAX_ERRORS = 200


def unit_column(decl: DatasetDecl) -> str:
    return "municipality_id" if decl.grain is Grain.MUNICIPALITY else "org_id"


def catalog_and_forms(ws: Workspace) -> tuple[Catalog | None, list[Form], list[Issue]]:
    """The workspace catalog and its forms; loaded once per state of their files (both are immutable
    objects, and a campaign, a publish and a page each ask)."""
    from msoko.engine.pipeline import catalog_path

    folder = catalog_path(ws)
    files = sorted(p for p in Path(folder).rglob("*.yaml")) if Path(folder).is_dir() else [Path(folder)]
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists())
    catalog, forms, issues = _loaded(str(folder), stamp)
    return catalog, list(forms), list(issues)


@lru_cache(maxsize=4)
def _loaded(folder: str, stamp: tuple) -> tuple[Catalog | None, tuple[Form, ...], tuple[Issue, ...]]:
    from msoko.engine.catalog.load import load_catalog

    catalog, issues = load_catalog(Path(folder))
    if catalog is None or has_errors(issues):
        return None, (), tuple(issues)
    forms, more = load_forms(forms_folder(Path(folder)), catalog)
    return catalog, tuple(forms), tuple(i for i in issues + more if i.is_error)


def arrow_schema(decl: DatasetDecl) -> pa.Schema:
    return pa.schema([("year", pa.int16()), (unit_column(decl), pa.string()),
                      *[(name, _ARROW[kind]) for name, kind in decl.columns.items()]])


def known_units(ws: Workspace, decl: DatasetDecl) -> set[str] | None:
    """Organisation (or municipality) codes of the registry; None when no registry is stored."""
    files = Warehouse(ws.warehouse).files("organisations")
    if not files:
        return None
    column = unit_column(decl)
    codes: set[str] = set()
    for path in files:
        codes.update(v for v in pq.read_table(path, columns=[column])[column].to_pylist() if v)
    return codes


def _column_field(decl: DatasetDecl, form: Form | None, column: str) -> FormField:
    found = form.field(column) if form is not None else None
    if found is not None:
        return found
    kind = _TYPE_OF[decl.columns[column]]
    return FormField(code=column, label=decl.label(column), type=kind,
                     min=0 if kind in (FieldType.INT, FieldType.FLAG) else None,
                     max=1 if kind is FieldType.FLAG else None)


def check_rows(
    decl: DatasetDecl,
    form: Form | None,
    records: Iterable[tuple[int, Mapping[str, object]]],
    *,
    file: str,
    known: set[str] | None,
    allowed: set[str] | None = None,
    cell=None,
) -> tuple[list[dict], list[Issue]]:
    """Type and check records (line, {column code: raw}); returns typed rows and located issues.

    `cell(line, column)` names a location for messages (default: row and column code)."""
    unit = unit_column(decl)
    issues: list[Issue] = []
    rows: list[dict] = []
    seen: dict[tuple[int, str], int] = {}
    fields = {c: _column_field(decl, form, c) for c in decl.columns}

    def add(message: str, line: int, column: str | None) -> None:
        if len(issues) < MAX_ERRORS:
            where = cell(line, column) if cell else {"row": line, "column": column}
            issues.append(Issue.error(message, file=file, **where))

    for line, raw in records:
        year_text = str(raw.get("year") or "").strip()
        try:
            year = int(float(year_text.replace(",", ".")))
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            add(f"год «{year_text}» — ожидается число от 2000 до 2100", line, "year")
            continue
        code = str(raw.get(unit) or "").strip()
        if not code:
            add(f"не указан код ({unit})", line, unit)
            continue
        if known is not None and code not in known:
            add(f"{'организация' if unit == 'org_id' else 'муниципалитет'} «{code}» не найдена в реестре", line, unit)
            continue
        if allowed is not None and code not in allowed:
            add(f"«{code}» вне вашей зоны доступа", line, unit)
            continue
        if (year, code) in seen:
            add(f"«{code}» за {year} год повторяется (впервые в строке {seen[(year, code)]})", line, unit)
            continue
        seen[(year, code)] = line
        row: dict = {"year": year, unit: code}
        bad = False
        for column, field in fields.items():
            if column not in raw:
                row[column] = None
                continue
            value, error = parse_value(field, raw[column])
            if error:
                add(f"«{field.label}»: {error}", line, column)
                bad = True
            row[column] = value
        if not bad and form is not None:
            checked = check_values(form, {c: row.get(c) for c in form.columns_filled()})
            for failed in checked.hard:
                add(f"не выполнена проверка «{failed.code}»: {failed.message}", line, failed.fields[0])
                bad = True
        rows.append(row)
    return rows, issues


def import_dataset(ws: Workspace, name: str, path: Path, *, dry_run: bool = False, actor: str = "cli",
                   file_name: str | None = None, allowed: set[str] | None = None) -> ImportOutcome:
    """`msoko import dataset NAME FILE`: check a CSV/XLSX and, unless dry_run, publish it."""
    started = time.monotonic()
    shown = file_name or Path(path).name
    outcome = ImportOutcome(status="rejected", file=shown, kind=KIND, dataset=name)
    catalog, forms, issues = catalog_and_forms(ws)
    if catalog is None or issues:
        outcome.issues = issues or [Issue.error("каталог показателей не загружается")]
        return outcome
    decl = next((d for d in catalog.datasets if d.name == name), None)
    if decl is None:
        names = ", ".join(d.name for d in catalog.datasets)
        outcome.issues = [Issue.error(f"набор данных «{name}» не объявлен в каталоге; есть: {names}", file=shown)]
        return outcome
    try:
        table, issues = read_table(Path(path), name=shown)
    except Exception as exc:  # noqa: BLE001 — a reader crash is an issue, never a traceback
        table, issues = None, [Issue.error(f"файл не удалось прочитать ({type(exc).__name__})", file=shown)]
    if table is None or has_errors(issues):
        outcome.issues = issues
        return outcome
    header, issues = _header(table.header, decl, shown, table.header_row)
    if has_errors(issues):
        outcome.issues = issues
        return outcome

    def records():
        for line, cells in table.records():
            yield line, {header[k]: v for k, v in cells.items() if k in header}

    rows, found = check_rows(decl, form_for_dataset(forms, name), records(), file=shown,
                             known=known_units(ws, decl), allowed=allowed)
    issues += found
    if known_units(ws, decl) is None:
        issues.append(Issue.warning("реестр организаций ещё не загружен (msoko import registry), проверка кодов "
                                    "пропущена", file=shown))
    if not rows and not has_errors(issues):
        issues.append(Issue.error("в файле нет ни одной строки данных", file=shown))
    outcome.rows = len(rows)
    if has_errors(issues):
        outcome.issues = issues
        return outcome
    if dry_run:
        outcome.status, outcome.issues = "dry_run", issues
        outcome.seconds = time.monotonic() - started
        return outcome
    published = publish_rows(ws, name, rows, actor=actor, file_name=shown, catalog=catalog, source=Path(path))
    published.issues = issues + published.issues
    published.seconds = time.monotonic() - started
    return published


def _header(header: list[str], decl: DatasetDecl, file: str, line: int) -> tuple[dict[str, str], list[Issue]]:
    """Column as written → column code; accepts codes and the catalog's Russian labels."""
    unit = unit_column(decl)
    by_name = {"year": "year", "год": "year", unit: unit}
    for column in decl.columns:
        by_name[column] = column
        by_name[decl.label(column).casefold()] = column
    mapped = {}
    for written in header:
        code = by_name.get(written.strip().casefold()) or by_name.get(written.strip())
        if code:
            mapped[written] = code
    issues = []
    for needed in ("year", unit):
        if needed not in mapped.values():
            issues.append(Issue.error(f"нет обязательного столбца «{needed}»", file=file, row=line))
    if not set(mapped.values()) - {"year", unit} and not issues:
        issues.append(Issue.error(f"нет ни одного столбца набора «{decl.name}»; ожидаются: "
                                  f"{', '.join(decl.columns)}", file=file, row=line))
    return mapped, issues


def publish_rows(ws: Workspace, name: str, rows: list[dict], *, actor: str, file_name: str,
                 catalog: Catalog | None = None, source: Path | None = None) -> ImportOutcome:
    """Write typed rows as new versions of their years' partitions (other units of the year are kept)."""
    outcome = ImportOutcome(status="rejected", file=file_name, kind=KIND, dataset=name)
    if catalog is None:
        catalog, _, issues = catalog_and_forms(ws)
        if catalog is None:
            outcome.issues = issues
            return outcome
    decl = next(d for d in catalog.datasets if d.name == name)
    unit = unit_column(decl)
    schema = arrow_schema(decl)
    import_id = store.new_id()
    store.sweep_staging(ws)
    staging = store.Staging(ws, import_id)
    by_year: dict[int, list[dict]] = {}
    for row in rows:
        by_year.setdefault(int(row["year"]), []).append(row)
    try:
        with store.import_lock(ws):
            warehouse = Warehouse(ws.warehouse)
            active = warehouse.active_versions(name)
            for year, new_rows in sorted(by_year.items()):
                mine = {r[unit] for r in new_rows}
                kept: list[dict] = []
                version = active.get(str(year))
                if version is not None:
                    for file in sorted(warehouse.version_dir(name, version).glob("*.parquet")):
                        old = pq.read_table(file)
                        kept += [r for r in old.to_pylist() if r.get(unit) not in mine]
                table = pa.Table.from_pylist(
                    [{f.name: r.get(f.name) for f in schema} for r in kept + new_rows], schema=schema)
                staging.write(name, str(year), table)
            checksum = store.sha256_file(source) if source is not None else None
            archived = store.archive_file(ws, source, Path(file_name).suffix or ".csv")[0] if source else None
            record = {"id": import_id, "when": store.now_iso(), "actor": actor, "file": file_name,
                      "checksum": checksum, "archived": archived, "kind": KIND, "dataset": name,
                      "profile": None, "rows": len(rows), "warnings": []}
            versions, superseded = store.commit(ws, staging, record)
    except BaseException:
        staging.discard()
        raise
    outcome.status = "committed"
    outcome.import_id = import_id
    outcome.rows = len(rows)
    outcome.checksum = checksum
    outcome.versions, outcome.superseded = versions, superseded
    return outcome


def read_rows(ws: Workspace, name: str, *, year: int, unit: str | None = None, code: str | None = None) -> list[dict]:
    """Active rows of a declared dataset for one year (and one unit): last year's values, diffs. The year's
    version is read once and indexed (versions are immutable, so the cache needs no invalidation)."""
    version = Warehouse(ws.warehouse).active_versions(name).get(str(year))
    if version is None:
        return []
    rows = _version_rows(str(Warehouse(ws.warehouse).version_dir(name, version)))
    if unit and code:
        return [r for r in rows.get((unit, code), ())]
    return [r for group in rows.values() for r in group]


@lru_cache(maxsize=64)
def _version_rows(folder: str) -> dict[tuple[str, str], tuple[dict, ...]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for file in sorted(Path(folder).glob("*.parquet")):
        for row in pq.read_table(file).to_pylist():
            unit = "org_id" if "org_id" in row else "municipality_id"
            out.setdefault((unit, row[unit]), []).append(row)
    return {key: tuple(rows) for key, rows in out.items()}
