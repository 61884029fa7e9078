"""The canonical datasets of docs/formats.md: their columns, types and ranges, and the conversion of string
frames into typed frames with a located issue for every value that does not fit.

Conversion is vectorised (polars); a problem found in many rows is reported for the first rows
(`MAX_LISTED`) and then as one summary line, so a 10-million-row file with a systematic error gives a
readable list.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import polars as pl

from msoko.core.issues import Issue, Severity
from msoko.ingest.columns import normalise_name
from msoko.ingest.frames import LINE

MISSING = ["", "x", "х", "-", "—", "–", "нет отметки", "na", "n/a", "null", "none"]
_MISSING_VARIANTS = sorted({v for m in MISSING for v in (m, m.upper(), m.capitalize())})
MAX_LISTED = 20


@dataclass(frozen=True)
class Col:
    name: str
    kind: str  # "int" | "float" | "text" | "flag"
    dtype: pl.DataType | type = pl.String
    required: bool = True  # the column must be present
    nullable: bool = False  # a value may be empty
    lo: float | None = None
    hi: float | None = None
    allowed: tuple[str, ...] | None = None
    allowed_severity: Severity = Severity.ERROR
    what: str = ""  # Russian name used in messages


@dataclass(frozen=True)
class Spec:
    name: str  # dataset name
    title: str
    columns: tuple[Col, ...]
    extras: str = "ignore"  # "ignore" | "numeric" (context, results_by_org) | "tasks" (vpr)
    extra_pattern: str | None = None
    required_any: tuple[str, ...] = field(default=())

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


def _year(required: bool = True) -> Col:
    return Col("year", "int", pl.Int16, required=required, lo=2000, hi=2100, what="год")


_ORG = Col("org_id", "text", what="код организации")
_PART = Col("participant", "text", what="код участника")
_SUBJ = Col("subject", "text", what="предмет")
_MARK = Col("mark", "int", pl.Int8, lo=2, hi=5, what="отметка")

VPR = Spec(
    "vpr",
    "результаты ВПР",
    (
        _year(),
        _ORG,
        _PART,
        _SUBJ,
        Col("grade", "int", pl.Int8, lo=1, hi=11, what="класс (параллель)"),
        Col("variant", "int", pl.Int16, required=False, nullable=True, lo=0, hi=32000, what="вариант"),
        Col("primary_score", "int", pl.Int16, lo=0, hi=1000, what="первичный балл"),
        _MARK,
        Col(
            "journal_mark",
            "int",
            pl.Int8,
            required=False,
            nullable=True,
            lo=2,
            hi=5,
            what="отметка по журналу",
        ),
    ),
    extras="tasks",
)

EXAMS = ("ОГЭ", "ЕГЭ", "ГВЭ")
GIA = Spec(
    "gia",
    "результаты ГИА",
    (
        _year(),
        _ORG,
        _PART,
        _SUBJ,
        Col(
            "exam",
            "text",
            allowed=EXAMS,
            what="экзамен",
        ),
        Col("primary_score", "int", pl.Int16, nullable=True, lo=0, hi=1000, what="первичный балл"),
        Col("test_score", "int", pl.Int16, required=False, nullable=True, lo=0, hi=100, what="тестовый балл"),
        Col("mark", "int", pl.Int8, required=False, nullable=True, lo=2, hi=5, what="отметка"),
    ),
)

_FLAG = {"kind": "flag", "dtype": pl.Int8, "required": False, "nullable": True, "lo": 0, "hi": 1}
_COUNT = {"kind": "int", "dtype": pl.Int32, "required": False, "nullable": True, "lo": 0, "hi": 10_000_000}
CONTEXT = Spec(
    "context",
    "контекстные данные",
    (
        _year(),
        _ORG,
        *(
            Col(n, what=n, **_COUNT)
            for n in ("students", "pdn_kdn", "migrant_or_low_russian", "not_attested")
        ),
        *(Col(n, what=n, **_COUNT) for n in ("chronic_absence", "ovz", "staff_vacancies")),
        *(Col(n, what=n, **_FLAG) for n in ("remote", "small_school", "infra_deficit", "internet_deficit")),
    ),
    extras="numeric",
)

PROCEDURES = ("ВПР", "ОГЭ", "ЕГЭ", "ГВЭ")
SCALES = Spec(
    "scales",
    "шкалы перевода баллов",
    (
        _year(),
        Col("procedure", "text", allowed=PROCEDURES, what="процедура"),
        _SUBJ,
        Col("grade", "int", pl.Int8, nullable=True, lo=1, hi=11, what="класс"),
        Col("mark_or_level", "text", what="отметка или уровень"),
        Col("min_score", "int", pl.Int16, lo=0, hi=1000, what="нижняя граница"),
        Col("max_score", "int", pl.Int16, lo=0, hi=1000, what="верхняя граница"),
        Col("score_kind", "text", allowed=("primary", "test"), what="вид балла"),
        Col("source", "text", required=False, nullable=True, what="источник"),
    ),
)

_SHARE = {"kind": "float", "dtype": pl.Float64, "required": False, "nullable": True, "lo": 0.0, "hi": 1.0}
RESULTS_BY_ORG = Spec(
    "results_by_org",
    "результаты по организациям",
    (
        _year(),
        _ORG,
        Col("procedure", "text", what="процедура"),
        _SUBJ,
        Col("grade", "int", pl.Int8, nullable=True, lo=1, hi=12, what="класс"),
        Col("participants", "int", pl.Int32, nullable=True, lo=0, hi=10_000_000, what="число участников"),
        Col(
            "mean_score",
            "float",
            pl.Float64,
            required=False,
            nullable=True,
            lo=0,
            hi=1000,
            what="средний балл",
        ),
        *(Col(f"share_{m}", what=f"доля «{m}»", **_SHARE) for m in (2, 3, 4, 5)),
        Col("below_min", what="доля ниже минимума", **_SHARE),
        Col("max_score", "int", pl.Int16, required=False, nullable=True, lo=1, hi=1000,
            what="максимальный балл шкалы"),
    ),
    extras="numeric",
)

SPECS: dict[str, Spec] = {s.name: s for s in (VPR, GIA, CONTEXT, SCALES, RESULTS_BY_ORG)}

TASK_RE = re.compile(r"^task:(?P<task>[0-9A-Za-zА-Яа-я.]+)$", re.IGNORECASE)


# --------------------------------------------------------------------------------------------- parsing


def _clean(expr: pl.Expr) -> pl.Expr:
    """Trim, and turn the missing markers (X, Х, -, —, «нет отметки», empty) into null."""
    text = expr.cast(pl.String).str.strip_chars()
    return pl.when(text.is_in(_MISSING_VARIANTS)).then(None).otherwise(text)


def _numbers(raw: pl.Series, integer: bool) -> pl.Series:
    """Cleaned text → numbers (null where unparseable); integers take a direct cast when they can."""
    if integer:
        direct = raw.cast(pl.Int64, strict=False)
        if direct.null_count() == raw.null_count():
            return direct
    return raw.to_frame().select(_number(pl.col(raw.name))).to_series()


def _number(expr: pl.Expr) -> pl.Expr:
    text = expr.str.replace_all(r"[\s\u00a0]", "").str.replace(",", ".", literal=True)
    return text.cast(pl.Float64, strict=False)


class Reporter:
    """Collects issues, listing at most MAX_LISTED rows per (kind of problem, column)."""

    def __init__(self, file: str):
        self.file = file
        self.issues: list[Issue] = []
        self._counts: dict[tuple, int] = {}

    def add(self, severity: Severity, key: tuple, message: str, row: int | None, column: str | None) -> None:
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        if count <= MAX_LISTED:
            self.issues.append(Issue(severity, message, file=self.file, row=row, column=column))

    def rows(self, severity: Severity, key: tuple, frame: pl.DataFrame, column: str | None, message) -> None:
        """`message(value)` for each row of `frame` (columns `_line`, `value`)."""
        if frame.height == 0:
            return
        already = self._counts.get(key, 0)
        room = max(0, MAX_LISTED - already)
        for line, value in frame.head(room).select(LINE, "value").iter_rows():
            self.issues.append(Issue(severity, message(value), file=self.file, row=line, column=column))
        self._counts[key] = already + frame.height

    def finish(self) -> list[Issue]:
        """The listed issues plus one summary per problem reported in more rows than were listed."""
        for key, count in self._counts.items():
            if count > MAX_LISTED:
                severity, column, label = key[0], key[1], key[2]
                self.issues.append(
                    Issue(
                        severity,
                        f"{label}: всего строк с этой проблемой — {count} (показаны первые {MAX_LISTED})",
                        file=self.file,
                        column=column,
                    )
                )
        self._counts = {k: min(v, MAX_LISTED) for k, v in self._counts.items()}
        return self.issues

    @property
    def has_errors(self) -> bool:
        return any(issue.is_error for issue in self.issues)


def header_map(header: list[str], spec: Spec) -> tuple[dict[str, str], list[str], list[str]]:
    """(canonical → column as written, missing required, extra columns as written)."""
    by_norm = {normalise_name(c): c for c in header}
    found: dict[str, str] = {}
    missing: list[str] = []
    for col in spec.columns:
        written = by_norm.get(normalise_name(col.name))
        if written is None:
            if col.required:
                missing.append(col.name)
        else:
            found[col.name] = written
    used = set(found.values())
    extras = [c for c in header if c not in used and c != LINE]
    return found, missing, extras


def missing_column_issues(missing: list[str], spec: Spec, file: str, header_line: int) -> list[Issue]:
    return [
        Issue.error(
            f"нет обязательного столбца «{name}» ({spec.col(name).what}) для набора «{spec.title}»",
            file=file,
            row=header_line,
            column=name,
        )
        for name in missing
    ]


def convert(
    frame: pl.DataFrame, spec: Spec, found: dict[str, str], extras: list[str], report: Reporter
) -> pl.DataFrame:
    """String frame → typed frame in canonical column names (+ `_line`, + typed extras).

    Eager, column by column: each check is one vectorised pass, and the located listing is only built
    for a column where a check fired.
    """
    lines = frame[LINE]
    out: dict[str, pl.Series] = {LINE: lines}
    for col in spec.columns:
        if col.name not in found:
            out[col.name] = pl.Series(col.name, [None] * frame.height, dtype=col.dtype)
            continue
        written = found[col.name]
        typed_input = frame.schema[written] != pl.String
        raw = (
            frame[written].alias(col.name)
            if typed_input
            else frame.select(_clean(pl.col(written)).alias(col.name)).to_series()
        )
        if col.kind in ("int", "flag", "float"):
            number = raw if typed_input else _numbers(raw, integer=col.kind != "float")
            bad_type = raw.is_not_null() & number.is_null()
            if col.kind != "float" and number.dtype == pl.Float64:
                bad_type = bad_type | (number.is_not_null() & (number != number.floor()))
            if bad_type.any():
                _report_column(report, col, "type", written, _hits(lines, raw, bad_type))
                number = number.set(bad_type, None)
            if col.name == "year":
                latest = latest_year()
                future = number.is_not_null() & (number > latest) & (number <= col.hi)
                if future.any():
                    _report_future(report, written, _hits(lines, raw, future), latest)
                    number = number.set(future, None)
            if col.lo is not None:
                out_of_range = number.is_not_null() & ((number < col.lo) | (number > col.hi))
                if out_of_range.any():
                    _report_column(report, col, "range", written, _hits(lines, raw, out_of_range))
                    number = number.set(out_of_range, None)
            out[col.name] = number.cast(col.dtype, strict=False)
        else:
            if col.allowed is not None:
                not_allowed = raw.is_not_null() & ~raw.is_in(list(col.allowed))
                if not_allowed.any():
                    _report_column(report, col, "allowed", written, _hits(lines, raw, not_allowed))
            out[col.name] = raw
        if not col.nullable:
            empty = raw.is_null()
            if empty.any():
                _report_column(report, col, "empty", written, _hits(lines, raw, empty))
    for name in extras:
        if spec.extras == "tasks" and TASK_RE.match(name):
            typed_input = frame.schema[name] != pl.String
            raw = frame[name] if typed_input else frame.select(_clean(pl.col(name))).to_series()
            number = raw if typed_input else _numbers(raw, integer=True)
            bad = (raw.is_not_null() & number.is_null()) | (
                number.is_not_null() & ((number < 0) | (number >= 1000))
            )
            if number.dtype == pl.Float64:
                bad = bad | (number.is_not_null() & (number != number.floor()))
            if bad.any():
                report.rows(
                    Severity.ERROR,
                    (Severity.ERROR, name, f"балл за задание «{name}» не целое неотрицательное число"),
                    _hits(lines, raw, bad),
                    name,
                    lambda v: f"балл за задание должен быть целым числом не меньше 0, а указано «{v}»",
                )
                number = number.set(bad, None)
            out[name] = number.cast(pl.Int16, strict=False).alias(name)
        elif spec.extras == "numeric":
            if frame.schema[name] != pl.String:
                out[name] = frame[name].cast(pl.Float64).alias(name)
            else:
                out[name] = frame.select(_number(_clean(pl.col(name)))).to_series().alias(name)
    return pl.DataFrame(list(out.values()))


def _hits(lines: pl.Series, raw: pl.Series, mask: pl.Series) -> pl.DataFrame:
    return pl.DataFrame({LINE: lines.filter(mask), "value": raw.filter(mask).cast(pl.String)})


def arrow_types(spec: Spec, found: dict[str, str], extras: list[str]) -> dict:
    """Column as written → Arrow type for pyarrow's own parsing of clean files (integers only)."""
    import pyarrow as pa

    types = {found[c.name]: pa.int64() for c in spec.columns if c.name in found and c.kind in ("int", "flag")}
    if spec.extras == "tasks":
        types.update({name: pa.int64() for name in extras if TASK_RE.match(name)})
    return types


