"""`/api/v1/forms` — the data-collection campaigns (a form version × a year with its deadline), their form
definitions, the submissions and the completeness inside the caller's scope.

Read only, through the pages' gate (msoko.web.collection.views): a campaign the caller may see through
`restrict`, its respondents through `restrict` as well — a coordinator reads its municipality's answers, an
organisation's operator its own, the region every one; the values of a submission are shown to whoever may
open its page (any caller with the respondent in scope, as the respondent page). Completeness is the
campaign page's `services.completeness_of` over the same respondents. Rosters (pseudonymous lists) are not
served.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema

from msoko.web.access import get_in_scope, restrict, scope_of
from msoko.web.api.common import Year, require_scope, responses
from msoko.web.collection import services
from msoko.web.collection.models import Campaign, Respondent, State

PREFIX = "/forms"
router = Router(tags=["Сбор данных: формы и ответы"])
Id = Annotated[int, Path(ge=1, le=2_147_483_647, description="Номер кампании сбора")]
SubmissionId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Номер ответа (респондента)")]
Value = int | float | str | None


class FormCampaignOut(Schema):
    id: int = Field(description="Номер кампании сбора (в адресах /api/v1/forms/{id})")
    code: str = Field(description="Код формы")
    version: int = Field(description="Версия формы")
    title: str = Field(description="Название формы")
    dataset: str = Field(description="Набор данных каталога, который форма заполняет")
    level: str = Field(description="Уровень респондента: organisation или municipality")
    year: int = Field(description="Год данных (период)")
    opens_on: date = Field(description="Открыта с")
    deadline: date = Field(description="Срок сдачи")
    locked: bool = Field(description="Ввод после срока закрыт регионом")
    status: str = Field(description="Ввод: «открыт» или «закрыт после срока» — как в списке кампаний на странице")
    url: str = Field(description="Адрес кампании в API")


class FormFieldOut(Schema):
    code: str = Field(description="Код поля (столбец набора данных)")
    label: str = Field(description="Подпись поля")
    help: str = Field(description="Подсказка")
    unit: str = Field(description="Единица измерения")
    type: str | None = Field(description="Тип: int, number, flag (да/нет: 1/0) или text")
    required: bool = Field(description="Обязательное поле")
    min: float | None = Field(description="Наименьшее допустимое значение")
    max: float | None = Field(description="Наибольшее допустимое значение")
    choices: list[Value] = Field(description="Допустимые значения (пусто — любые)")


class FormSectionOut(Schema):
    title: str = Field(description="Раздел формы")
    fields: list[FormFieldOut] = Field(description="Поля раздела")


class FormRosterOut(Schema):
    code: str = Field(description="Код списка")
    title: str = Field(description="Название списка (строки — псевдонимы, не ФИО)")
    fills: dict[str, str] = Field(description="Столбец набора данных → как он считается по строкам списка")


class FormCheckOut(Schema):
    code: str = Field(description="Код проверки")
    rule: str = Field(description="Условие, которое должно выполняться")
    message: str = Field(description="Сообщение, если условие нарушено")
    kind: str = Field(description="hard — блокирует отправку; soft — требует письменного обоснования")


class FormCampaignDetail(FormCampaignOut):
    description: str = Field(description="Описание формы")
    sections: list[FormSectionOut] = Field(description="Разделы и поля формы")
    rosters: list[FormRosterOut] = Field(description="Списки внутри формы")
    checks: list[FormCheckOut] = Field(description="Проверки формы")


class SubmissionOut(Schema):
    id: int = Field(description="Номер ответа")
    org_id: str | None = Field(description="Код организации (пусто для формы муниципалитета)")
    municipality_id: str = Field(description="Код муниципалитета")
    name: str = Field(description="Наименование респондента")
    state: str = Field(description="Состояние: not_started, draft, submitted, returned, approved, accepted")
    state_label: str = Field(description="Состояние по-русски")
    submitted_at: datetime | None = Field(description="Последняя отправка")
    first_submitted_at: datetime | None = Field(description="Первая отправка (по ней считается срок)")
    on_time: bool | None = Field(description="Впервые отправлена в срок (пусто — не отправлялась)")
    approved_at: datetime | None = Field(description="Согласована муниципалитетом")
    accepted_at: datetime | None = Field(description="Принята регионом")
    values: dict[str, Value] = Field(description="Значения полей (код поля → значение), как на странице ответа")


class CompletenessRow(Schema):
    municipality_id: str | None = Field(description="Код муниципалитета; пусто — строка «Всего»")
    municipality_name: str | None = Field(description="Муниципалитет; пусто — строка «Всего»")
    total: int = Field(description="Респондентов в области доступа")
    submitted: int = Field(description="Отправили хотя бы раз")
    on_time: int = Field(description="Отправили в срок")
    approved: int = Field(description="Согласовано (и принято)")
    accepted: int = Field(description="Принято регионом")
    late: int = Field(description="Опоздавших: не отправили к сроку (после срока) или отправили позже срока")
    late_ids: list[str] = Field(description="Коды опоздавших респондентов")


def _campaign_out(campaign: Campaign) -> dict:
    form = campaign.form
    return {"id": campaign.pk, "code": form.code, "version": form.version, "title": form.title,
            "dataset": form.dataset, "level": form.level, "year": campaign.year, "opens_on": campaign.opens_on,
            "deadline": campaign.deadline, "locked": campaign.locked,
            "status": "закрыт после срока" if campaign.locked else "открыт",
            "url": f"/api/v1/forms/{campaign.pk}"}


def _campaigns(user):
    return restrict(Campaign.objects.select_related("form").defer("form__definition"), user).distinct()


def _campaign(user, pk: int) -> Campaign:
    return get_in_scope(Campaign.objects.select_related("form").distinct(), user, pk=pk)  # 404 outside


def _respondents(user, campaign: Campaign):
    return restrict(campaign.respondents.select_related("organisation", "municipality", "campaign"), user)


def _submission_out(r: Respondent) -> dict:
    return {"id": r.pk, "org_id": r.organisation.code if r.organisation_id else None,
            "municipality_id": r.municipality.code, "name": r.unit_name, "state": r.state,
            "state_label": r.get_state_display(), "submitted_at": r.submitted_at,
            "first_submitted_at": r.first_submitted_at, "on_time": r.on_time, "approved_at": r.approved_at,
            "accepted_at": r.accepted_at, "values": r.values}


@router.get("", response=responses({200: list[FormCampaignOut]}), url_name="api-forms",
            summary="Кампании сбора данных в области доступа")
def campaigns(request, year: Year = None, code: str | None = None):
    """Кампании, которые пользователь видит на странице «Сбор данных»: форма, год, срок, состояние ввода.
    `year` — год данных, `code` — код формы."""
    require_scope(request.user)
    queryset = _campaigns(request.user)
    if year is not None:
        queryset = queryset.filter(year=year)
    if code is not None:
        queryset = queryset.filter(form__code=code)
    return [_campaign_out(c) for c in queryset]


@router.get("/{campaign_id}", response=responses({200: FormCampaignDetail}), url_name="api-form",
            summary="Кампания и её форма: разделы, поля, списки, проверки (404 вне области доступа)")
def campaign(request, campaign_id: Id):
    require_scope(request.user)
    found = _campaign(request.user, campaign_id)
    form = found.form.form()
    return {**_campaign_out(found), "description": form.description,
            "sections": [{"title": s.title, "fields": [{
                "code": f.code, "label": f.label, "help": f.help, "unit": f.unit,
                "type": str(f.type) if f.type is not None else None, "required": f.required, "min": f.min,
                "max": f.max, "choices": list(f.choices)} for f in s.fields]} for s in form.sections],
            "rosters": [{"code": r.code, "title": r.title, "fills": dict(r.fills)} for r in form.rosters],
            "checks": [{"code": c.code, "rule": c.rule, "message": c.message, "kind": str(c.kind)}
                       for c in form.checks]}


@router.get("/{campaign_id}/submissions", response=responses({200: list[SubmissionOut]}),
            url_name="api-form-submissions", summary="Ответы на форму в области доступа, со значениями")
def submissions(request, campaign_id: Id, municipality: str | None = None, state: State | None = None):
    """Координатор видит ответы своего муниципалитета, оператор — своей организации, регион — все.
    `municipality` — код муниципалитета, `state` — состояние ответа."""
    require_scope(request.user)
    respondents = _respondents(request.user, _campaign(request.user, campaign_id))
    if municipality is not None:
        respondents = respondents.filter(municipality__code=municipality)
    if state is not None:
        respondents = respondents.filter(state=state)
    return [_submission_out(r) for r in respondents.order_by("municipality__code", "organisation__code", "pk")]


@router.get("/{campaign_id}/submissions/{submission_id}", response=responses({200: SubmissionOut}),
            url_name="api-form-submission", summary="Один ответ на форму (404 вне области доступа)")
def submission(request, campaign_id: Id, submission_id: SubmissionId):
    require_scope(request.user)
    found = _campaign(request.user, campaign_id)
    respondent = get_object_or_404(_respondents(request.user, found), pk=submission_id)
    return _submission_out(respondent)


@router.get("/{campaign_id}/completeness", response=responses({200: list[CompletenessRow]}),
            url_name="api-form-completeness", summary="Полнота сдачи по муниципалитетам и всего")
def completeness(request, campaign_id: Id):
    """Как на странице кампании: по каждому муниципалитету области доступа и последняя строка «Всего»
    (municipality_id пусто) — сколько респондентов отправили, в срок, согласовано, принято, опоздали."""
    require_scope(request.user)
    found = _campaign(request.user, campaign_id)
    scope = scope_of(request.user)
    rows = services.completeness_of(found, _respondents(request.user, found), (scope.level, scope.pk))
    return [{"municipality_id": row.municipality.code if row.municipality else None,
             "municipality_name": row.municipality.name if row.municipality else None,
             "total": row.total, "submitted": row.submitted, "on_time": row.on_time, "approved": row.approved,
             "accepted": row.accepted, "late": len(row.late or []),
             "late_ids": [r.unit_code for r in row.late or []]} for row in rows]
