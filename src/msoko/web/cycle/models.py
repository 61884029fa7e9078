"""The management cycle of one system (and track) for one region, municipality or organisation (its ВСОКО).

Nine stages: goals → indicators → data-collection methods → monitoring → analysis → targeted
recommendations → measures (the roadmap) → management decisions → the analysis of the measures'
effectiveness. Each stage's records hang on the `Cycle`; every model declares `SCOPE_LOOKUPS` for the
scope gate (msoko.web.access). Recommendations are reached by the organisation they are addressed to and
measures by the organisations they target, so a school sees exactly what concerns it.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

STAGES: list[tuple[str, str]] = [
    ("goals", "Цели"),
    ("indicators", "Показатели"),
    ("collection", "Методы сбора информации"),
    ("monitoring", "Мониторинг"),
    ("analysis", "Анализ"),
    ("recommendations", "Адресные рекомендации"),
    ("measures", "Меры (дорожная карта)"),
    ("decisions", "Управленческие решения"),
    ("effectiveness", "Анализ эффективности принятых мер"),
]
STAGE_NAMES = dict(STAGES)


class Level(models.TextChoices):
    REGION = "region", "регион"
    MUNICIPALITY = "municipality", "муниципалитет"
    ORGANISATION = "organisation", "организация (ВСОКО)"


class Cycle(models.Model):
    level = models.CharField("уровень", max_length=16, choices=Level.choices)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="cycles", verbose_name="регион")
    municipality = models.ForeignKey("registry.Municipality", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="cycles", verbose_name="муниципалитет")
    organisation = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="cycles", verbose_name="организация")
    system = models.CharField("система", max_length=8)
    track = models.CharField("трек", max_length=64, blank=True, help_text="пусто — вся система")
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)

    # An organisation's own cycle also carries its municipality: the coordinator keeps it.
    SCOPE_LOOKUPS = {"region": "region", "municipality": "municipality", "organisation": "organisation"}

    class Meta:
        verbose_name = "управленческий цикл"
        verbose_name_plural = "управленческие циклы"
        ordering = ["system", "track", "pk"]

    def __str__(self) -> str:
        return f"{self.system}{' / ' + self.track if self.track else ''} — {self.entity}"

    @property
    def entity(self):
        return self.organisation or self.municipality or self.region

    @property
    def entity_code(self) -> str:
        return self.entity.code


class CycleItem(models.Model):
    """A record of one stage of a cycle."""

    SCOPE_LOOKUPS = {"region": "cycle__region", "municipality": "cycle__municipality",
                     "organisation": "cycle__organisation"}

    class Meta:
        abstract = True


class Goal(CycleItem):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField("цель")
    justification = models.TextField("обоснование цели")
    realism = models.TextField("реалистичность цели")

    class Meta:
        verbose_name = "цель"
        verbose_name_plural = "цели"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:80]


class CycleIndicator(CycleItem):
    """An indicator of the catalog chosen for the cycle, with its target for one year (indicator scale)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.CharField("показатель", max_length=64)
    year = models.PositiveSmallIntegerField("год")
    target = models.FloatField("целевое значение")

    class Meta:
        verbose_name = "показатель цикла"
        verbose_name_plural = "показатели цикла"
        ordering = ["indicator", "year"]
        constraints = [models.UniqueConstraint(fields=["cycle", "indicator", "year"], name="cycle_indicator_year")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}"


class CollectionMethod(CycleItem):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="collection_methods")
    dataset = models.CharField("набор данных", max_length=64)
    method = models.TextField("метод сбора и обработки")
    periodicity = models.CharField("периодичность", max_length=200)
    responsible = models.CharField("ответственный", max_length=300)

    class Meta:
        verbose_name = "метод сбора информации"
        verbose_name_plural = "методы сбора информации"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.dataset


class MonitoringEvent(CycleItem):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="monitoring")
    what = models.CharField("что отслеживается", max_length=500)
    when = models.DateField("когда")
    who = models.CharField("кто проводит", max_length=300)

    class Meta:
        verbose_name = "мероприятие мониторинга"
        verbose_name_plural = "график мониторинга"
        ordering = ["when", "pk"]

    def __str__(self) -> str:
        return self.what


class Analysis(CycleItem):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="analyses")
    year = models.PositiveSmallIntegerField("учебный год результатов")
    conclusions = models.TextField("выводы анализа")
    indicators = models.JSONField("показатели, на которых основан анализ", default=list, blank=True)
    report = models.CharField("аналитическая справка (название, номер)", max_length=500, blank=True)
    date = models.DateField("дата", default=date.today)

    class Meta:
        verbose_name = "анализ"
        verbose_name_plural = "анализ результатов"
        ordering = ["-year", "pk"]

    def __str__(self) -> str:
        return f"Анализ {self.year}"


