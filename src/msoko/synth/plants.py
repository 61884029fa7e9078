"""Заложенные случаи: школы с признаками необъективности, ШНОР и ШНСУ — и «правильные ответы» к ним.

Planted cases and their ground truth. `non_objective` schools get, for chosen subject × grade pairs in
every year, marked-up ВПР checking (see `vpr.py`); `low_results` schools are persistently weak in a hard
context (low effect, high adversity); `adverse_social` schools have a very adverse context and results
that follow only from it. The sets are disjoint and never include lyceums/gymnasiums, small schools or
correctional schools. The choice is recorded in `ground_truth.json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from msoko.synth.schools import Schools
from msoko.synth.tasks import GRADES, SUBJECTS


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


def plant(
    rng: np.random.Generator, schools: Schools, non_objective: int, low_results: int, adverse_social: int
) -> Plants:
    """Choose the planted schools and adjust the latent traits of the ШНОР/ШНСУ ones in place."""
    ordinary = np.flatnonzero(
        (schools.advanced == 0)
        & (schools.small == 0)
        & (schools.correctional == 0)
        & (schools.top_grade >= 9)
    )
    big = ordinary[schools.students[ordinary] >= 250]
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
    for s in chosen_low:
        schools.effect[s] = -0.4 - abs(rng.normal(0, 0.08))
        schools.adversity[s] = max(schools.adversity[s], rng.uniform(0.55, 0.65))
    for s in chosen_adv:
        schools.adversity[s] = rng.uniform(0.75, 0.9)
        schools.effect[s] = max(schools.effect[s], 0.0) + 0.25
    p.low_results = sorted(int(x) for x in chosen_low)
    p.adverse_social = sorted(int(x) for x in chosen_adv)
    return p


def ground_truth(plants: Plants, schools: Schools, years) -> dict:
    def org(s):
        return {"org_id": schools.org_id[s], "name": schools.name[s]}

    return {
        "non_objective": [
            {
                **org(s),
                "plants": [{"year": y, "subject": subj, "grade": g} for y in years for subj, g in pairs],
            }
            for s, pairs in plants.non_objective.items()
        ],
        "low_results": [org(s) for s in plants.low_results],
        "adverse_social": [org(s) for s in plants.adverse_social],
        "honest_advanced": [org(s) for s in np.flatnonzero(schools.advanced == 1)],
    }
