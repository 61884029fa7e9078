"""Ученики по параллелям: кто учится в классе g в году y, с устойчивым кодом и способностями.

Pupils by year group. A cohort is the pupils of one school who started grade 1 in the same year
(`entry = year - grade + 1`); each pupil has an index inside the cohort, a participant code that is
unique in the school and stays the same from year to year (so the grade-4 pupil of 2024 is found in
grade 5 in 2025), and hashed traits: ability, the grade they joined, whether they leave after grade 9.
Everything is vectorised over all pupils of a batch of schools; nothing loops per pupil.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from msoko.synth import hashing
from msoko.synth.schools import Schools

MAX_COHORT = 999  # the code keeps three digits for the pupil's index

SUBJECT_KEYS = {
    "Русский язык": 11,
    "Математика": 12,
    "Математика (профильная)": 12,
    "Математика (базовая)": 12,
    "Обществознание": 13,
    "Информатика": 14,
    "Биология": 15,
    "География": 16,
    "Физика": 17,
    "Химия": 18,
    "История": 19,
}


@dataclass
class Roster:
    school: np.ndarray  # position in the Schools arrays
    index: np.ndarray  # pupil index inside the cohort
    code: np.ndarray  # int64 participant code, unique in the school, stable across years
    theta: np.ndarray  # general ability, N(0, 1)
    entry: np.ndarray  # year the cohort entered grade 1

    def __len__(self) -> int:
        return len(self.school)


def cohort_capacity(seed: int, schools: Schools, entry: np.ndarray) -> np.ndarray:
    size = schools.year_group() * (1.0 + 0.12 * hashing.normal(seed, schools.uid, entry, 1))
    return np.clip(np.round(size * 1.12), 1, MAX_COHORT).astype(np.int64)


def roster(seed: int, schools: Schools, year: int, grade: int) -> Roster:
    """The pupils enrolled in `grade` in the spring of `year` in every school that teaches that grade."""
    entry_year = year - grade + 1
    teaches = (schools.top_grade >= grade) & (schools.correctional == 0)
    pos = np.flatnonzero(teaches)
    entry = np.full(len(pos), entry_year, dtype=np.int64)
    sub = _subset(schools, pos)
    caps = cohort_capacity(seed, sub, entry)
    total = int(caps.sum())
    school = np.repeat(pos, caps)
    offsets = np.repeat(np.cumsum(caps) - caps, caps)
    index = np.arange(total, dtype=np.int64) - offsets
    uid = schools.uid[school]
    theta = hashing.normal(seed, uid, entry_year, index, 2)
    # The cohort's base size fills the first slots (there from grade 1); the rest join in grades 2–10.
    base = np.repeat(np.round(caps / 1.12).astype(np.int64), caps)
    joined = np.where(
        index < base, 1, 2 + (hashing.uniform(seed, uid, entry_year, index, 4) * 9).astype(np.int64)
    )
    # A few leave in some grade; after grade 9 about half go to colleges, weaker pupils more often.
    left = np.where(
        hashing.uniform(seed, uid, entry_year, index, 5) < 0.08,
        2 + (hashing.uniform(seed, uid, entry_year, index, 6) * 10).astype(np.int64),
        99,
    )
    leave9 = hashing.uniform(seed, uid, entry_year, index, 7) < np.clip(0.5 - 0.2 * theta, 0.1, 0.9)
    left = np.where(leave9 & (left > 10), 10, left)
    present = (joined <= grade) & (grade < left)
    code = 100_000 + (entry_year % 100) * 1000 + index
    keep = np.flatnonzero(present)
    return Roster(
        school=school[keep],
        index=index[keep],
        code=code[keep],
        theta=theta[keep],
        entry=np.full(len(keep), entry_year, dtype=np.int64),
    )


def subject_ability(seed: int, schools: Schools, r: Roster, subject: str) -> np.ndarray:
    """A pupil's ability in a subject: general ability plus a stable subject-specific part (SD 1)."""
    k = SUBJECT_KEYS.get(subject, 20)
    own = hashing.normal(seed, schools.uid[r.school], r.entry, r.index, k)
    return 0.8 * r.theta + 0.6 * own


def _subset(schools: Schools, pos: np.ndarray) -> Schools:
    return Schools(
        org_id=[schools.org_id[i] for i in pos],
        name=[schools.name[i] for i in pos],
        **{
            f: getattr(schools, f)[pos]
            for f in (
                "muni",
                "uid",
                "rural",
                "small",
                "remote",
                "advanced",
                "correctional",
                "students",
                "teachers",
                "top_grade",
                "effect",
                "adversity",
            )
        },
    )
