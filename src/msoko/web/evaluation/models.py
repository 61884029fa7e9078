"""A campaign of the МУМ evaluation and what hangs on it.

Campaign (one year, the rubric text frozen at opening) → Dossier (one municipality: its primary data form,
frozen at submission) → Assignment (an expert, a numbered round) → ExpertPosition (the raw parameter scores of
one position and the expert's comment). Reconciliation writes an Outcome per dossier × round × position
(agreed / disputed); the chair's Decision answers a disputed Outcome. Nothing is ever overwritten: a submitted
assignment is read-only, a decision is one row per outcome, an appeal opens the next round with new outcomes.
Totals, percentages and levels are never stored: msoko.engine.evaluation derives them from the raw scores.

Scope: region roles see the region's campaign; a coordinator its own municipality's dossier; an expert
(EXPERT_LOOKUP, the assignment hook of msoko.web.access) only the dossiers assigned to them.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from msoko.engine.evaluation.rubric import Rubric, parse_rubric


class Campaign(models.Model):
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="evaluation_campaigns",
                               verbose_name="регион")
    year = models.PositiveSmallIntegerField("год")
    rubric_version = models.CharField("версия рубрики", max_length=64)
    rubric_digest = models.CharField("отпечаток рубрики", max_length=12)
    rubric_text = models.TextField("рубрика (копия на момент открытия)")
    deadline = models.DateField("срок представления форм муниципалитетами")
    tolerance = models.PositiveSmallIntegerField("допуск расхождения экспертов, баллов", default=0)
    appeal_days = models.PositiveSmallIntegerField("срок подачи апелляции, дней", default=10)
    published_at = models.DateTimeField("итоги опубликованы", null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name="открыл")
    created_at = models.DateTimeField("открыта", auto_now_add=True)

    SCOPE_LOOKUPS = {"region": "region", "municipality": "dossiers__municipality", "organisation": None}
    EXPERT_LOOKUP = "dossiers__assignments__expert"

    class Meta:
        verbose_name = "кампания оценки МУМ"
        verbose_name_plural = "кампании оценки МУМ"
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return f"Оценка МУМ {self.year}"

    @property
    def rubric(self) -> Rubric:
        cached = self.__dict__.get("_rubric")
        if cached is None:
            cached = self.__dict__["_rubric"] = parse_rubric(self.rubric_text, f"рубрика {self.rubric_version}")
        return cached

    def appeal_until(self) -> date | None:
        return (timezone.localdate(self.published_at) + timedelta(days=self.appeal_days)) if self.published_at else None


class DossierState(models.TextChoices):
    DRAFT = "draft", "заполняется"
    SUBMITTED = "submitted", "представлена"


class Dossier(models.Model):
    """One municipality in a campaign: its primary data form (statements per position + evidence)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="dossiers")
    municipality = models.ForeignKey("registry.Municipality", on_delete=models.PROTECT,
                                     related_name="evaluation_dossiers", verbose_name="муниципалитет")
    state = models.CharField("состояние формы", max_length=16, choices=DossierState.choices,
                             default=DossierState.DRAFT)
    statements = models.JSONField("пояснения муниципалитета по позициям", default=dict, blank=True)
    evidence = models.JSONField("первичные данные (фиксируются при представлении)", default=dict, blank=True)
    submitted_at = models.DateTimeField("представлена", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name="представил")

    SCOPE_LOOKUPS = {"region": "campaign__region", "municipality": "municipality", "organisation": None}
    EXPERT_LOOKUP = "assignments__expert"

    class Meta:
        verbose_name = "форма первичных данных"
        verbose_name_plural = "формы первичных данных"
        ordering = ["municipality__name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "municipality"], name="dossier_once")]

    def __str__(self) -> str:
        return f"{self.municipality} — {self.campaign}"

    @property
    def submitted(self) -> bool:
        return self.state == DossierState.SUBMITTED

    @property
    def current_round(self) -> int:
        return 1 + self.appeals.count()


class ExpertAffiliation(models.Model):
    """Where a regional expert works: they are never assigned to that municipality (conflict of interest)."""

    expert = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliation")
    municipality = models.ForeignKey("registry.Municipality", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="муниципалитет места работы")
    organisation = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="организация места работы")

    SCOPE_LOOKUPS = {"region": "expert__region", "municipality": None, "organisation": None}

    class Meta:
        verbose_name = "место работы эксперта"
        verbose_name_plural = "места работы экспертов"

    def __str__(self) -> str:
        return f"{self.expert}: {self.organisation or self.municipality or '—'}"

    @property
    def home_municipality_id(self) -> int | None:
        return self.organisation.municipality_id if self.organisation_id else self.municipality_id


