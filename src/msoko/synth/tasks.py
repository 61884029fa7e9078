"""Состав заданий ВПР: номер задания, максимальный балл, уровень (Б/П) по году, предмету и классу.

ВПР task metadata by year × subject × grade: task code (`1`, `9.1`, `1K1`…), maximum score and level
(`Б` basic, `П` advanced). The structures follow the published ФИОКО descriptions in spirit (task count,
maxima adding up to the maximum primary score of the reference scale); where a year's structure is not
written here the nearest year's is reused, like the scales. Written out as `vpr_tasks_meta.csv`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from msoko.engine import reference

SUBJECTS = ("Русский язык", "Математика")
GRADES = (4, 5, 6, 7, 8)

# "code:max" with a trailing «П» for advanced tasks; the rest are basic.
_SPECS: dict[tuple[str, int], str] = {
    ("Русский язык", 4): "1K1:4 1K2:3 2:3 3.1:1 3.2:3 4:1 5:1 6:2 7:3 8:2 9:1 10:1 11:1П 12.1:1 12.2:2 "
    "13.1:1 13.2:2П 14:2П 15.1:2П 15.2:2П",
    ("Математика", 4): "1:1 2:1 3:2 4:1 5.1:1 5.2:1 6.1:1 6.2:1 7:1 8:2 9.1:1 9.2:1 10:2 11:2П 12:2П",
    ("Русский язык", 5): "1K1:4 1K2:3 1K3:2 2K1:3 2K2:3 2K3:3 2K4:3 3:2 4:2 5:4 6:2 7:2 8:3П 9:2П 10:1 "
    "11:2П 12.1:2 12.2:2П",
    ("Математика", 5): "1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:2 9:2 10:2П 11:1 12:2 13:2П 14:2П",
    ("Русский язык", 6): "1K1:4 1K2:3 1K3:2 2K1:3 2K2:3 2K3:3 2K4:3 3:2 4.1:1 4.2:2 5:2 6:2 7.1:2 7.2:1 "
    "8.1:2 8.2:1 9:2П 10:2П 11.1:2П 11.2:1П 12.1:1 12.2:1 13.1:2 13.2:2 14:2П",
    ("Математика", 6): "1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1 9:2 10:2 11:1 12:2П 13:1П 14:2П 15:1 16:1П",
    ("Русский язык", 7): "1K1:4 1K2:3 1K3:2 2K1:3 2K2:3 2K3:3 2K4:3 3:2 4:2 5:2 6:2 7.1:2 7.2:1 8.1:2П "
    "8.2:1П 9:2П 10:2П 11.1:1 11.2:2 12.1:1 12.2:2 13:2П",
    ("Математика", 7): "1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1 9:1 10:2 11:1 12:1П 13:1 14:1 15:2П 16:2П",
    ("Русский язык", 8): "1K1:4 1K2:3 1K3:2 2K1:3 2K2:3 2K3:3 2K4:3 3:2 4:2 5:2 6:2 7.1:2 7.2:1 8:2 "
    "9:2П 10:2П 11:2П 12.1:2 12.2:1 13:2 14:2П 15.1:2 15.2:2",
    ("Математика", 8): "1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1 9:1 10:1 11:2 12:1 13:1 14:1 15:2П 16:2П 17:2П 18:1 "
    "19:3П",
}
# ФИОКО demo 2026, Русский язык 4 класс: one lesson, 12 tasks, maximum 24.
_SPECS_2026 = {
    ("Русский язык", 4): "1:2 2:1 3:2 4:3 5:2 6:1 7:1 8:2 9:3П 10:3П 11:1 12:3П",
}


@dataclass(frozen=True)
class Task:
    code: str
    max_score: int
    level: str  # «Б» or «П»
    difficulty: float  # model parameter on the ability scale (not written out)


def _parse(spec: str) -> list[tuple[str, int, str]]:
    out = []
    for item in spec.split():
        code, rest = item.split(":")
        level = "П" if rest.endswith("П") else "Б"
        out.append((code, int(rest.rstrip("П")), level))
    return out


def _difficulty(year: int, subject: str, grade: int, index: int, level: str) -> float:
    # Stable per task, independent of any seed: the tests of one work are the same for everyone.
    rng = np.random.default_rng([year, grade, index, len(subject), ord(subject[0])])
    return float(rng.uniform(-1.5, -0.4) if level == "Б" else rng.uniform(0.3, 1.3))


@lru_cache(maxsize=256)
def tasks_for(year: int, subject: str, grade: int) -> tuple[Task, ...]:
    """The tasks of the ВПР work; maxima add up to the reference scale's maximum primary score."""
    spec = _SPECS_2026.get((subject, grade)) if year >= 2026 else None
    spec = spec or _SPECS[(subject, grade)]
    parsed = _parse(spec)
    tasks = tuple(
        Task(code, mx, level, _difficulty(year, subject, grade, i, level))
        for i, (code, mx, level) in enumerate(parsed)
    )
    total = sum(t.max_score for t in tasks)
    expected = reference.max_primary("ВПР", year, subject, grade)
    if total != expected:
        raise ValueError(f"ВПР {year} {subject} {grade}: tasks add up to {total}, the scale says {expected}")
    return tasks


META_COLUMNS = ("year", "subject", "grade", "task", "max_score", "level")


def meta_rows(years, subjects=SUBJECTS, grades=GRADES) -> list[tuple]:
    return [
        (y, s, g, t.code, t.max_score, t.level)
        for y in years
        for s in subjects
        for g in grades
        for t in tasks_for(y, s, g)
    ]


def write_meta(path: Path, years, subjects=SUBJECTS, grades=GRADES) -> Path:
    """Write `vpr_tasks_meta.csv`: year, subject, grade, task, max_score, level."""
    with Path(path).open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(META_COLUMNS)
        w.writerows(meta_rows(years, subjects, grades))
    return Path(path)
