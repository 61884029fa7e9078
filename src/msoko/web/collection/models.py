"""Collection campaigns and what each respondent submits.

`FormVersion` is a published form definition (frozen: its digest is checked against the catalog file, a
changed file is refused until it becomes a new version). A `Campaign` is a form version × year × the
respondents it targets, frozen when it opens (one `Respondent` row each, with its municipality). A
respondent moves through `State`; every transition writes a `Revision` (state, the values as they were,
what changed since the last approval, who and when) and the model is in the audit log.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone


class FormVersion(models.Model):
    code = models.CharField("код формы", max_length=64)
    version = models.PositiveIntegerField("версия")
    dataset = models.CharField("набор данных", max_length=64)
    title = models.CharField("название", max_length=500)
    level = models.CharField("уровень респондента", max_length=16)
    definition = models.JSONField("определение")
    digest = models.CharField("отпечаток", max_length=32)
    published_at = models.DateTimeField("опубликована", auto_now_add=True)

    # a published definition is catalog-wide; it is reached through the campaigns a user may see
    SCOPE_LOOKUPS = {"region": "campaigns__region", "municipality": "campaigns__municipalities",
                     "organisation": "campaigns__respondents__organisation"}

    class Meta:
        verbose_name = "версия формы"
        verbose_name_plural = "версии форм"
        ordering = ["code", "version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="form_code_version")]

    def __str__(self) -> str:
        return f"{self.title} (в. {self.version})"

    def form(self):
        """The definition as the engine's model (parsed once per version: a published one never changes)."""
        found = _FORMS.get((self.pk, self.digest))
        return found if found is not None else _form_of(self.pk, self.digest, self.definition)


def _form_of(pk, digest: str, definition: dict):
    from msoko.engine.forms.model import Form

    key = (pk, digest)
    found = _FORMS.get(key)
    if found is None:
        found = Form.model_validate(definition)
        if pk is not None:
            _FORMS[key] = found
    return found


_FORMS: dict = {}


class Campaign(models.Model):
    form = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="campaigns",
                             verbose_name="форма")
    year = models.PositiveSmallIntegerField("год данных")
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="campaigns",
                               verbose_name="регион")
    municipalities = models.ManyToManyField("registry.Municipality", related_name="campaigns",
                                            verbose_name="муниципалитеты")
    kinds = models.JSONField("виды организаций", default=list, blank=True)
    opens_on = models.DateField("открыта с", default=date.today)
    deadline = models.DateField("срок")
    closes_on = models.DateField("закрывается", null=True, blank=True)
    locked = models.BooleanField("ввод закрыт после срока", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="открыл")
    created_at = models.DateTimeField("открыта", auto_now_add=True)

    SCOPE_LOOKUPS = {"region": "region", "municipality": "municipalities",
                     "organisation": "respondents__organisation"}

    class Meta:
        verbose_name = "кампания сбора"
        verbose_name_plural = "кампании сбора"
        ordering = ["-year", "form__code", "pk"]

    def __str__(self) -> str:
        return f"{self.form.title}, {self.year}"


class State(models.TextChoices):
    NOT_STARTED = "not_started", "не начата"
    DRAFT = "draft", "черновик"
    SUBMITTED = "submitted", "отправлена"
    RETURNED = "returned", "возвращена на доработку"
    APPROVED = "approved", "согласована муниципалитетом"
    ACCEPTED = "accepted", "принята регионом"


class Respondent(models.Model):
    """One organisation's (or municipality's) submission in one campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="respondents")
    organisation = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="form_submissions", verbose_name="организация")
    municipality = models.ForeignKey("registry.Municipality", on_delete=models.PROTECT,
                                     related_name="form_submissions", verbose_name="муниципалитет")
    form = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="submissions",
                             verbose_name="версия формы")
    state = models.CharField("состояние", max_length=16, choices=State.choices, default=State.NOT_STARTED)
    values = models.JSONField("значения", default=dict, blank=True)
    rosters = models.JSONField("списки", default=dict, blank=True)
    justifications = models.JSONField("обоснования", default=dict, blank=True)
    comments = models.JSONField("замечания по полям", default=dict, blank=True)
    approved_values = models.JSONField("значения при согласовании", null=True, blank=True)
    changed_after_approval = models.JSONField("изменено после согласования", default=dict, blank=True)
    submitted_at = models.DateTimeField("отправлена", null=True, blank=True)
    first_submitted_at = models.DateTimeField("впервые отправлена", null=True, blank=True)
    approved_at = models.DateTimeField("согласована", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name="согласовал")
    accepted_at = models.DateTimeField("принята", null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name="принял")
    returned_at = models.DateTimeField("возвращена", null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name="вернул")
    exception_until = models.DateField("исключение: ввод открыт до", null=True, blank=True)
    exception_reason = models.CharField("причина исключения", max_length=500, blank=True)
    updated_at = models.DateTimeField("изменена", auto_now=True)

    SCOPE_LOOKUPS = {"region": "campaign__region", "municipality": "municipality", "organisation": "organisation"}

    class Meta:
        verbose_name = "ответ на форму"
        verbose_name_plural = "ответы на формы"
        ordering = ["municipality__name", "organisation__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "organisation", "municipality"],
                                               name="respondent_once_per_campaign")]

    def __str__(self) -> str:
        return f"{self.unit_name}: {self.get_state_display()}"

    @property
    def unit_code(self) -> str:
        return self.organisation.code if self.organisation_id else self.municipality.code

    @property
    def unit_name(self) -> str:
        return self.organisation.name if self.organisation_id else self.municipality.name

    @property
    def on_time(self) -> bool | None:
        if self.first_submitted_at is None:
            return None
        return self.first_submitted_at.date() <= self.campaign.deadline


class Revision(models.Model):
    """One transition of a respondent: the values then, and what changed against the last approval."""

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="revisions")
    state = models.CharField("состояние", max_length=16, choices=State.choices)
    values = models.JSONField("значения", default=dict)
    diff = models.JSONField("изменения", default=dict, blank=True)
    note = models.TextField("комментарий", blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name="кто")
    actor_label = models.CharField("кто (подпись)", max_length=150, blank=True)
    at = models.DateTimeField("когда", default=timezone.now)

    SCOPE_LOOKUPS = {"region": "respondent__campaign__region", "municipality": "respondent__municipality",
                     "organisation": "respondent__organisation"}

    class Meta:
        verbose_name = "запись истории ответа"
        verbose_name_plural = "история ответов"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_state_display()} {self.at:%d.%m.%Y %H:%M}"


class Reminder(models.Model):
    """An in-app reminder (and, when email is configured, the letter sent with it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_reminders")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    text = models.CharField("текст", max_length=500)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    read = models.BooleanField("прочитано", default=False)

    SCOPE_LOOKUPS = {"region": "campaign__region", "municipality": "campaign__municipalities",
                     "organisation": "campaign__respondents__organisation"}

    class Meta:
        verbose_name = "напоминание"
        verbose_name_plural = "напоминания"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "campaign", "text"], name="reminder_once")]

    def __str__(self) -> str:
        return self.text