class Assignment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluation_assignments",
                               verbose_name="эксперт")
    assigned_at = models.DateTimeField("назначен", auto_now_add=True)
    submitted_at = models.DateTimeField("оценка представлена", null=True, blank=True)
    via_sheet = models.BooleanField("из файла Excel", default=False)

    SCOPE_LOOKUPS = {"region": "dossier__campaign__region", "municipality": None, "organisation": None}
    EXPERT_LOOKUP = "expert"

    class Meta:
        verbose_name = "назначение эксперта"
        verbose_name_plural = "назначения экспертов"
        ordering = ["dossier__municipality__name", "expert__username"]
        constraints = [models.UniqueConstraint(fields=["dossier", "expert"], name="assignment_once")]

    def __str__(self) -> str:
        return f"{self.expert} → {self.dossier.municipality}"

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class ExpertPosition(models.Model):
    """One expert's raw parameter scores of one position, and the comment. Read-only once submitted."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="positions")
    position = models.CharField("позиция", max_length=32)
    parameters = models.JSONField("баллы параметров", default=dict)
    comment = models.TextField("комментарий эксперта", blank=True)

    SCOPE_LOOKUPS = {"region": "assignment__dossier__campaign__region", "municipality": None, "organisation": None}
    EXPERT_LOOKUP = "assignment__expert"

    class Meta:
        verbose_name = "оценка позиции экспертом"
        verbose_name_plural = "оценки позиций экспертами"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["assignment", "position"], name="expert_position_once")]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.position}"


class OutcomeStatus(models.TextChoices):
    AGREED = "agreed", "согласовано"
    DISPUTED = "disputed", "расхождение"


class Outcome(models.Model):
    """The reconciliation of one position of one dossier in one round (1 = the first review, 2… = appeals)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="outcomes")
    round = models.PositiveSmallIntegerField("раунд", default=1)
    position = models.CharField("позиция", max_length=32)
    status = models.CharField("результат сверки", max_length=16, choices=OutcomeStatus.choices)
    agreed_score = models.FloatField("согласованный балл", null=True, blank=True)
    spread = models.PositiveSmallIntegerField("наибольшее расхождение по параметру", default=0)
    tolerance = models.PositiveSmallIntegerField("допуск", default=0)
    reconciled_at = models.DateTimeField("сверено", default=timezone.now)

    SCOPE_LOOKUPS = {"region": "dossier__campaign__region", "municipality": "dossier__municipality",
                     "organisation": None}
    EXPERT_LOOKUP = "dossier__assignments__expert"

    class Meta:
        verbose_name = "результат сверки позиции"
        verbose_name_plural = "результаты сверки позиций"
        ordering = ["dossier", "round", "pk"]
        constraints = [models.UniqueConstraint(fields=["dossier", "round", "position"], name="outcome_once")]

    def __str__(self) -> str:
        return f"{self.dossier.municipality} {self.position} (раунд {self.round}): {self.get_status_display()}"

    @property
    def final_score(self) -> float | None:
        if self.status == OutcomeStatus.AGREED:
            return self.agreed_score
        decision = getattr(self, "decision", None)
        return decision.score if decision else None

    @property
    def export_status(self) -> str:
        if self.status == OutcomeStatus.AGREED:
            return "agreed"
        return "decided" if getattr(self, "decision", None) else "disputed"


class Decision(models.Model):
    """The chair's decision on a disputed outcome, with the written reason. One per outcome, never edited."""

    outcome = models.OneToOneField(Outcome, on_delete=models.PROTECT, related_name="decision")
    score = models.FloatField("балл позиции по решению председателя")
    reason = models.TextField("обоснование решения")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              null=True, blank=True, verbose_name="председатель")
    decided_at = models.DateTimeField("решено", default=timezone.now)

    SCOPE_LOOKUPS = {"region": "outcome__dossier__campaign__region", "municipality": "outcome__dossier__municipality",
                     "organisation": None}

    class Meta:
        verbose_name = "решение председателя"
        verbose_name_plural = "решения председателя"

    def __str__(self) -> str:
        return f"решение {self.score:g}: {self.reason[:60]}"


class Appeal(models.Model):
    """A municipality's appeal against its conclusion: opens round `round` for the listed positions."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="appeals")
    round = models.PositiveSmallIntegerField("раунд пересмотра")
    positions = models.JSONField("обжалуемые позиции", default=list)
    text = models.TextField("доводы апелляции")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name="подал")
    filed_at = models.DateTimeField("подана", default=timezone.now)

    SCOPE_LOOKUPS = {"region": "dossier__campaign__region", "municipality": "dossier__municipality",
                     "organisation": None}

    class Meta:
        verbose_name = "апелляция"
        verbose_name_plural = "апелляции"
        ordering = ["dossier", "round"]
        constraints = [models.UniqueConstraint(fields=["dossier", "round"], name="appeal_round_once")]

    def __str__(self) -> str:
        return f"апелляция {self.dossier.municipality}, раунд {self.round}"
