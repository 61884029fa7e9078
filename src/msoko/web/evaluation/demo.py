"""The demo's two МУМ campaigns (issue 16 item 7): last year's finished (two experts per municipality, a few
disputes decided by the chair, one appeal decided in round 2) and this year's open one with one expert's
scores still missing for one municipality. Deterministic for a seed; run again, it changes nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from msoko.engine.evaluation.rubric import Rubric, load_rubric
from msoko.web.accounts.models import User
from msoko.web.accounts.roles import Role
from msoko.web.evaluation import services
from msoko.web.evaluation.models import Campaign, Dossier, Outcome, OutcomeStatus
from msoko.web.registry.models import Region

STATEMENT = "Меры приняты приказом управления образования; план мероприятий с ответственными и сроками утверждён."
COMMENT = "Меры описаны неполно: нет сроков или связи с региональным комплексом мер."


def _scores(rubric: Rubric, quality: float, rng: random.Random) -> dict[str, tuple[dict[str, int], str]]:
    out = {}
    for p in rubric.positions:
        params = {}
        for q in p.parameters:
            if q.min < 0:
                params[q.code] = q.min if rng.random() < (1 - quality) * 0.3 else 0
            else:
                params[q.code] = sum(1 for _ in range(q.max) if rng.random() < quality)
        out[p.code] = (params, COMMENT if services.comment_required(p, params) else "")
    return out


def _disagree(scores: dict, rubric: Rubric, rng: random.Random, n: int) -> dict:
    """The second expert: the first's scores with `n` parameters moved by one step within their range."""
    other = {k: (dict(v[0]), v[1]) for k, v in scores.items()}
    for code in rng.sample(sorted(other), n):
        position = rubric.position(code)
        q = rng.choice(position.parameters)
        value = other[code][0][q.code]
        other[code][0][q.code] = value + 1 if value < q.max else value - 1
        other[code] = (other[code][0], COMMENT if services.comment_required(position, other[code][0]) else "")
    return other


def _run(campaign: Campaign, experts: list[User], rng: random.Random, *, missing: Dossier | None = None,
         disputes: int = 1) -> None:
    rubric = campaign.rubric
    for dossier in campaign.dossiers.select_related("municipality").order_by("municipality__code"):
        services.save_statements(dossier, {p.code: STATEMENT for p in rubric.positions[:5]})
        services.submit_dossier(dossier, None)
        for expert in experts:
            services.assign(Dossier.objects.get(pk=dossier.pk), expert)
        quality = 0.35 + 0.6 * rng.random()
        first = _scores(rubric, quality, rng)
        second = _disagree(first, rubric, rng, disputes if rng.random() < 0.5 else 0)
        for expert, scores in zip(experts, (first, second), strict=True):
            if dossier == missing and expert == experts[1]:
                services.record_scores(dossier.assignments.get(expert=expert), dict(list(scores.items())[:10]),
                                       submit=False)
                continue
            services.record_scores(dossier.assignments.get(expert=expert), scores, submit=True)
    services.reconcile(campaign)


def _decide_all(campaign: Campaign, chair: User | None, rng: random.Random) -> None:
    for outcome in services.open_disputes(campaign):
        position = campaign.rubric.position(outcome.position)
        services.decide(outcome, rng.randint(position.max_score // 2, position.max_score),
                        "Рассмотрены документы муниципалитета: балл установлен по подтверждённым мерам.", chair)


@transaction.atomic
def ensure_demo_evaluation(seed: int = 1, today: date | None = None) -> list[Campaign]:
    region = Region.objects.order_by("code").first()
    experts = list(User.objects.filter(role=Role.REGIONAL_EXPERT, region=region).order_by("username")[:2])
    if region is None or len(experts) < 2 or Campaign.objects.filter(region=region).exists():
        return list(Campaign.objects.filter(region=region))
    today = today or timezone.localdate()
    chair = User.objects.filter(role=Role.REGION_ADMIN, region=region).order_by("username").first()
    rng = random.Random(seed)
    rubric = load_rubric()
    last = services.open_campaign(region, today.year - 1, rubric, date(today.year - 1, 9, 15), user=chair,
                                  appeal_days=3650)
    _run(last, experts, rng, disputes=2)
    _decide_all(last, chair, rng)
    services.publish(last)
    appealed = last.dossiers.order_by("municipality__code").first()
    decided = Outcome.objects.filter(dossier=appealed, status=OutcomeStatus.DISPUTED).first() or \
        Outcome.objects.filter(dossier=appealed).order_by("agreed_score", "pk").first()
    services.file_appeal(appealed, [decided.position], "Муниципалитет представил приказ с планом мероприятий и "
                         "сроками, не учтённый экспертами.", None, today=today)
    _decide_all(last, chair, rng)
    # published 300 days ago; the appeal window is kept open for a month more, so the demo shows an appeal
    Campaign.objects.filter(pk=last.pk).update(published_at=timezone.now() - timedelta(days=300), appeal_days=330)
    current = services.open_campaign(region, today.year, rubric, date(today.year, 9, 15), user=chair)
    _run(current, experts, rng, missing=current.dossiers.order_by("municipality__code").first(), disputes=1)
    return [last, current]
