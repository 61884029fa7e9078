"""Шкалы перевода баллов в отметки и минимальные пороги, поставляемые с продуктом.

Reference mark scales and minimum thresholds shipped with the product. The data live in
`reference/scales.csv` (columns as in `docs/formats.md` «scales.csv», each row naming its source); this
module reads them into a table of schema `msoko.engine.schemas.SCALES` and answers the usual questions:
which mark a primary score gives, the maximum primary score, the ЕГЭ minimum test score. A scales file
imported by the user overrides these rows; the helpers take an explicit table for that case.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa

from msoko.engine.schemas import SCALES

SCALES_CSV = Path(__file__).with_name("reference") / "scales.csv"

_Key = tuple[int, str, str, int | None]


def _int_or_none(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


@lru_cache(maxsize=1)
def _rows() -> tuple[dict, ...]:
    with SCALES_CSV.open(encoding="utf-8", newline="") as f:
        return tuple(
            {
                "year": int(r["year"]),
                "procedure": r["procedure"],
                "subject": r["subject"],
                "grade": _int_or_none(r["grade"]),
                "mark_or_level": r["mark_or_level"],
                "min_score": int(r["min_score"]),
                "max_score": int(r["max_score"]),
                "score_kind": r["score_kind"],
                "source": r["source"],
            }
            for r in csv.DictReader(f)
        )


def default_scales() -> pa.Table:
    """The shipped scales as a table of schema `SCALES` (one row per year × procedure × subject × grade × mark)."""
    return pa.Table.from_pylist(list(_rows()), schema=SCALES)


def _table_rows(scales: pa.Table | None) -> tuple[dict, ...]:
    return _rows() if scales is None else tuple(scales.to_pylist())


@lru_cache(maxsize=4096)
def _bands(procedure: str, year: int, subject: str, grade: int | None) -> tuple[tuple[int, int, int], ...]:
    return _bands_from(_rows(), procedure, year, subject, grade)


def _bands_from(rows, procedure, year, subject, grade) -> tuple[tuple[int, int, int], ...]:
    out = []
    for r in rows:
        if (
            r["procedure"] == procedure
            and r["year"] == year
            and r["subject"] == subject
            and (r["grade"] if procedure == "ВПР" else None) == (grade if procedure == "ВПР" else None)
            and r["score_kind"] == "primary"
            and str(r["mark_or_level"]).isdigit()
        ):
            out.append((int(r["mark_or_level"]), int(r["min_score"]), int(r["max_score"])))
    if not out:
        raise KeyError(f"no {procedure} scale for {subject!r} grade {grade} in {year}")
    return tuple(sorted(out))


def mark_bands(
    procedure: str, year: int, subject: str, grade: int | None = None, scales: pa.Table | None = None
) -> tuple[tuple[int, int, int], ...]:
    """`(mark, min_score, max_score)` of each mark, lowest mark first. Raises KeyError when unknown."""
    if scales is None:
        return _bands(procedure, year, subject, grade)
    return _bands_from(_table_rows(scales), procedure, year, subject, grade)


def mark_boundaries(
    procedure: str, year: int, subject: str, grade: int | None = None, scales: pa.Table | None = None
) -> tuple[int, ...]:
    """Lowest primary scores of marks «3», «4», «5» (the boundaries a non-objective school pushes over)."""
    return tuple(lo for mark, lo, _ in mark_bands(procedure, year, subject, grade, scales) if mark >= 3)


def max_primary(
    procedure: str, year: int, subject: str, grade: int | None = None, scales: pa.Table | None = None
) -> int:
    """Maximum primary score of the work."""
    return max(hi for _, _, hi in mark_bands(procedure, year, subject, grade, scales))


def mark_for(
    procedure: str,
    year: int,
    subject: str,
    grade: int | None,
    score: int,
    scales: pa.Table | None = None,
) -> int:
    """The mark (2–5) a primary `score` gets. Raises ValueError outside the scale."""
    for mark, lo, hi in mark_bands(procedure, year, subject, grade, scales):
        if lo <= score <= hi:
            return mark
    raise ValueError(f"score {score} is outside the {procedure} {subject} {grade} {year} scale")


def marks_for(
    procedure: str,
    year: int,
    subject: str,
    grade: int | None,
    scores: np.ndarray,
    scales: pa.Table | None = None,
) -> np.ndarray:
    """Vectorised `mark_for`: an int8 array of marks for an array of primary scores."""
    bounds = np.asarray(mark_boundaries(procedure, year, subject, grade, scales))
    return (2 + np.searchsorted(bounds, np.asarray(scores), side="right")).astype(np.int8)


def ege_minimum(year: int, subject: str, scales: pa.Table | None = None) -> int:
    """ЕГЭ minimum test score of `subject` in `year` (the row `mark_or_level = min`)."""
    for r in _table_rows(scales):
        if (
            r["procedure"] == "ЕГЭ"
            and r["year"] == year
            and r["subject"] == subject
            and r["mark_or_level"] == "min"
        ):
            return int(r["min_score"])
    raise KeyError(f"no ЕГЭ minimum for {subject!r} in {year}")


def source_of(procedure: str, year: int, subject: str, grade: int | None = None) -> str:
    """Where the shipped scale comes from (the `source` column)."""
    for r in _rows():
        if (
            r["procedure"] == procedure
            and r["year"] == year
            and r["subject"] == subject
            and (procedure != "ВПР" or r["grade"] == grade)
        ):
            return r["source"]
    raise KeyError(f"no {procedure} scale for {subject!r} grade {grade} in {year}")


def years() -> tuple[int, ...]:
    """The years the shipped scales cover."""
    return tuple(sorted({r["year"] for r in _rows()}))
