"""Заложенные случаи: школы с признаками необъективности, ШНОР и ШНСУ — и «правильные ответы» к ним.

Planted cases and their ground truth. `non_objective` schools get, for chosen subject × grade pairs in
every year, marked-up ВПР checking (see `vpr.py`); `adverse_social` schools have a very adverse context and
results that follow only from it. Both are recorded as planted.

`low_results` is not a list of plants but a criterion on the latent model (`LOW_RESULTS_CRITERION`): a
school's *standing* — its school effect relative to the mean effect of ordinary schools of the same
locality, plus its persistent school × subject deviation and its school × subject × year deviations,
averaged over Russian and Maths and over every generated year — at or below `LOW_RESULTS_THRESHOLD`.
Context (adversity) is not part of the standing: results = standing-like school terms − context, so the
standing is how the school does against schools of comparable context over the whole period (seed 004:
«хуже, чем школы в кластере, в течение продолжительного периода»). Every school meeting it is listed,
planted or not. Planting still puts a few schools there in a hard context (standing set clearly under the
threshold, adversity 0.55–0.65) so every region has such cases. Non-objective plants go to schools that
do not meet the criterion, so the sets stay disjoint. The choice is recorded in `ground_truth.json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from msoko.synth.schools import Schools
from msoko.synth.tasks import GRADES, SUBJECTS
from msoko.synth.vpr import school_deviation

LOW_RESULTS_THRESHOLD = -0.4  # ≈ 1.3 SD of ordinary schools' effect (0.3) under their mean: the lowest ~10 %
LOCALITY_REFERENCE = {0: 0.0, 1: 0.1}  # mean effect of ordinary rural / town schools (schools.sample_schools)
STANDING_SUBJECTS = ("Русский язык", "Математика")  # the subjects of ВПР, ОГЭ and ЕГЭ seed 004 looks at
PLANTED_MARGIN = 0.1  # planted low-result schools sit at threshold − margin − |N(0, 0.08)|
LOW_RESULTS_CRITERION = (
    "standing ≤ {threshold}: standing = school effect − mean effect of ordinary schools of the same locality "
    "(rural 0, town 0.1) + the school's persistent school×subject and school×subject×year deviations, averaged "
    "over {subjects} and over every generated year ({years}); context (adversity) excluded, so standing "
    "compares the school with schools of comparable context. Every school with ВПР/ГИА results (not the "
    "correctional one) meeting it is listed, planted or not; `planted` marks the ones placed on purpose in a "
    "hard context, `standing` gives each school's value."
)


@dataclass
class Plants:
    non_objective: dict[int, list[tuple[str, int]]] = field(default_factory=dict)  # school → (subject, grade)
    low_results: list[int] = field(default_factory=list)
    adverse_social: list[int] = field(default_factory=list)

    def mask(self, n_schools: int, subject: str, grade: int) -> np.ndarray | None:
        """Schools whose `subject` × `grade` work is marked up (same pairs every year), or None."""
        if not self.non_objective:
            return None
        m = np.zeros(n_schools, dtype=bool)
        for s, pairs in self.non_objective.items():
            if (subject, grade) in pairs:
                m[s] = True
        return m


def standing(seed: int, schools: Schools, years) -> np.ndarray:
    """The latent standing of every school against schools of comparable context over `years` (see module doc)."""
    years = tuple(years)
    dev = np.mean([school_deviation(seed, schools, y, subj) for y in years for subj in STANDING_SUBJECTS], axis=0)
    reference = np.where(schools.rural == 1, LOCALITY_REFERENCE[0], LOCALITY_REFERENCE[1])
    return schools.effect - reference + dev


def meets_low_results(seed: int, schools: Schools, years) -> np.ndarray:
    """The documented low-result criterion, as a boolean per school."""
    return (standing(seed, schools, years) <= LOW_RESULTS_THRESHOLD) & (schools.correctional == 0)


def plant(
    rng: np.random.Generator,
    schools: Schools,
    non_objective: int,
    low_results: int,
    adverse_social: int,
    *,
    seed: int,
    years,
) -> Plants:
    """Choose the planted schools and adjust the latent traits of the ШНОР/ШНСУ ones in place."""
    ordinary = np.flatnonzero(
        (schools.advanced == 0)
        & (schools.small == 0)
        & (schools.correctional == 0)
        & (schools.top_grade >= 9)
    )
    natural_low = meets_low_results(seed, schools, years)
    big = ordinary[(schools.students[ordinary] >= 250) & ~natural_low[ordinary]]
    chosen_no = rng.choice(big, size=min(non_objective, len(big)), replace=False) if len(big) else []
    rest = np.setdiff1d(ordinary, chosen_no)
    chosen_low = rng.choice(rest, size=min(low_results, len(rest)), replace=False)
    rest = np.setdiff1d(rest, chosen_low)
    chosen_adv = rng.choice(rest, size=min(adverse_social, len(rest)), replace=False)

    p = Plants()
    for s in sorted(int(x) for x in chosen_no):
        pairs = [(subj, 4) for subj in SUBJECTS]
        pairs += [(subj, g) for subj in SUBJECTS for g in GRADES if g > 4 and rng.random() < 0.5]
        p.non_objective[s] = pairs
    if len(chosen_low):
        idx = np.asarray(chosen_low)
        # the effect that puts the school's standing at the target, given its own (hashed) deviations
        gap = standing(seed, schools, years)[idx] - schools.effect[idx]
        for s, g in zip(idx, gap, strict=True):
            target = LOW_RESULTS_THRESHOLD - PLANTED_MARGIN - abs(rng.normal(0, 0.08))
            schools.effect[s] = target - g
            schools.adversity[s] = max(schools.adversity[s], rng.uniform(0.55, 0.65))
    for s in chosen_adv:
        schools.adversity[s] = rng.uniform(0.75, 0.9)
        schools.effect[s] = max(schools.effect[s], 0.0) + 0.25
    p.low_results = sorted(int(x) for x in chosen_low)
    p.adverse_social = sorted(int(x) for x in chosen_adv)
    return p


def ground_truth(plants: Plants, schools: Schools, years, seed: int) -> dict:
    def org(s):
        return {"org_id": schools.org_id[s], "name": schools.name[s]}

    years = tuple(years)
    value = standing(seed, schools, years)
    low = np.flatnonzero(meets_low_results(seed, schools, years))
    planted_low = set(plants.low_results)
    return {
        "criteria": {
            "low_results": LOW_RESULTS_CRITERION.format(
                threshold=LOW_RESULTS_THRESHOLD, subjects=", ".join(STANDING_SUBJECTS),
                years=", ".join(str(y) for y in years)),
            "low_results_threshold": LOW_RESULTS_THRESHOLD,
            "non_objective": "planted: marked-up ВПР checking in the listed subject × grade × year works",
            "adverse_social": "planted: adversity 0.75–0.9 with an ordinary or slightly good school effect",
            "honest_advanced": "every lyceum / gymnasium / in-depth school (none is planted)",
        },
        "non_objective": [
            {
                **org(s),
                "plants": [{"year": y, "subject": subj, "grade": g} for y in years for subj, g in pairs],
            }
            for s, pairs in plants.non_objective.items()
        ],
        "low_results": [
            {**org(s), "planted": int(s) in planted_low, "standing": round(float(value[s]), 4)} for s in low
        ],
        "adverse_social": [org(s) for s in plants.adverse_social],
        "honest_advanced": [org(s) for s in np.flatnonzero(schools.advanced == 1)],
    }
