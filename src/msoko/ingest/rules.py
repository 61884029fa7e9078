"""Validation rules that need more than one column or more than one row.

Per-batch rules (scales, tasks) run on typed frames as they stream; whole-file rules (duplicates, unknown
organisations) keep compact state (64-bit hashes, a set of codes) and report at the end.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from msoko.core.issues import Issue, Severity
from msoko.core.workspace import Workspace
from msoko.engine.warehouse import Warehouse
from msoko.ingest.canonical import MAX_LISTED, Reporter
from msoko.ingest.frames import LINE

# --------------------------------------------------------------------------------------------- scales


_SHIPPED: pa.Table | None = None


def shipped_scales() -> pa.Table:
    """`msoko.engine.reference.default_scales()` read straight with pyarrow.csv.

    Same file, same schema; `pa.Table.from_pylist` in `default_scales` pulls in pandas (≈2–4 s on a first
    call here), which an import of a few seconds cannot afford.
    """
    global _SHIPPED
    if _SHIPPED is None:
        import pyarrow.csv as pacsv

        from msoko.engine.reference import SCALES_CSV
        from msoko.engine.schemas import SCALES

        table = pacsv.read_csv(
            SCALES_CSV,
            convert_options=pacsv.ConvertOptions(
                column_types={f.name: f.type for f in SCALES}, strings_can_be_null=False
            ),
        )
        _SHIPPED = table.select(SCALES.names).cast(SCALES)
    return _SHIPPED


def effective_scales(ws: Workspace | None) -> pa.Table:
    """The shipped scales, each (year, procedure, subject, grade) imported by `msoko import scales` replacing
    the shipped rows of the same key (the same rule as the engine's `sources._register_scales`)."""
    from msoko.engine.schemas import SCALES

    defaults = shipped_scales()
    if ws is None:
        return defaults
    warehouse = Warehouse(ws.warehouse)
    files = warehouse.files("scales")
    if not files:
        return defaults
    imported = pa.concat_tables([pq.read_table(f).select(SCALES.names).cast(SCALES) for f in files])
    key = ["year", "procedure", "subject", "grade"]
    overridden = {tuple(r.values()) for r in imported.select(key).to_pylist()}
    keep = [tuple(r.values()) not in overridden for r in defaults.select(key).to_pylist()]
    return pa.concat_tables([defaults.filter(pa.array(keep)), imported])


def mark_bands(scales: pa.Table, procedure: str) -> pl.DataFrame:
    """year, subject, grade, mark, lo, hi of the numeric marks of one procedure (primary scores)."""
    frame = pl.from_arrow(scales)
    assert isinstance(frame, pl.DataFrame)
    frame = frame.filter(
        (pl.col("procedure") == procedure)
        & (pl.col("score_kind") == "primary")
        & pl.col("mark_or_level").is_in(["2", "3", "4", "5"])
    )
    return frame.select(
        pl.col("year").cast(pl.Int16),
        pl.col("subject"),
        pl.col("grade").cast(pl.Int8),
        pl.col("mark_or_level").cast(pl.Int8).alias("_mark"),
        pl.col("min_score").cast(pl.Int32).alias("_lo"),
        pl.col("max_score").cast(pl.Int32).alias("_hi"),
    )


def check_scores_against_scale(
    frame: pl.DataFrame, bands: pl.DataFrame, keys: list[str], report: Reporter, columns: dict[str, str]
) -> None:
    """Primary score above the year's maximum → error; a mark that the year's scale would not give → warning."""
    if bands.height == 0 or frame.height == 0:
        return
    bands = bands.select([*keys, "_mark", "_lo", "_hi"])
    maxima = bands.group_by(keys).agg(pl.col("_hi").max().alias("_max"))
    scored = frame.select([LINE, *keys, "primary_score", "mark"]).join(maxima, on=keys, how="inner")
    if scored.height == 0:
        return
    score_col = columns.get("primary_score", "primary_score")
    over = scored.filter(pl.col("primary_score") > pl.col("_max"))
    report.rows(
        Severity.ERROR,
        (Severity.ERROR, score_col, "первичный балл больше максимума по шкале года"),
        over.select(LINE, pl.format("{}|{}", "primary_score", "_max").alias("value")),
        score_col,
        lambda v: (
            f"первичный балл {v.split('|')[0]} больше максимального по шкале этого года ({v.split('|')[1]})"
        ),
    )
    expected = (
        scored.filter(pl.col("primary_score") <= pl.col("_max"))
        .join(bands, on=keys, how="inner")
        .filter((pl.col("primary_score") >= pl.col("_lo")) & (pl.col("primary_score") <= pl.col("_hi")))
        .select(LINE, "primary_score", "mark", pl.col("_mark"))
    )
    wrong = expected.filter(pl.col("mark").is_not_null() & (pl.col("mark") != pl.col("_mark")))
    mark_col = columns.get("mark", "mark")
    report.rows(
        Severity.WARNING,
        (Severity.WARNING, mark_col, "отметка не соответствует шкале года"),
        wrong.select(LINE, pl.format("{}|{}|{}", "mark", "primary_score", "_mark").alias("value")),
        mark_col,
        lambda v: (
            f"отметка «{v.split('|')[0]}» не соответствует шкале этого года: за первичный балл "
            f"{v.split('|')[1]} полагается «{v.split('|')[2]}»"
        ),
    )


# --------------------------------------------------------------------------------------------- tasks


TASK_KEYS = ["year", "subject", "grade"]


def task_limits(meta: pl.DataFrame | None, names: list[str]) -> pl.DataFrame | None:
    """The task metadata in wide form, one row per work (year, subject, grade): `_tasks` (how many tasks
    the work has), and for the i-th task column of the file `_max_i` and `_lvl_i` (null when unknown).

    Joined to each batch once, so that task checks and the long `vpr_tasks` rows need no per-task join.
    """
    if meta is None:
        return None
    wide = meta.group_by(TASK_KEYS).agg(pl.len().cast(pl.Int32).alias("_tasks"))
    for i, name in enumerate(names):
        one = meta.filter(pl.col("task") == name).select(
            *TASK_KEYS,
            pl.col("max_score").cast(pl.Int16).alias(f"_max_{i}"),
            pl.col("level").cast(pl.String).alias(f"_lvl_{i}"),
        )
        wide = wide.join(one, on=TASK_KEYS, how="left")
    return wide


def with_task_limits(typed: pl.DataFrame, limits: pl.DataFrame | None) -> pl.DataFrame:
    """`typed` with the columns of `task_limits` (row order kept)."""
    if limits is None:
        return typed
    return typed.join(limits, on=TASK_KEYS, how="left", maintain_order="left")


def check_tasks(
    typed: pl.DataFrame, task_columns: list[str], names: list[str], report: Reporter, with_meta: bool
) -> None:
    """Task score above the task's maximum → error; tasks not summing to the primary score → warning.

    Vectorised over the wide frame (one column per task, `_max_i` from `with_task_limits` when metadata is
    known). With task metadata the sum is compared when every task of the work has a score; without it,
    only a sum above the primary score (impossible whatever tasks are missing) is reported. Rows without
    any task score are not checked.
    """
    if not task_columns or typed.height == 0:
        return
    if with_meta:
        for i, (written, name) in enumerate(zip(task_columns, names, strict=True)):
            score, top = pl.col(written), pl.col(f"_max_{i}")
            over = typed.filter(top.is_not_null() & score.is_not_null() & (score > top))
            if over.height:
                column = f"task:{name}"
                report.rows(
                    Severity.ERROR,
                    (Severity.ERROR, column, "балл за задание больше максимума"),
                    over.select(LINE, pl.format("{}|{}", score, top).alias("value")),
                    column,
                    lambda v: f"балл за задание {v.split('|')[0]} больше максимального ({v.split('|')[1]})",
                )
    total = pl.sum_horizontal([pl.col(c).cast(pl.Int32) for c in task_columns]).alias("_sum")
    count = pl.sum_horizontal([pl.col(c).is_not_null().cast(pl.Int32) for c in task_columns]).alias("_n")
    scored = typed.select(LINE, "primary_score", total, count, *([pl.col("_tasks")] if with_meta else []))
    primary = pl.col("primary_score")
    above = pl.col("_sum") > primary
    if with_meta:
        wrong_expr = ((pl.col("_n") == pl.col("_tasks")) & (pl.col("_sum") != primary)) | above
    else:
        wrong_expr = above
    wrong = scored.filter((pl.col("_n") > 0) & primary.is_not_null() & wrong_expr)
    report.rows(
        Severity.WARNING,
        (Severity.WARNING, "primary_score", "сумма баллов за задания не равна первичному баллу"),
        wrong.select(LINE, pl.format("{}|{}", "_sum", "primary_score").alias("value")),
        "primary_score",
        lambda v: (
            f"сумма баллов за задания ({v.split('|')[0]}) не равна первичному баллу ({v.split('|')[1]})"
        ),
    )


# --------------------------------------------------------------------------------------------- whole file


class DuplicateFinder:
    """Finds repeated (participant, subject, year) with 64-bit hashes: 12 bytes of memory per row."""

    def __init__(self, keys: list[str]):
        self.keys = keys
        self._hashes: list[np.ndarray] = []
        self._lines: list[np.ndarray] = []

    def add(self, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        hashed = frame.select(pl.struct(self.keys).hash(seed=7).alias("h"), pl.col(LINE))
        self._hashes.append(hashed["h"].to_numpy())
        self._lines.append(hashed[LINE].to_numpy().astype(np.int32))

    def issues(self, report: Reporter, column: str, what: str) -> None:
        if not self._hashes:
            return
        hashes = np.concatenate(self._hashes)
        self._hashes = []
        probe = np.sort(hashes)  # cheap test first: most files have no duplicate at all
        if not (probe[1:] == probe[:-1]).any():
            self._lines = []
            return
        del probe
        lines = np.concatenate(self._lines)
        self._lines = []
        order = np.argsort(hashes, kind="stable")
        sorted_hashes = hashes[order]
        same = np.flatnonzero(sorted_hashes[1:] == sorted_hashes[:-1])
        if same.size == 0:
            return
        key = (Severity.ERROR, column, f"повтор: {what}")
        # the first occurrence of each repeated hash: walk back to the start of its run
        starts = np.flatnonzero(np.r_[True, sorted_hashes[1:] != sorted_hashes[:-1]])
        run_start = starts[np.searchsorted(starts, same + 1, side="right") - 1]
        for index, first_index in zip(same[:MAX_LISTED], run_start[:MAX_LISTED], strict=True):
            first = int(lines[order[first_index]])
            later = int(lines[order[index + 1]])
            report.add(Severity.ERROR, key, f"повторяется {what}: то же, что в строке {first}", later, column)
        if same.size > MAX_LISTED:
            report._counts[key] = int(same.size)


class OrgCollector:
    """Remembers the first line where each organisation code appears."""

    def __init__(self):
        self.first_line: dict[str, int] = {}

    def add(self, frame: pl.DataFrame) -> None:
        if frame.height == 0 or "org_id" not in frame.columns:
            return
        firsts = frame.group_by("org_id").agg(pl.col(LINE).min())
        for org, line in firsts.iter_rows():
            if org is not None and (org not in self.first_line or line < self.first_line[org]):
                self.first_line[org] = line


def known_organisations(ws: Workspace) -> set[str] | None:
    """Codes in the `organisations` dataset; None when no registry was ever stored."""
    files = Warehouse(ws.warehouse).files("organisations")
    if not files:
        return None
    codes: set[str] = set()
    for path in files:
        codes.update(v for v in pq.read_table(path, columns=["org_id"])["org_id"].to_pylist() if v)
    return codes


def unknown_org_issues(
    collector: OrgCollector, known: set[str] | None, file: str, column: str, derived: set[str]
) -> list[Issue]:
    if known is None:
        if derived:
            return []
        return [
            Issue.warning(
                "реестр организаций ещё не загружен (msoko import registry), проверка кодов организаций пропущена",
                file=file,
            )
        ]
    unknown = sorted(
        (line, org) for org, line in collector.first_line.items() if org not in known and org not in derived
    )
    issues = [
        Issue.error(
            f"организация «{org}» не найдена в реестре; загрузите реестр или исправьте код",
            file=file,
            row=line,
            column=column,
        )
        for line, org in unknown[:50]
    ]
    if len(unknown) > 50:
        issues.append(
            Issue.error(f"всего неизвестных организаций: {len(unknown)} (показаны первые 50)", file=file)
        )
    return issues
