"""The demo's two campaigns over the personas' region: last year finished (two experts each, disputes decided,
one appeal in round 2), this year open with one expert's scores missing for one municipality."""

from __future__ import annotations

from datetime import date

from msoko.web.evaluation import services
from msoko.web.evaluation.demo import ensure_demo_evaluation
from msoko.web.evaluation.models import Appeal, Campaign, Decision
from tests.evaluation.world import make_expert
from tests.web.personas import build_world


def test_the_demo_campaigns(db):
    world = build_world()
    make_expert(world, "expert2")
    last, current = ensure_demo_evaluation(seed=3, today=date(2026, 11, 1))
    assert (last.year, current.year) == (2025, 2026)
    assert all(d.assignments.count() == 2 for d in last.dossiers.all())
    assert services.open_disputes(last).count() == 0
    assert Decision.objects.filter(outcome__dossier__campaign=last).exists()
    assert [a.round for a in Appeal.objects.filter(dossier__campaign=last)] == [2]
    assert all(r.total.score is not None for r in services.campaign_results(last))
    waiting = services.reconcile(current).waiting
    assert waiting == [current.dossiers.order_by("municipality__code").first().municipality.code]
    assert ensure_demo_evaluation(seed=3, today=date(2026, 11, 1)) and Campaign.objects.count() == 2
