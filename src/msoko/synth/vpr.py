"""Результаты ВПР: баллы по заданиям, первичный балл, отметка по шкале, отметка по журналу.

ВПР results of one year × subject × grade for a batch of schools, vectorised over pupils. A pupil's
chance on a task is a logistic function of (school effect + school×subject and school×year noise −
the social adversity of the school + the pupil's ability − the task's difficulty); task scores are
binomial draws, the primary score is their sum and the mark comes from the reference scale. The journal
mark follows the pupil's honest expected score with teacher leniency and noise.

A non-objective plant (per school × subject × grade × year) marks up checking: a lift on every task, a
bigger one on advanced (П) tasks, pupils one or two points under a mark boundary pushed onto it, while
the journal keeps the honest picture (so ВПР marks come out above journal marks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from msoko.engine import reference
from msoko.synth import hashing
from msoko.synth.cohorts import SUBJECT_KEYS, roster, subject_ability
from msoko.synth.schools import Schools
from msoko.synth.tasks import Task, tasks_for

ADVERSITY_WEIGHT = 1.3  # how strongly context drives results (ability units per unit of adversity)
SUBJECT_SPREAD = 0.15  # persistent school × subject deviation (SD)
YEAR_SPREAD = 0.15  # school × subject × year deviation (SD)
DISCRIMINATION = 1.1
PUPIL_SPREAD = 0.6
# Shifts a work's marks to a plausible regional spread (grade 4: few «2»; grades 6–8: 10–15 % «2»).
CALIBRATION = {
    ("Русский язык", 4): 0.4,
    ("Русский язык", 5): 0.25,
    ("Русский язык", 6): 0.3,
    ("Русский язык", 7): 0.25,
    ("Русский язык", 8): 0.35,
    ("Математика", 4): -0.15,
    ("Математика", 5): 0.0,
    ("Математика", 6): 0.0,
    ("Математика", 7): 0.25,
    ("Математика", 8): 0.3,
}
ABSENT = 0.06
JOURNAL_MISSING = 0.03
PUSH_PROBABILITY = 0.8


@dataclass
class VprBatch:
    year: int
    subject: str
    grade: int
    tasks: tuple[Task, ...]
    school: np.ndarray
    code: np.ndarray
    variant: np.ndarray
    scores: np.ndarray  # int16 (participants × tasks)
    primary: np.ndarray
    mark: np.ndarray
    journal: np.ndarray  # int8, 0 where the journal has no mark
    planted: np.ndarray  # bool per participant

    def __len__(self) -> int:
        return len(self.school)


def school_deviation(seed: int, schools: Schools, year: int, subject: str) -> np.ndarray:
    """The school's own deviation in a subject and year on top of its effect: a persistent school × subject
    part and a school × subject × year part (both N(0, SUBJECT_SPREAD / YEAR_SPREAD))."""
    k = SUBJECT_KEYS.get(subject, 20)
    return (SUBJECT_SPREAD * hashing.normal(seed, schools.uid, k, 21)
            + YEAR_SPREAD * hashing.normal(seed, schools.uid, year, k, 22))


def school_ability(seed: int, schools: Schools, year: int, subject: str) -> np.ndarray:
    """The school's mean ability in a subject and year (before pupils): effect, noise, context."""
    return schools.effect + school_deviation(seed, schools, year, subject) - ADVERSITY_WEIGHT * schools.adversity


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def generate_vpr(
    seed: int,
    schools: Schools,
    year: int,
    subject: str,
    grade: int,
    rng: np.random.Generator,
    planted_schools: np.ndarray | None = None,
) -> VprBatch:
    """Results of every pupil of `grade` who wrote the `subject` work in `year`."""
    tasks = tasks_for(year, subject, grade)
    r = roster(seed, schools, year, grade)
    k = SUBJECT_KEYS[subject]
    present = hashing.uniform(seed, schools.uid[r.school], r.entry, r.index, year * 100 + k) >= ABSENT
    sel = np.flatnonzero(present)
    school, code, entry, index = r.school[sel], r.code[sel], r.entry[sel], r.index[sel]
    ability = (
        school_ability(seed, schools, year, subject)[school]
        + PUPIL_SPREAD * subject_ability(seed, schools, r, subject)[sel]
        + CALIBRATION.get((subject, grade), 0.3)
    )

    maxima = np.array([t.max_score for t in tasks], dtype=np.int64)
    difficulty = np.array([t.difficulty for t in tasks])
    advanced_task = np.array([t.level == "П" for t in tasks])
    p_honest = _sigmoid(DISCRIMINATION * (ability[:, None] - difficulty[None, :]))

    planted = np.zeros(len(sel), dtype=bool) if planted_schools is None else planted_schools[school]
    p = p_honest
    if planted.any():
        lift = 0.35 + 0.6 * advanced_task[None, :]
        p = p_honest.copy()
        p[planted] = _sigmoid(DISCRIMINATION * (ability[planted, None] + lift - difficulty[None, :]))
    scores = rng.binomial(maxima[None, :], p).astype(np.int16)
    if planted.any():
        _push_over_boundaries(scores, maxima, planted, year, subject, grade, rng)

    primary = scores.sum(axis=1, dtype=np.int64)
    mark = reference.marks_for("ВПР", year, subject, grade, primary)
    total = int(maxima.sum())
    expected = (p_honest * maxima[None, :]).sum(axis=1)
    journal_score = expected + rng.normal(0.04 * total, 0.09 * total, size=len(sel))
    journal = reference.marks_for("ВПР", year, subject, grade, np.clip(np.round(journal_score), 0, total))
    journal[rng.random(len(sel)) < JOURNAL_MISSING] = 0
    variant = (1 + (hashing.uniform(seed, schools.uid[school], year, k, grade, 23) < 0.5)).astype(np.int16)
    del entry, index
    return VprBatch(
        year=year,
        subject=subject,
        grade=grade,
        tasks=tasks,
        school=school,
        code=code,
        variant=variant,
        scores=scores,
        primary=primary.astype(np.int16),
        mark=mark,
        journal=journal.astype(np.int8),
        planted=planted,
    )


def _push_over_boundaries(scores, maxima, planted, year, subject, grade, rng) -> None:
    """Give pupils 1–2 points under a mark boundary the missing points (on tasks with room left)."""
    bounds = np.asarray(reference.mark_boundaries("ВПР", year, subject, grade))
    primary = scores.sum(axis=1, dtype=np.int64)
    nxt = np.searchsorted(bounds, primary, side="right")
    target = np.where(nxt < len(bounds), bounds[np.minimum(nxt, len(bounds) - 1)], primary)
    gap = np.where(planted & (rng.random(len(primary)) < PUSH_PROBABILITY), target - primary, 0)
    gap = np.where(gap <= 2, gap, 0)
    for _ in range(2):
        rows = np.flatnonzero(gap > 0)
        if not len(rows):
            break
        room = maxima[None, :] - scores[rows]
        keys = rng.random(room.shape) * (room > 0)
        cols = keys.argmax(axis=1)
        ok = room[np.arange(len(rows)), cols] > 0
        scores[rows[ok], cols[ok]] += 1
        gap[rows] -= 1
