"""`import_file`: read → validate → pseudonymise → stage → (archive, commit) — or reject with every issue.

The one entry point for the CLI and the web upload view::

    outcome = import_file(ws, path, kind="results", profile=None, dry_run=False, actor="cli", progress=cb)
    if outcome.rejected: show(outcome.issues)      # nothing was written
    else: show(outcome.summary(), outcome.warnings)

Partition keys and versioning rules: docs/decisions/0004-ingest-and-warehouse.md.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from msoko.core.issues import Issue, Severity, has_errors
from msoko.core.workspace import Workspace
from msoko.engine import schemas
from msoko.engine.warehouse import Warehouse
from msoko.ingest import store
from msoko.ingest.canonical import (
    NULL_VALUES,
    SPECS,
    TASK_RE,
    Col,
    Reporter,
    Spec,
    arrow_types,
    convert,
    header_map,
    missing_column_issues,
)
from msoko.ingest.cell_limits import check_cell_lengths
from msoko.ingest.frames import LINE, Source, TypedReadFailed, iter_frames, open_source, prefetch
from msoko.ingest.name_screen import screen_frame, screen_grid
from msoko.ingest.prepared import Prepared
from msoko.ingest.pseudo import Pseudonymiser, refuse_names
from msoko.ingest.rules import (
    DuplicateFinder,
    OrgCollector,
    check_scores_against_scale,
    check_tasks,
    effective_scales,
    known_organisations,
    mark_bands,
    task_limits,
    unknown_org_issues,
    with_task_limits,
)
from msoko.ingest.zipped import is_plain_zip, unzip

Progress = Callable[[int, int], None]

_META_SPEC = Spec(
    "vpr_tasks_meta",
    "задания ВПР",
    (
        Col("year", "int", pl.Int16, lo=2000, hi=2100, what="год"),
        Col("subject", "text", what="предмет"),
        Col("grade", "int", pl.Int8, lo=1, hi=11, what="класс"),
        Col("task", "text", what="задание"),
        Col("max_score", "int", pl.Int16, lo=0, hi=100, what="максимальный балл"),
        Col("level", "text", required=False, nullable=True, what="уровень"),
    ),
)

# What an import replaces inside a partition: the earlier rows with the same values of these columns (the
# organisations × subject × grade the file holds); every other row of the partition stays. A dataset not
# listed (scales) replaces whole partitions. Decision: docs/decisions/0004-ingest-and-warehouse.md.
REPLACE_KEYS = {
    "vpr": ["year", "org_id", "subject", "grade"],
    "vpr_tasks": ["year", "org_id", "subject", "grade"],
    "gia": ["year", "exam", "org_id", "subject"],
    "results_by_org": ["year", "procedure", "org_id", "subject", "grade"],
    "context": ["year", "org_id"],
}

KINDS = ("results", "vpr", "gia", "results_by_org", "context", "scales")

DUPLICATE_KEYS = {
    "vpr": (["participant", "org_id", "subject", "year"], "участник (код в организации), предмет и год"),
    "gia": (["participant", "org_id", "subject", "year"], "участник (код в организации), предмет и год"),
    "context": (["org_id", "year"], "организация и год"),
    "results_by_org": (
        ["org_id", "procedure", "subject", "grade", "year"],
        "организация, процедура, предмет, класс и год",
    ),
    "scales": (["year", "procedure", "subject", "grade", "mark_or_level", "score_kind"], "строка шкалы"),
}


@dataclass
class ImportOutcome:
    """The result of one `import_file` call.

    status: "committed" (new versions active), "unchanged" (identical content already active: nothing
    written), "dry_run" (checked only), "rejected" (errors: nothing written).
    """

    status: str
    file: str
    kind: str
    dataset: str | None = None
    import_id: str | None = None
    issues: list[Issue] = field(default_factory=list)
    rows: int = 0
    checksum: str | None = None
    profile: str | None = None
    versions: dict[str, dict[str, str]] = field(default_factory=dict)
    superseded: dict[str, dict[str, str | None]] = field(default_factory=dict)
    registry_rows: list[dict] | None = None
    seconds: float = 0.0
    # per organisation: {"org_id", "action": added | replaced | removed, "rows", "replaced_rows"}
    per_org: list[dict] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return self.status == "rejected"

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if not issue.is_error]

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.is_error]

    def summary(self) -> str:
        what = {
            "committed": "Загружено",
            "unchanged": "Без изменений: такой же файл уже загружен",
            "dry_run": "Проверка без записи",
            "rejected": "Файл не принят",
        }[self.status]
        parts = [f"{what}: «{self.file}»"]
        if self.dataset:
            parts.append(f"набор {self.dataset}")
        parts.append(f"строк {self.rows:,}".replace(",", " "))
        if self.per_org:
            count = {
                a: sum(1 for o in self.per_org if o["action"] == a) for a in ("added", "replaced", "removed")
            }
            orgs = f"организаций: добавлено {count['added']}, заменено {count['replaced']}"
            if count["removed"]:
                orgs += f", удалено (нет в файле) {count['removed']}"
            parts.append(orgs)
        if self.warnings:
            parts.append(f"предупреждений {len(self.warnings)}")
        if self.import_id:
            parts.append(f"загрузка {self.import_id}")
        return ", ".join(parts) + "."

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "file": self.file,
            "kind": self.kind,
            "dataset": self.dataset,
            "import_id": self.import_id,
            "rows": self.rows,
            "checksum": self.checksum,
            "profile": self.profile,
            "versions": self.versions,
            "superseded": self.superseded,
            "per_org": self.per_org,
            "issues": [issue.as_dict() for issue in self.issues],
            "seconds": round(self.seconds, 3),
        }


# --------------------------------------------------------------------------------------------- detection


def detect_dataset(header: list[str]) -> str | None:
    names = {h.strip().casefold() for h in header}
    if {"exam", "participant"} <= names:
        return "gia"
    if {"procedure", "participants"} <= names and "participant" not in names:
        return "results_by_org"
    if {"participant", "mark", "grade"} <= names or {"participant", "primary_score", "grade"} <= names:
        return "vpr"
    if "participant" in names and "subject" in names:
        return "gia" if "exam" in names else "vpr"
    return None


def prepare_canonical(source: Source, spec: Spec, drop: list[str]) -> tuple[Prepared | None, list[Issue]]:
    found, missing, extras = header_map(source.header, spec)
    issues = list(source.issues) + missing_column_issues(missing, spec, source.file, source.header_line)
    drop_norm = {d.strip().casefold() for d in drop}
    extras = [e for e in extras if e.strip().casefold() not in drop_norm]
    if spec.extras == "tasks":
        extras = [e for e in extras if TASK_RE.match(e)]
    if has_errors(issues):
        return None, issues
    read_issues: list[Issue] = []
    prepared = Prepared(
        spec=spec,
        file=source.file,
        header_line=source.header_line,
        found=found,
        extras=extras,
        frames=iter(()),
        read_issues=read_issues,
        header=source.header,
    )
    prepared.source = source
    prepared.dropped = [c for c in source.header if c.strip().casefold() in drop_norm]
    if source.table is not None:
        prepared.grid_rows = [(source.header_line, source.header), *source.table.rows]
    return prepared, issues


# --------------------------------------------------------------------------------------------- import


def import_file(
    ws: Workspace,
    path: Path,
    *,
    kind: str = "results",
    profile: str | Path | None = None,
    dry_run: bool = False,
    actor: str = "cli",
    progress: Progress | None = None,
    drop_columns: list[str] | None = None,
    file_name: str | None = None,
    tasks_meta: Path | None = None,
    allowed_orgs: set[str] | None = None,
    replace_all: bool = False,
) -> ImportOutcome:
    """Import one file into the warehouse; never raises on bad input (issues are in the outcome).

    kind: "results" (ВПР / ГИА / aggregated, detected from the header; Ф1 recognised), "context",
    "scales", or a dataset name ("vpr", "gia", "results_by_org"). profile: a shipped profile name or a
    YAML path. drop_columns: personal-name columns to discard before anything is read or archived.
    tasks_meta: ВПР task metadata (year, subject, grade, task, max_score, level); by default a
    `vpr_tasks_meta.csv` next to the file is used when present. progress(done_bytes, total_bytes).
    allowed_orgs: when given, a row of any other organisation is an error (the uploader's scope).
    replace_all: replace the whole partitions (year × procedure …) the file touches, rows of
    organisations absent from the file included; by default only the organisations × subject × grade
    the file holds are replaced (`REPLACE_KEYS`). Only region-level users may ask for it.
    """
    started = time.monotonic()
    path = Path(path)
    name = file_name or path.name
    drop = list(drop_columns or [])
    outcome = ImportOutcome(status="rejected", file=name, kind=kind)
    if kind not in KINDS:
        outcome.issues = [
            Issue.error(f"неизвестный вид данных «{kind}»; допустимо: {', '.join(KINDS)}", file=name)
        ]
        return outcome
    unzipped = None
    if is_plain_zip(path):
        unzipped, zip_issues = unzip(path, name, ws.root / store.STAGING)
        if unzipped is None:
            outcome.issues = zip_issues
            return outcome
        path, name = unzipped.results, f"{name}/{unzipped.member}"
        outcome.file = name
        tasks_meta = tasks_meta or unzipped.tasks_meta
    try:
        return _import(
            ws,
            path,
            name,
            kind,
            profile,
            dry_run,
            actor,
            progress,
            drop,
            tasks_meta,
            allowed_orgs,
            replace_all,
            outcome,
            started,
        )
    finally:
        if unzipped is not None:
            unzipped.remove()


def _import(
    ws: Workspace,
    path: Path,
    name: str,
    kind: str,
    profile,
    dry_run: bool,
    actor: str,
    progress,
    drop: list[str],
    tasks_meta: Path | None,
    allowed_orgs,
    replace_all: bool,
    outcome: ImportOutcome,
    started: float,
) -> ImportOutcome:
    try:
        prepared, issues = _prepare(ws, path, name, kind, profile, drop, tasks_meta)
    except Exception as exc:  # noqa: BLE001 — a crash in a reader becomes an issue, never a traceback
        prepared, issues = (
            None,
            [Issue.error(f"файл не удалось прочитать ({type(exc).__name__}: {exc})", file=name)],
        )
    if prepared is not None:
        outcome.dataset = prepared.spec.name
        outcome.profile = prepared.profile
        issues += refuse_names(prepared.header, name, prepared.header_line, drop)
    if prepared is None or has_errors(issues):
        outcome.issues = issues
        outcome.seconds = time.monotonic() - started
        return outcome

    # the checksum and the raw file's archive copy are made in one pass while the file is checked (a file
    # of 10⁷ rows takes seconds to hash and copy). The checksum is needed first only when an active import
    # could be this very file ("unchanged": nothing is checked or written).
    checksum: str | None = None
    candidates = [] if dry_run else _active_imports(ws, prepared)
    if candidates:
        checksum = store.sha256_file(path)
        outcome.checksum = checksum
        previous = next((entry for entry in candidates if entry.get("checksum") == checksum), None)
        if previous is not None:
            outcome.status = "unchanged"
            outcome.import_id = previous["id"]
            outcome.rows = previous.get("rows", 0)
            outcome.versions = previous.get("datasets", {})
            outcome.issues = issues
            outcome.seconds = time.monotonic() - started
            return outcome

    import_id = store.new_id()
    if not dry_run:
        store.sweep_staging(ws)
    staging = None if dry_run else store.Staging(ws, import_id)
    # the raw bytes are hashed while the file is checked, but copied into the archive only at commit, after
    # the name screen passed: a refused file leaves no copy anywhere (`.staging` included)
    raw_copy = None
    checksum_job: Future | None = None
    if checksum is None:
        hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="msoko-sha256")
        checksum_job = hashing.submit(store.sha256_and_copy, path, None)
        hashing.shutdown(wait=False)
    try:
        rows, more = _run(ws, prepared, staging, progress, allowed_orgs)
    except Exception as exc:  # noqa: BLE001
        rows, more = 0, [Issue.error(f"файл не удалось обработать ({type(exc).__name__}: {exc})", file=name)]
    issues += more
    if checksum_job is not None:
        try:
            checksum = checksum_job.result()
        except BaseException:
            if staging is not None:
                staging.discard()
            raise
    outcome.checksum = checksum
    outcome.rows = rows
    outcome.registry_rows = prepared.registry_rows
    if has_errors(issues):
        if staging is not None:
            staging.discard()
        outcome.issues = issues
        outcome.seconds = time.monotonic() - started
        return outcome
    if dry_run:
        outcome.status = "dry_run"
        outcome.issues = issues
        outcome.seconds = time.monotonic() - started
        return outcome

    assert staging is not None
    try:
        staging.close()  # flush buffered row groups: every partition is known from here on
        with store.import_lock(ws):
            supersede, per_org = _replace(ws, prepared, staging, replace_all)
            if prepared.registry_rows:
                _stage_derived_registry(ws, staging, prepared.registry_rows)
            archived_checksum = _archive(ws, path, prepared, staging.root, raw_copy, checksum)
            record = {
                "id": import_id,
                "when": store.now_iso(),
                "actor": actor,
                "file": name,
                "checksum": checksum,
                "archived": archived_checksum,
                "kind": kind,
                "dataset": prepared.spec.name,
                "profile": prepared.profile,
                "rows": rows,
                "warnings": [issue.as_dict() for issue in issues if not issue.is_error][:200],
                "warning_count": sum(1 for issue in issues if not issue.is_error),
                "dropped_columns": drop,
                "replace_all": replace_all,
                "organisations": {
                    action: sum(1 for o in per_org if o["action"] == action)
                    for action in ("added", "replaced", "removed")
                },
            }
            versions, superseded = store.commit(ws, staging, record, supersede)
    except BaseException:
        staging.discard()
        raise
    outcome.status = "committed"
    outcome.per_org = per_org
    outcome.import_id = import_id
    outcome.versions = versions
    outcome.superseded = superseded
    outcome.issues = issues
    outcome.seconds = time.monotonic() - started
    return outcome


def read_tasks_meta(path: Path) -> tuple[pl.DataFrame | None, list[Issue]]:
    """The ВПР task metadata file (year, subject, grade, task, max_score, level)."""
    from msoko.ingest.prepared import META_SCHEMA

    source = open_source(path)
    if isinstance(source, list):
        return None, source
    found, missing, _ = header_map(source.header, _META_SPEC)
    if missing:
        return None, missing_column_issues(missing, _META_SPEC, source.file, source.header_line)
    report = Reporter(source.file)
    parts = [convert(frame, _META_SPEC, found, [], report) for frame in iter_frames(source, report.issues)]
    issues = report.finish()
    if not parts or has_errors(issues):
        return None, issues
    meta = (
        pl.concat(parts)
        .select(list(META_SCHEMA))
        .cast(META_SCHEMA)
        .unique(["year", "subject", "grade", "task"])
    )
    return meta, issues


def _prepare(
    ws: Workspace, path: Path, name: str, kind: str, profile, drop: list[str], tasks_meta: Path | None = None
) -> tuple[Prepared | None, list[Issue]]:
    if profile is not None:
        from msoko.ingest.profiles import prepare_with_profile

        return prepare_with_profile(path, name, profile, kind)
    if kind in ("results", "vpr"):
        from msoko.ingest.f1 import looks_like_f1, prepare_f1

        if looks_like_f1(path):
            return prepare_f1(path, name, drop)
    source = open_source(path, name)
    if isinstance(source, list):
        return None, source
    dataset = kind
    if kind == "results":
        dataset = detect_dataset(source.header) or ""
        if not dataset:
            return None, [
                Issue.error(
                    "не удаётся определить вид результатов: в заголовке нет столбцов канонического формата "
                    "(vpr.csv: participant, grade, mark; gia.csv: participant, exam; results_by_org.csv: "
                    "procedure, participants), и это не выгрузка «Ф1 Индивидуальные результаты»; "
                    "укажите профиль импорта (--profile)",
                    file=name,
                    row=source.header_line,
                )
            ]
    prepared, issues = prepare_canonical(source, SPECS[dataset], drop)
    if prepared is not None and prepared.spec.name == "vpr" and prepared.extras:
        meta_path = tasks_meta or path.with_name("vpr_tasks_meta.csv")
        if meta_path.is_file():
            meta, meta_issues = read_tasks_meta(meta_path)
            prepared.tasks_meta = meta
            issues += meta_issues
        else:
            # maxima already known (an earlier import with the metadata or a Ф1 header) still hold: a file
            # without them is checked against them, and its task rows keep them instead of NULL
            prepared.tasks_meta = known_task_meta(ws)
    return prepared, issues


def known_task_meta(ws: Workspace) -> pl.DataFrame | None:
    """year, subject, grade, task, max_score, level of the active `vpr_tasks` rows that have a maximum."""
    from msoko.ingest.prepared import META_SCHEMA

    files = Warehouse(ws.warehouse).files("vpr_tasks")
    if not files:
        return None
    import duckdb

    paths = [str(f) for f in files]
    with duckdb.connect() as con:
        meta = con.execute(
            "SELECT DISTINCT year, subject, grade, task, max_score, level "  # noqa: S608 — file paths as a parameter
            "FROM read_parquet(?, union_by_name = true) WHERE max_score IS NOT NULL",
            [paths],
        ).fetchall()
    if not meta:
        return None
    frame = pl.DataFrame(meta, schema=list(META_SCHEMA), orient="row")
    return frame.cast(META_SCHEMA).unique(["year", "subject", "grade", "task"], keep="first")


def _active_imports(ws: Workspace, prepared: Prepared) -> list[dict]:
    """Committed imports of the same dataset and profile whose versions are all still active, newest
    first: the file is "unchanged" when one of them has its checksum."""
    found = []
    manifest = None
    for entry in reversed(store.list_imports(ws)):
        if (
            entry.get("dataset") == prepared.spec.name
            and entry.get("profile") == prepared.profile
            and entry.get("status") == "committed"
        ):
            if manifest is None:
                manifest = Warehouse(ws.warehouse).manifest()["datasets"]
            versions = entry.get("datasets", {}).get(prepared.spec.name, {})
            if versions and all(
                manifest.get(prepared.spec.name, {}).get(k) == v for k, v in versions.items()
            ):
                found.append(entry)
    return found


# --------------------------------------------------------------------------------------------- the run


def _partition_expr(spec: Spec, prepared: Prepared) -> pl.Expr:
    if spec.name == "vpr":
        return pl.format("{}|ВПР", pl.col("year"))
    if spec.name == "gia":
        return pl.format("{}|{}", pl.col("year"), pl.col("exam"))
    if spec.name == "results_by_org":
        return pl.format(
            "{}|{}|{}", pl.col("year"), pl.col("procedure"), pl.col("grade").cast(pl.String).fill_null("")
        )
    if spec.name == "scales":
        return pl.format(
            "{}|{}|{}|{}",
            pl.col("year"),
            pl.col("procedure"),
            pl.col("subject"),
            pl.col("grade").cast(pl.String).fill_null(""),
        )
    return pl.col("year").cast(pl.String)


def _run(
    ws: Workspace, prepared: Prepared, staging: store.Staging | None, progress, allowed_orgs=None
) -> tuple[int, list[Issue]]:
    source = prepared.source
    if source is not None and source.table is None:
        types = arrow_types(prepared.spec, prepared.found, prepared.extras)
        try:
            return _run_frames(ws, prepared, staging, progress, types, allowed_orgs)
        except TypedReadFailed:
            # a value that does not parse: read again as text to report every bad value with its row
            if staging is not None:
                staging.reset()
            prepared.read_issues.clear()
    return _run_frames(ws, prepared, staging, progress, None, allowed_orgs)


def _run_frames(
    ws: Workspace,
    prepared: Prepared,
    staging: store.Staging | None,
    progress,
    types: dict | None,
    allowed_orgs: set[str] | None = None,
) -> tuple[int, list[Issue]]:
    spec = prepared.spec
    report = Reporter(prepared.file)
    source = prepared.source
    frames = prepared.frames
    if source is not None:
        # with per-task columns a row becomes many task rows: smaller batches keep memory flat
        width = sum(1 for e in prepared.extras if TASK_RE.match(e))
        frames = prefetch(
            lambda note: iter_frames(
                source,
                prepared.read_issues,
                progress=note,
                types=types,
                null_values=NULL_VALUES,
                batch_rows=250_000 if width <= 4 else max(50_000, 1_000_000 // width),
            ),
            progress,
        )
    dup_keys, dup_what = DUPLICATE_KEYS[spec.name]
    duplicates = DuplicateFinder(dup_keys)
    orgs = OrgCollector()
    pseudo = Pseudonymiser(ws.secret_key()) if spec.name in ("vpr", "gia") and staging is not None else None
    scales = effective_scales(ws) if spec.name in ("vpr", "gia") else None
    vpr_bands = mark_bands(scales, "ВПР") if spec.name == "vpr" else None
    oge_bands = mark_bands(scales, "ОГЭ").drop("grade") if spec.name == "gia" else None
    task_columns = [e for e in prepared.extras if TASK_RE.match(e)] if spec.name == "vpr" else []
    task_names = [_task_name(c) for c in task_columns]
    limits = task_limits(tasks_meta_frame(prepared), task_names) if task_columns else None
    tasks = _Tasks(task_columns, task_names, limits is not None) if task_columns else None
    rows = 0
    # pseudonymising and writing (Python hashing + Parquet) overlap with reading the next batch
    # (pyarrow and polars release the GIL): one worker, at most two batches in flight; the long
    # `vpr_tasks` rows (many per result row) are written by a second one
    worker = _Lane("msoko-stage") if staging is not None else None
    tasks_lane = _Lane("msoko-tasks") if staging is not None and tasks is not None else None
    skip = set(prepared.dropped)
    if prepared.source is None and prepared.grid_rows is not None:
        screen_grid(prepared.grid_rows, prepared.header, prepared.header_line, report, skip)
    try:
        for frame in frames:
            if prepared.source is not None:
                screen_frame(frame, report, skip)  # personal names, whatever the header: before any write
                check_cell_lengths(frame, report, skip)
            typed = convert(frame, spec, prepared.found, prepared.extras, report)
            rows += typed.height
            if spec.name == "vpr":
                if tasks is not None:
                    typed = with_task_limits(typed, limits)
                    check_tasks(typed, task_columns, task_names, report, limits is not None)
                check_scores_against_scale(
                    typed, vpr_bands, ["year", "subject", "grade"], report, prepared.found
                )
            elif spec.name == "gia":
                oge = typed.filter(pl.col("exam").is_in(["ОГЭ", "ГВЭ"]))
                check_scores_against_scale(oge, oge_bands, ["year", "subject"], report, prepared.found)
            elif spec.name == "scales":
                bad = typed.filter(pl.col("min_score") > pl.col("max_score"))
                report.rows(
                    Severity.ERROR,
                    (Severity.ERROR, "min_score", "нижняя граница больше верхней"),
                    bad.select(LINE, pl.format("{}|{}", "min_score", "max_score").alias("value")),
                    prepared.found.get("min_score"),
                    lambda v: f"нижняя граница {v.split('|')[0]} больше верхней {v.split('|')[1]}",
                )
            duplicates.add(typed)
            orgs.add(typed)
            if (
                worker is not None
                and staging is not None
                and not report.has_errors
                and not prepared.read_issues
            ):
                worker.submit(_stage, staging, prepared, typed, tasks, pseudo, tasks_lane)
        if worker is not None:
            worker.drain()
        if tasks_lane is not None:
            tasks_lane.drain()
    finally:
        close = getattr(frames, "close", None)
        if close is not None:
            close()  # stops the reader thread when checking ended early
        if worker is not None:
            worker.shutdown()
        if tasks_lane is not None:
            tasks_lane.shutdown()
    duplicates.issues(report, prepared.found.get(dup_keys[0], dup_keys[0]), dup_what)
    issues = list(prepared.read_issues) + report.finish()
    if spec.name not in ("scales",) and not has_errors(issues):
        derived = {row["org_id"] for row in prepared.registry_rows or []}
        issues += unknown_org_issues(
            orgs, known_organisations(ws), prepared.file, prepared.found.get("org_id", "org_id"), derived
        )
    if allowed_orgs is not None and spec.name != "scales":
        outside = sorted((line, org) for org, line in orgs.first_line.items() if org not in allowed_orgs)
        column = prepared.found.get("org_id", "org_id")
        issues += [
            Issue.error(
                f"организация «{org}» вне вашей зоны ответственности: загружать её данные вы не можете",
                file=prepared.file,
                row=line,
                column=column,
            )
            for line, org in outside[:50]
        ]
        if len(outside) > 50:
            issues.append(
                Issue.error(f"всего организаций вне зоны ответственности: {len(outside)}", file=prepared.file)
            )
    if rows == 0 and not has_errors(issues):
        issues.append(Issue.error("в файле нет ни одной строки с данными", file=prepared.file))
    return rows, issues


class _Lane:
    """One worker thread with at most `depth` jobs in flight: `submit` waits for the oldest beyond that
    (memory stays flat), and re-raises a failed job's exception. Submit from one thread only."""

    def __init__(self, name: str, depth: int = 2):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._pending: list[Future] = []
        self._depth = depth

    def submit(self, fn, *args) -> None:
        while len(self._pending) >= self._depth:
            self._pending.pop(0).result()
        self._pending.append(self._pool.submit(fn, *args))

    def drain(self) -> None:
        while self._pending:
            self._pending.pop(0).result()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class _Tasks:
    """The per-task columns of a `vpr` file: as written, task names, and whether `_max_i`/`_lvl_i` exist."""

    columns: list[str]
    names: list[str]
    with_meta: bool


def _task_name(column: str) -> str:
    match = TASK_RE.match(column)
    assert match is not None
    return match["task"]


def _stage(
    staging: store.Staging,
    prepared: Prepared,
    typed: pl.DataFrame,
    tasks: _Tasks | None,
    pseudo: Pseudonymiser | None,
    tasks_lane: _Lane | None = None,
) -> None:
    spec = prepared.spec
    if pseudo is not None:
        typed = typed.with_columns(pseudo.series(typed["participant"], typed["org_id"]))
    keys = typed.select(_partition_expr(spec, prepared).alias("_key"))["_key"]
    if keys.n_unique() == 1:
        parts = {keys[0]: typed}
    else:
        typed = typed.with_columns(keys)
        parts = {key: part.drop("_key") for (key,), part in typed.partition_by("_key", as_dict=True).items()}
    keys = REPLACE_KEYS.get(spec.name)
    for key, part in parts.items():
        staging.write(spec.name, key, _table(spec, part))
        if keys is not None:
            staging.note(spec.name, key, part.group_by(keys).len())
        if tasks is not None:
            long = tasks_table(part, tasks)
            if long.num_rows and tasks_lane is not None:
                tasks_lane.submit(staging.write, "vpr_tasks", key, long)
            elif long.num_rows:
                staging.write("vpr_tasks", key, long)


# `vpr_tasks` as written: text columns dictionary-encoded (each value stored once per row group; Parquet
# stores them as plain strings, read back as `schemas.VPR_TASKS`)
_DICT = pa.dictionary(pa.int32(), pa.string())
TASKS_WRITE_SCHEMA = pa.schema(
    [
        pa.field(f.name, _DICT if f.name in ("org_id", "participant", "subject", "task") else f.type)
        for f in schemas.VPR_TASKS
    ]
)


def _arrow(values: np.ndarray) -> pa.Array:
    """A numpy integer array as an Arrow array without copying (`pa.array` would import pandas)."""
    values = np.ascontiguousarray(values)
    kind = {np.dtype(np.int16): pa.int16(), np.dtype(np.int32): pa.int32(), np.dtype(np.int64): pa.int64()}
    return pa.Array.from_buffers(kind[values.dtype], len(values), [None, pa.py_buffer(values)])


def tasks_table(part: pl.DataFrame, tasks: _Tasks) -> pa.Table:
    """The long `vpr_tasks` rows of a wide frame: one row per (row, task) with a score, row by row.

    Vectorised (numpy index arithmetic): the text columns become dictionary arrays whose indices are the
    row numbers repeated, so no per-task copy of a string is ever made.
    """
    n, width = part.height, len(tasks.columns)
    scores = np.empty((n, width), dtype=np.int16)
    nulls = 0
    for i, column in enumerate(tasks.columns):
        series = part[column]
        nulls += series.null_count()
        scores[:, i] = series.fill_null(0).cast(pl.Int16).to_numpy()
    rows = np.repeat(np.arange(n, dtype=np.int32), width)
    task = np.tile(np.arange(width, dtype=np.int32), n)
    flat = scores.reshape(-1)
    if nulls:
        keep = np.column_stack([part[c].is_not_null().to_numpy() for c in tasks.columns]).reshape(-1)
        rows, task, flat = rows[keep], task[keep], flat[keep]
    take = _arrow(rows)
    columns: dict[str, pa.Array] = {}
    for name in ("year", "grade"):
        columns[name] = part[name].to_arrow().take(take)
    for name in ("org_id", "participant", "subject"):
        encoded = pc.dictionary_encode(part[name].to_arrow().cast(pa.string()))
        columns[name] = pa.DictionaryArray.from_arrays(encoded.indices.take(take), encoded.dictionary)
    columns["task"] = pa.DictionaryArray.from_arrays(
        _arrow(task), pl.Series(tasks.names, dtype=pl.String).to_arrow().cast(pa.string())
    )
    columns["score"] = _arrow(flat)
    m = len(flat)
    if tasks.with_meta:
        at = _arrow(task.astype(np.int64) * n + rows)
        for name, out in (("_max", "max_score"), ("_lvl", "level")):
            stacked = pa.concat_arrays(
                [
                    part[f"{name}_{i}"].to_arrow().cast(TASKS_WRITE_SCHEMA.field(out).type)
                    for i in range(width)
                ]
            )
            columns[out] = stacked.take(at)
    else:
        columns["max_score"] = pa.nulls(m, pa.int16())
        columns["level"] = pa.nulls(m, pa.string())
    return pa.Table.from_arrays(
        [columns[f.name].cast(f.type) for f in TASKS_WRITE_SCHEMA], schema=TASKS_WRITE_SCHEMA
    )


def _table(spec: Spec, part: pl.DataFrame) -> pa.Table:
    fixed = schemas.DATASETS.get(spec.name)
    if spec.name in ("vpr", "gia", "scales"):
        assert fixed is not None
        columns = [c for c in fixed.names if c in part.columns]
        table = part.select(columns).to_arrow()
        if spec.name == "scales" and "source" not in part.columns:
            table = table.append_column("source", pa.nulls(table.num_rows, pa.string()))
        return table.select(fixed.names).cast(fixed)
    drop = [LINE, "_key", *(c for c in part.columns if TASK_RE.match(c))]
    table = part.drop([c for c in drop if c in part.columns]).to_arrow()
    leading = fixed.names if fixed is not None else []
    ordered = [c for c in leading if c in table.column_names] + [
        c for c in table.column_names if c not in leading
    ]
    table = table.select(ordered)
    if fixed is not None:
        fields = [fixed.field(c) if c in fixed.names else table.schema.field(c) for c in table.column_names]
        table = table.cast(pa.schema(fields))
    return table


def tasks_meta_frame(prepared: Prepared) -> pl.DataFrame | None:
    """year, subject, grade, task, max_score, level — from the Ф1 header or a tasks metadata file."""
    if prepared.tasks_meta is not None:
        return prepared.tasks_meta
    return None


# --------------------------------------------------------------------------------------------- commit helpers


def _replace(
    ws: Workspace, prepared: Prepared, staging: store.Staging, replace_all: bool
) -> tuple[dict[str, list[str]], list[dict]]:
    """Fold the rows the import does not replace into its staged versions (`store.replace_keyed`), or with
    `replace_all` drop whole partitions. Returns (partitions to deactivate, what happened per organisation)."""
    name = prepared.spec.name
    keys = REPLACE_KEYS.get(name)
    supersede: dict[str, list[str]] = {}
    new_rows: dict[str, int] = {}
    removed: dict[str, int] = {}
    partitions = sorted(p for (dataset, p) in staging.partitions if dataset == name)
    for partition in partitions:
        noted = staging.noted.get((name, partition), [])
        counts = pl.concat(noted) if noted else None
        if counts is not None:
            for org, n in counts.group_by("org_id").agg(pl.col("len").sum()).iter_rows():
                new_rows[org] = new_rows.get(org, 0) + n
        datasets = [name, "vpr_tasks"] if name == "vpr" else [name]
        for dataset in datasets:
            if keys is None or replace_all:
                old, covered = store.previous_rows(ws, dataset, partition)
                if dataset == name and old is not None and "org_id" in old.columns:
                    for org, n in old.group_by("org_id").len().iter_rows():
                        removed[org] = removed.get(org, 0) + n
                stale = [k for k in covered if (dataset, k) not in staging.partitions]
                supersede.setdefault(dataset, []).extend(stale)
                continue
            result = store.replace_keyed(ws, staging, dataset, partition, keys, counts)
            supersede.setdefault(dataset, []).extend(result.folded)
            if dataset == name:
                for org, n in result.removed_per_org.items():
                    removed[org] = removed.get(org, 0) + n
    per_org = [
        {
            "org_id": org,
            "action": "replaced" if removed.get(org) else "added",
            "rows": rows,
            "replaced_rows": removed.get(org, 0),
        }
        for org, rows in sorted(new_rows.items())
    ]
    per_org += [
        {"org_id": org, "action": "removed", "rows": 0, "replaced_rows": n}
        for org, n in sorted(removed.items())
        if org not in new_rows
    ]
    return {d: k for d, k in supersede.items() if k}, per_org


def _stage_derived_registry(ws: Workspace, staging: store.Staging, rows: list[dict]) -> None:
    """Organisations derived from a result file join the registry (existing rows are kept as they are)."""
    from msoko.ingest.registry_store import merged_registry_table

    table = merged_registry_table(ws, rows)
    if table is not None:
        staging.write("organisations", "all", table)


def _archive(
    ws: Workspace,
    path: Path,
    prepared: Prepared,
    staging_root: Path,
    raw_copy: Path | None = None,
    checksum: str | None = None,
) -> str:
    """Archive the raw file; when personal-name columns were dropped, archive a copy without them."""
    if raw_copy is not None and checksum is not None:
        archived, _ = store.archive_copy(ws, raw_copy, checksum, path.suffix.lower())
        return archived
    if not prepared.dropped:
        checksum, _ = store.archive_file(ws, path, path.suffix.lower(), checksum)
        return checksum
    drop = {d.strip().casefold() for d in prepared.dropped}
    source = prepared.source
    if prepared.grid_rows is not None:
        rows = iter(prepared.grid_rows)
    elif source is not None:
        handle = path.open("r", encoding=source.encoding or "utf-8", errors="replace", newline="")
        reader = csv.reader(handle, delimiter=source.delimiter or ",")
        rows = ((0, [cell.lstrip("\ufeff") for cell in cells]) for cells in reader)
    else:
        rows = iter(())
    tmp = staging_root / "archive-without-names.csv"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    keep: list[int] | None = None
    with tmp.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for _, cells in rows:
            if keep is None and any(cell.strip().casefold() in drop for cell in cells):
                keep = [i for i, cell in enumerate(cells) if cell.strip().casefold() not in drop]
            writer.writerow([cells[i] for i in keep if i < len(cells)] if keep is not None else cells)
    if source is not None and prepared.grid_rows is None:
        handle.close()
    try:
        checksum, _ = store.archive_file(ws, tmp, ".csv")
    finally:
        tmp.unlink(missing_ok=True)
    return checksum