class RecommendationStatus(models.TextChoices):
    DRAFT = "draft", "черновик"
    ISSUED = "issued", "направлена"
    ACKNOWLEDGED = "acknowledged", "принята школой к исполнению"
    REPORTED = "reported", "школа отчиталась"
    RETURNED = "returned", "отчёт возвращён на доработку"
    DONE = "done", "выполнена"


def report_path(instance, filename: str) -> str:
    """A school's report file, by a random name under the workspace's uploads (as the cycle's documents)."""
    return f"cycle/reports/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Recommendation(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="recommendations")
    organisation = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="recommendations",
                                     verbose_name="организация")
    text = models.TextField("текст рекомендации")
    status = models.CharField("состояние", max_length=16, choices=RecommendationStatus.choices,
                              default=RecommendationStatus.DRAFT)
    rule = models.CharField("правило составления", max_length=32, blank=True)
    year = models.PositiveSmallIntegerField("год данных", null=True, blank=True)
    created_at = models.DateTimeField("создана", auto_now_add=True)
    issued_at = models.DateTimeField("направлена", null=True, blank=True)
    # both ways: who sent it and by when, the school's acknowledgement and report, the closing mark
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name="направил")
    deadline = models.DateField("срок исполнения", null=True, blank=True)
    acknowledged_at = models.DateTimeField("принята к исполнению", null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name="принял")
    report = models.TextField("отчёт школы о принятых мерах", blank=True)
    report_file = models.FileField("файл отчёта", upload_to=report_path, blank=True, max_length=300)
    report_name = models.CharField("имя файла отчёта", max_length=255, blank=True)
    reported_at = models.DateTimeField("отчёт представлен", null=True, blank=True)
    closing_note = models.TextField("отметка координатора", blank=True)
    closed_at = models.DateTimeField("закрыта", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name="закрыл")

    # Reached by the organisation it is addressed to: the school itself, its municipality, its region.
    SCOPE_LOOKUPS = {"region": "cycle__region", "municipality": "organisation__municipality",
                     "organisation": "organisation"}

    class Meta:
        verbose_name = "адресная рекомендация"
        verbose_name_plural = "адресные рекомендации"
        ordering = ["organisation__name", "pk"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.text[:60]}"

    def issue(self, by=None, deadline=None) -> bool:
        """Send a draft to its organisation (status, time, sender, deadline); False when it was not a draft."""
        if self.status != RecommendationStatus.DRAFT:
            return False
        self.status, self.issued_at, self.issued_by = RecommendationStatus.ISSUED, timezone.now(), by
        if deadline is not None:
            self.deadline = deadline
        self.save(update_fields=["status", "issued_at", "issued_by", "deadline"])
        return True

    def acknowledge(self, by) -> bool:
        """The school takes it on; False unless it was issued to it."""
        if self.status != RecommendationStatus.ISSUED:
            return False
        self.status, self.acknowledged_at, self.acknowledged_by = RecommendationStatus.ACKNOWLEDGED, timezone.now(), by
        self.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
        return True

    def submit_report(self, text: str) -> bool:
        """The school reports what it did (a file, when given, is stored by the view); False when not its turn."""
        if self.status not in (RecommendationStatus.ISSUED, RecommendationStatus.ACKNOWLEDGED,
                               RecommendationStatus.RETURNED):
            return False
        if self.acknowledged_at is None:
            self.acknowledged_at = timezone.now()
        self.status, self.report, self.reported_at = RecommendationStatus.REPORTED, text, timezone.now()
        self.save(update_fields=["status", "report", "reported_at", "acknowledged_at", "report_file", "report_name"])
        return True

    def close(self, by, note: str, accepted: bool = True) -> bool:
        """The coordinator's mark on the report: done, or returned for more work; False before a report."""
        if self.status != RecommendationStatus.REPORTED:
            return False
        self.closing_note, self.closed_by = note, by
        if accepted:
            self.status, self.closed_at = RecommendationStatus.DONE, timezone.now()
        else:
            self.status = RecommendationStatus.RETURNED
        self.save(update_fields=["status", "closing_note", "closed_by", "closed_at"])
        return True

    def overdue(self, today) -> bool:
        """Past its deadline without a report (or with a returned one)."""
        return (self.deadline is not None and self.deadline < today and self.status in
                (RecommendationStatus.ISSUED, RecommendationStatus.ACKNOWLEDGED, RecommendationStatus.RETURNED))


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", "запланировано"
    IN_PROGRESS = "in_progress", "выполняется"
    DONE = "done", "выполнено"
    CANCELLED = "cancelled", "отменено"


