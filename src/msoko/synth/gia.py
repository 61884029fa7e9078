"""Результаты ГИА: ОГЭ (9 класс, первичный балл и отметка) и ЕГЭ (11 класс, первичный и тестовый балл).

ГИА results. ОГЭ: every grade-9 pupil writes Russian and Maths and about two electives; the mark comes
from the reference scale. ЕГЭ: every grade-11 pupil writes Russian, either profile or base maths, and
electives; the test score comes from the primary score through a monotone conversion anchored at the
minimum (so some results fall below the minimum of the reference scales); base maths gets a mark.
Pupils keep the participant codes they had in ВПР. Non-objective ВПР plants do not reach ГИА, which is
how «ВПР far above the region, not confirmed by ГИА» shows up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from msoko.engine import reference
from msoko.synth.cohorts import roster, subject_ability
from msoko.synth.schools import Schools
from msoko.synth.vpr import school_ability

OGE_REQUIRED = ("Русский язык", "Математика")
OGE_ELECTIVES = {"Обществознание": 0.6, "Информатика": 0.45, "Биология": 0.35, "География": 0.45}
# Subject → (share of takers, maximum primary, primary score at the minimum test score). Model parameters.
EGE = {
    "Русский язык": (1.0, 50, 10),
    "Обществознание": (0.45, 58, 20),
    "Информатика": (0.17, 29, 6),
    "Физика": (0.18, 45, 11),
    "Химия": (0.11, 56, 13),
    "Биология": (0.17, 49, 16),
    "История": (0.13, 42, 8),
}
EGE_PROFILE = ("Математика (профильная)", 32, 6)
EGE_BASE = "Математика (базовая)"
GIA_DISCRIMINATION = 1.2
PUPIL_SPREAD = 0.55
OGE_CALIBRATION = {"Русский язык": 1.0, "Математика": 0.45, "Обществознание": 0.85, "География": 0.8}
EGE_CALIBRATION = {"Русский язык": 0.55, EGE_BASE: 1.3, "Математика (профильная)": -0.2}


@dataclass
class GiaBatch:
    exam: str
    subject: str
    school: np.ndarray
    code: np.ndarray
    primary: np.ndarray
    test_score: np.ndarray  # int16, -1 where empty
    mark: np.ndarray  # int8, 0 where empty

    def __len__(self) -> int:
        return len(self.school)


def _p(x):
    return 1.0 / (1.0 + np.exp(-GIA_DISCRIMINATION * x))


def generate_oge(seed: int, schools: Schools, year: int, rng: np.random.Generator) -> list[GiaBatch]:
    r = roster(seed, schools, year, 9)
    out = []
    for subject in (*OGE_REQUIRED, *OGE_ELECTIVES):
        take = (
            np.ones(len(r), dtype=bool)
            if subject in OGE_REQUIRED
            else rng.random(len(r)) < OGE_ELECTIVES[subject]
        )
        idx = np.flatnonzero(take)
        ability = (
            school_ability(seed, schools, year, subject)[r.school[idx]]
            + PUPIL_SPREAD * subject_ability(seed, schools, r, subject)[idx]
            + OGE_CALIBRATION.get(subject, 0.7)
        )
        mx = reference.max_primary("ОГЭ", year, subject)
        # Item-level noise on top of the binomial, so the score spread resembles real exams.
        primary = rng.binomial(mx, _p(ability + rng.normal(0, 0.2, len(idx)))).astype(np.int16)
        out.append(
            GiaBatch(
                exam="ОГЭ",
                subject=subject,
                school=r.school[idx],
                code=r.code[idx],
                primary=primary,
                test_score=np.full(len(idx), -1, dtype=np.int16),
                mark=reference.marks_for("ОГЭ", year, subject, None, primary),
            )
        )
    return out


def to_test_scores(primary: np.ndarray, max_primary: int, min_primary: int, min_test: int) -> np.ndarray:
    """Monotone conversion: (0, 0) → (min_primary, min_test) → (max_primary, 100), concave above the minimum."""
    x = primary.astype(np.float64)
    # below the minimum primary score the test score stays below the minimum test score, also after rounding
    low = np.minimum(np.round(x / min_primary * min_test), min_test - 1)
    frac = np.clip((x - min_primary) / (max_primary - min_primary), 0, 1)
    high = min_test + (100 - min_test) * (1 - (1 - frac) ** 1.35)
    return np.round(np.where(x < min_primary, low, high)).astype(np.int16)


def generate_ege(seed: int, schools: Schools, year: int, rng: np.random.Generator) -> list[GiaBatch]:
    r = roster(seed, schools, year, 11)
    out = []

    def batch(subject, idx, mx, min_primary=None):
        ability = (
            school_ability(seed, schools, year, subject)[r.school[idx]]
            + PUPIL_SPREAD * subject_ability(seed, schools, r, subject)[idx]
            + EGE_CALIBRATION.get(subject, 0.1)
        )
        primary = rng.binomial(mx, _p(ability + rng.normal(0, 0.2, len(idx)))).astype(np.int16)
        if min_primary is None:
            test = np.full(len(idx), -1, dtype=np.int16)
            mark = reference.marks_for("ЕГЭ", year, subject, None, primary)
        else:
            test = to_test_scores(primary, mx, min_primary, reference.ege_minimum(year, subject))
            mark = np.zeros(len(idx), dtype=np.int8)
        out.append(GiaBatch("ЕГЭ", subject, r.school[idx], r.code[idx], primary, test, mark))

    for subject, (share, mx, min_primary) in EGE.items():
        idx = np.flatnonzero(rng.random(len(r)) < share)
        batch(subject, idx, mx, min_primary)
        if subject == "Русский язык":
            maths = subject_ability(seed, schools, r, "Математика")
            profile = maths + rng.normal(0, 0.5, len(r)) > -0.1
            batch(EGE_PROFILE[0], np.flatnonzero(profile), EGE_PROFILE[1], EGE_PROFILE[2])
            batch(EGE_BASE, np.flatnonzero(~profile), reference.max_primary("ЕГЭ", year, EGE_BASE))
    return out
