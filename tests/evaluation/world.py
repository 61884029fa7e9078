"""An evaluation campaign over the personas' small region (tests/web/personas.py), shared by the workflow
tests and the persona matrix (tests/web/scoped_pages_evaluation.py).

Campaign 2025, published (appeal window open). Municipality A: form submitted, the persona «expert» and
«expert2» assigned, both still drafting. Municipality B: form submitted, «expert2» and «expert3» submitted,
reconciled: they disagree on 1.1.1.1 only (a dispute for the chair).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from msoko.engine.evaluation.rubric import Rubric, load_rubric
from msoko.web.accounts.models import User
from msoko.web.accounts.roles import Role
from msoko.web.evaluation import services
from msoko.web.evaluation.models import Assignment, Campaign, Dossier, Outcome
from tests.web.personas import World, password_hash


def full_marks(rubric: Rubric, **overrides: dict[str, int]) -> dict[str, tuple[dict[str, int], str]]:
    """Every parameter at its best (the maximum; 0 for a negative one); `overrides` by position code."""
    out = {}
    for p in rubric.positions:
        params = {q.code: (q.max if q.max > 0 else 0) for q in p.parameters}
        params.update(overrides.get(p.code.replace(".", "_"), {}))
        out[p.code] = (params, "")
    return out


def make_expert(world: World, name: str) -> User:
    user = User(username=name, role=Role.REGIONAL_EXPERT, region=world.region, password=password_hash())
    user.full_clean()
    user.save()
    return user


@dataclass
class EvalWorld:
    world: World
    campaign: Campaign
    dossiers: dict[str, Dossier]
    assignments: dict[str, Assignment]  # "A:expert", "A:expert2", "B:expert2", "B:expert3"
    dispute: Outcome


def build(world: World) -> EvalWorld:
    rubric = load_rubric()
    campaign = services.open_campaign(world.region, 2025, rubric, date(2025, 9, 15), user=world.users["region_admin"])
    dossiers = {k: campaign.dossiers.get(municipality=world.municipalities[k]) for k in ("A", "B")}
    for key, d in dossiers.items():
        services.save_statements(d, {"1.1.1.1": f"Пояснение-секрет-{key}"})
        services.submit_dossier(d, world.users[f"coordinator_{key.lower()}"])
    expert2, expert3 = make_expert(world, "expert2"), make_expert(world, "expert3")
    assignments = {
        "A:expert": services.assign(dossiers["A"], world.users["expert"]),
        "A:expert2": services.assign(dossiers["A"], expert2),
        "B:expert2": services.assign(dossiers["B"], expert2),
        "B:expert3": services.assign(dossiers["B"], expert3),
    }
    services.record_scores(assignments["A:expert2"], {"1.1.1.1": ({"description": 1}, "Черновик-секрет-expert2")},
                           submit=False)
    services.record_scores(assignments["B:expert2"], full_marks(rubric), submit=True)
    services.record_scores(assignments["B:expert3"], full_marks(rubric, **{"1_1_1_1": {"description": 0}}), submit=True)
    services.reconcile(campaign)
    services.publish(campaign)
    dispute = Outcome.objects.get(dossier=dossiers["B"], position="1.1.1.1")
    return EvalWorld(world, campaign, {k: Dossier.objects.get(pk=d.pk) for k, d in dossiers.items()},
                     {k: Assignment.objects.get(pk=a.pk) for k, a in assignments.items()}, dispute)