OPEN_STATUSES = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


class Measure(models.Model):
    """One event of the roadmap."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="measures")
    title = models.CharField("мероприятие", max_length=500)
    start = models.DateField("начало", null=True, blank=True)
    deadline = models.DateField("срок")
    responsible = models.CharField("ответственный", max_length=300)
    participants = models.TextField("участники", blank=True)
    organisations = models.ManyToManyField("registry.Organisation", blank=True, related_name="measures",
                                           verbose_name="организации, на которые направлено")
    indicators = models.JSONField("показатели, которые мероприятие должно улучшить", default=list, blank=True)
    status = models.CharField("состояние", max_length=16, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    evidence = models.TextField("подтверждение выполнения", blank=True)
    before_year = models.PositiveSmallIntegerField("год «до» (для оценки эффекта)", null=True, blank=True)
    after_year = models.PositiveSmallIntegerField("год «после» (для оценки эффекта)", null=True, blank=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)

    # A school sees the measures aimed at it; a coordinator those of its municipality's cycles.
    SCOPE_LOOKUPS = {"region": "cycle__region", "municipality": "cycle__municipality", "organisation": "organisations"}

    class Meta:
        verbose_name = "мероприятие"
        verbose_name_plural = "мероприятия (дорожная карта)"
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, today: date | None = None) -> bool:
        return self.is_open and self.deadline < (today or date.today())

    def period(self) -> tuple[int | None, int | None]:
        """Years of results compared: «before» is the last spring before the start, «after» the first
        spring after the deadline (a school year is named by its spring, as in formats.md)."""
        after = self.after_year
        if after is None and self.deadline:
            after = self.deadline.year if self.deadline.month <= 6 else self.deadline.year + 1
        before = self.before_year
        if before is None and self.start:
            before = self.start.year if self.start.month >= 7 else self.start.year - 1
        if before is None and after is not None:
            before = after - 1
        return before, after


class Decision(CycleItem):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="decisions")
    number = models.CharField("номер приказа (распоряжения)", max_length=64)
    date = models.DateField("дата")
    content = models.TextField("содержание решения")
    responsible = models.CharField("ответственный", max_length=300)
    deadline = models.DateField("срок исполнения", null=True, blank=True)
    participants = models.TextField("участники", blank=True)

    class Meta:
        verbose_name = "управленческое решение"
        verbose_name_plural = "управленческие решения"
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return f"№ {self.number} от {self.date:%d.%m.%Y}"


class EffectivenessReview(CycleItem):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reviews")
    date = models.DateField("дата", default=date.today)
    conclusions = models.TextField("выводы об эффективности принятых мер")

    class Meta:
        verbose_name = "анализ эффективности"
        verbose_name_plural = "анализ эффективности принятых мер"
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return f"Анализ эффективности от {self.date:%d.%m.%Y}"


class DocumentKind(models.TextChoices):
    CONCEPTUAL = "conceptual", "концептуальный"
    PROCEDURAL = "procedural", "процессуальный"
    MANAGEMENT = "management", "управленческий"


def document_path(instance, filename: str) -> str:
    """Stored under the workspace's uploads folder (outside any web root) by a random name; the user's file
    name is kept in `original_name` and given back only through the scoped download view."""
    return f"cycle/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Document(CycleItem):
    """A document of the cycle (seed 003), attached to a stage, with the attributes the evaluation checks."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="documents")
    stage = models.CharField("этап", max_length=32, choices=STAGES)
    kind = models.CharField("вид документа", max_length=16, choices=DocumentKind.choices)
    title = models.CharField("название", max_length=500)
    number = models.CharField("номер", max_length=64, blank=True)
    date = models.DateField("дата", null=True, blank=True)
    decisions = models.TextField("принимаемые решения (в т. ч. о поощрении)", blank=True)
    deadlines = models.TextField("сроки реализации", blank=True)
    responsible = models.TextField("ответственные", blank=True)
    participants = models.TextField("участники", blank=True)
    file = models.FileField("файл", upload_to=document_path, blank=True, max_length=300)
    original_name = models.CharField("имя файла", max_length=255, blank=True)
    size = models.PositiveIntegerField("размер, байт", default=0)
    markers = models.JSONField("найдено в тексте файла", default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    verbose_name="загрузил")
    uploaded_at = models.DateTimeField("загружен", auto_now_add=True)

    class Meta:
        verbose_name = "документ цикла"
        verbose_name_plural = "документы цикла"
        ordering = ["stage", "pk"]

    def __str__(self) -> str:
        return self.title
