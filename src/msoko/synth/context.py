"""Контекст школы по годам: ПДН/КДН, мигранты, неаттестованные, пропуски, ОВЗ, дефициты, вакансии.

School context by year (`context.csv`): counts of pupils registered with ПДН/КДН, from migrant families or
with low Russian, not attested, with chronic absence, with ОВЗ; 0/1 flags remote, small school,
infrastructure and internet deficit; staff vacancies. All are driven by the school's latent adversity
— the same latent that lowers its results — so the context explains results, as the seeds assume.
"""

from __future__ import annotations

import numpy as np

from msoko.synth.schools import Schools

CONTEXT_COLUMNS = (
    "year",
    "org_id",
    "students",
    "pdn_kdn",
    "migrant_or_low_russian",
    "not_attested",
    "chronic_absence",
    "ovz",
    "remote",
    "small_school",
    "infra_deficit",
    "internet_deficit",
    "staff_vacancies",
)


def context_arrays(schools: Schools, year: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One row per school for `year`, as column arrays (org_id excluded)."""
    n = len(schools)
    adv = np.clip(schools.adversity + rng.normal(0, 0.03, n), 0, 1)
    students = np.maximum(5, np.round(schools.students * (1 + rng.normal(0, 0.03, n)))).astype(np.int32)
    urban = 1 - schools.rural

    def count(base, slope):
        return rng.binomial(students, np.clip(base + slope * adv, 0, 1)).astype(np.int32)

    ovz_share = np.where(schools.correctional == 1, 0.97, 0.03 + 0.06 * adv)
    return {
        "year": np.full(n, year, dtype=np.int16),
        "students": students,
        "pdn_kdn": count(0.001, 0.025),
        "migrant_or_low_russian": rng.binomial(
            students, np.clip(0.004 + (0.05 + 0.1 * urban) * adv, 0, 1)
        ).astype(np.int32),
        "not_attested": count(0.001, 0.03),
        "chronic_absence": count(0.004, 0.07),
        "ovz": rng.binomial(students, ovz_share).astype(np.int32),
        "remote": schools.remote.astype(np.int8),
        "small_school": schools.small.astype(np.int8),
        "infra_deficit": (rng.random(n) < 0.04 + 0.45 * adv + 0.1 * schools.rural).astype(np.int8),
        "internet_deficit": (rng.random(n) < 0.02 + 0.35 * schools.remote + 0.2 * adv).astype(np.int8),
        "staff_vacancies": rng.poisson(0.2 + 3.5 * adv + 0.01 * schools.teachers).astype(np.int32),
    }