NULL_VALUES = _MISSING_VARIANTS


def _report_column(report: Reporter, col: Col, problem: str, written: str, hits: pl.DataFrame) -> None:
    if problem == "type":
        expected = "целое число" if col.kind in ("int", "flag") else "число"
        if col.kind == "flag":
            expected = "0 или 1"
        report.rows(
            Severity.ERROR,
            (Severity.ERROR, written, f"{col.what}: не {expected}"),
            hits,
            written,
            lambda v: f"{col.what}: ожидается {expected}, а указано «{v}»",
        )
    elif problem == "range":
        lo, hi = _fmt(col.lo), _fmt(col.hi)
        report.rows(
            Severity.ERROR,
            (Severity.ERROR, written, f"{col.what}: вне допустимого диапазона {lo}–{hi}"),
            hits,
            written,
            lambda v: f"{col.what}: значение «{v}» вне допустимого диапазона {lo}–{hi}",
        )
    elif problem == "allowed":
        allowed = ", ".join(col.allowed or ())
        severity = col.allowed_severity
        tail = "" if severity is Severity.ERROR else "; строка загружена, но в показатели не попадёт"
        report.rows(
            severity,
            (severity, written, f"{col.what}: недопустимое значение"),
            hits,
            written,
            lambda v: f"{col.what}: значение «{v}» не из списка ({allowed}){tail}",
        )
    elif problem == "empty":
        report.rows(
            Severity.ERROR,
            (Severity.ERROR, written, f"{col.what}: не заполнено"),
            hits,
            written,
            lambda v: f"{col.what}: обязательное значение не заполнено",
        )


def latest_year(today: dt.date | None = None) -> int:
    """The latest year data may have: the end year of the current academic year (September–August), so
    in December 2026 results of 2027 are not yet possible but of 2026/27 school year are labelled 2027."""
    today = today or dt.date.today()
    return today.year + 1 if today.month >= 9 else today.year


def _report_future(report: Reporter, written: str, hits: pl.DataFrame, latest: int) -> None:
    report.rows(
        Severity.ERROR,
        (Severity.ERROR, written, "год позже текущего учебного года"),
        hits,
        written,
        lambda v: f"год «{v}» позже текущего учебного года ({latest - 1}/{latest}): данные будущих лет "
        "не загружаются — проверьте год",
    )


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)
