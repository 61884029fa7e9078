"""What the evaluation asks of a user, for the home page's «что нужно сделать» (the lead wires it into
msoko.web.home.tasks): positions to score, disputes to decide, a primary form to submit, a conclusion ready.
Each item: {"title", "url", "due", "count"}."""

from __future__ import annotations

from django.urls import reverse

from msoko.web.access import can, restrict
from msoko.web.accounts.roles import Action, Role
from msoko.web.evaluation import services
from msoko.web.evaluation.models import Campaign, Dossier, DossierState


def home_tasks(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    out: list[dict] = []
    if user.role == Role.REGIONAL_EXPERT and can(user, Action.SCORE):
        for a in services.pending_for_expert(user):
            positions = len(a.dossier.campaign.rubric.positions) - a.positions.count()
            out.append({"title": f"Оценить «{a.dossier.municipality.name}» ({a.dossier.campaign})",
                        "url": reverse("evaluation-score", args=[a.pk]), "due": None, "count": positions})
    if can(user, Action.CHAIR_EVALUATION):
        for campaign in restrict(Campaign.objects.all(), user):
            n = services.open_disputes(campaign).count()
            if n:
                out.append({"title": f"Решить расхождения экспертов ({campaign})",
                            "url": reverse("evaluation-disputes", args=[campaign.pk]), "due": None, "count": n})
    if user.role == Role.MUNICIPAL_COORDINATOR:
        for d in restrict(Dossier.objects.select_related("campaign", "municipality"), user):
            if d.state == DossierState.DRAFT:
                out.append({"title": f"Представить форму первичных данных ({d.campaign})",
                            "url": reverse("evaluation-dossier", args=[d.pk]), "due": d.campaign.deadline,
                            "count": None})
            elif d.campaign.published_at:
                out.append({"title": f"Экспертное заключение готово ({d.campaign})",
                            "url": reverse("evaluation-conclusion", args=[d.pk]), "due": d.campaign.appeal_until(),
                            "count": None, "overdue": False})  # the date is the end of the appeal window
    return out
