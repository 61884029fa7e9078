"""`/api/v1/evaluation` — the region's evaluation of municipal mechanisms (оценка МУМ): campaigns, the rubric,
the municipalities' forms and their results (position, system and total scores, percentages, levels).

Read only, with the pages' rules (msoko.web.evaluation.views): a campaign and a municipality's form through
the scope gate (`restrict`, `get_in_scope`, whose assignment hook limits a regional expert to the forms
assigned to them); the results through `_may_read_conclusion` — the region's roles other than the experts
always, a municipality's coordinator its own municipality only once the results are published; an expert
never (experts score blind). The place in the ranking is the ranking page's, for the region's roles only;
the region's distribution is the conclusion page's. The figures are `services.campaign_results`, the same
the pages, the exports and the conclusion use. No names of experts or users are served.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.http import Http404
from ninja import Field, Path, Router, Schema
from ninja.errors import HttpError

from msoko.web.access import get_in_scope, restrict
from msoko.web.api.common import Year, require_scope, responses
from msoko.web.evaluation import services
from msoko.web.evaluation.models import Campaign
from msoko.web.evaluation.views import _may_read_conclusion, _regional, distribution

PREFIX = "/evaluation"
router = Router(tags=["Оценка МУМ"])
Id = Annotated[int, Path(ge=1, le=2_147_483_647, description="Номер кампании оценки МУМ")]
MunicipalityCode = Annotated[str, Path(max_length=64, description="Код муниципалитета")]
HIDDEN = "Итоги оценки доступны региональным ролям, а муниципалитету — после их публикации."


class EvaluationCampaignOut(Schema):
    id: int = Field(description="Номер кампании (в адресах /api/v1/evaluation/{id})")
    year: int = Field(description="Год оценки")
    region_id: str = Field(description="Код региона")
    rubric_version: str = Field(description="Версия рубрики, с которой открыта кампания")
    rubric_digest: str = Field(description="Отпечаток текста рубрики")
    max_score: int = Field(description="Максимальный итоговый балл по рубрике")
    deadline: date = Field(description="Срок представления форм муниципалитетами")
    published: bool = Field(description="Итоги опубликованы")
    published_at: datetime | None = Field(description="Когда опубликованы итоги")
    appeal_until: date | None = Field(description="Последний день подачи апелляции (после публикации)")
    url: str = Field(description="Адрес кампании в API")


class RubricPositionOut(Schema):
    code: str = Field(description="Код позиции (критерия) рубрики")
    name: str = Field(description="Позиция")
    max_score: int = Field(description="Максимальный балл позиции")


class RubricTrackOut(Schema):
    code: str = Field(description="Код трека")
    name: str = Field(description="Трек")
    max_score: int = Field(description="Максимальный балл трека")
    positions: list[RubricPositionOut] = Field(description="Позиции трека")


class RubricSystemOut(Schema):
    code: str = Field(description="Код системы (механизма управления качеством)")
    name: str = Field(description="Система")
    max_score: int = Field(description="Максимальный балл системы")
    tracks: list[RubricTrackOut] = Field(description="Треки системы")


class RubricLevelOut(Schema):
    code: str = Field(description="Код уровня")
    name: str = Field(description="Уровень")
    from_percent: float = Field(description="Порог уровня: доля от максимума, %")


class DossierOut(Schema):
    municipality_id: str = Field(description="Код муниципалитета")
    municipality_name: str = Field(description="Муниципалитет")
    state: str = Field(description="Форма первичных данных: draft (заполняется) или submitted (представлена)")
    state_label: str = Field(description="Состояние формы по-русски")
    submitted_at: datetime | None = Field(description="Когда форма представлена")
    results_visible: bool = Field(description="Итоги этого муниципалитета доступны пользователю "
                                              "(/results/{код})")


class EvaluationCampaignDetail(EvaluationCampaignOut):
    systems: list[RubricSystemOut] = Field(description="Рубрика: системы, треки, позиции и их максимумы")
    levels: list[RubricLevelOut] = Field(description="Уровни по доле от максимума (от высшего)")
    municipalities: list[DossierOut] = Field(description="Муниципалитеты кампании в области доступа")


class EvaluationTotalOut(Schema):
    key: str = Field(description="Код системы или total — итог")
    name: str = Field(description="Система или «Итого»")
    score: float | None = Field(description="Балл; пусто, пока есть неразрешённое расхождение или неоценённая "
                                            "позиция")
    max_score: int = Field(description="Максимум")
    percent: float | None = Field(description="Доля от максимума, %")
    level: str | None = Field(description="Код уровня")
    level_name: str | None = Field(description="Уровень")


class PositionScore(Schema):
    code: str = Field(description="Код позиции (критерия)")
    name: str = Field(description="Позиция")
    system: str = Field(description="Код системы")
    track: str = Field(description="Код трека")
    score: float | None = Field(description="Итоговый балл позиции; пусто — ещё не определён")
    max_score: int = Field(description="Максимальный балл позиции")
    status: str = Field(description="agreed (эксперты согласны), decided (решение председателя), "
                                    "disputed (расхождение), pending (не сверено)")
    round: int | None = Field(description="Раунд (1 — первая оценка, 2… — апелляции)")


class MunicipalityResult(Schema):
    municipality_id: str = Field(description="Код муниципалитета")
    municipality_name: str = Field(description="Муниципалитет")
    rank: int | None = Field(description="Место по итоговому баллу (равные делят место); только для "
                                         "региональных ролей, как страница рейтинга")
    totals: list[EvaluationTotalOut] = Field(description="Баллы по системам и итог (последняя строка, key = total)")
    positions: list[PositionScore] = Field(description="Баллы по позициям рубрики")


class RegionDistribution(Schema):
    key: str = Field(description="Код системы или total")
    n: int = Field(description="Муниципалитетов с баллом")
    min: float = Field(description="Наименьшая доля, %")
    q1: float = Field(description="Первый квартиль, %")
    median: float = Field(description="Медиана, %")
    q3: float = Field(description="Третий квартиль, %")
    max: float = Field(description="Наибольшая доля, %")
    mean: float = Field(description="Среднее, %")


class MunicipalityResultDetail(MunicipalityResult):
    region: list[RegionDistribution] = Field(description="Распределение долей по региону (без названий "
                                                   "муниципалитетов), как в заключении")


def _campaign_out(c: Campaign) -> dict:
    return {"id": c.pk, "year": c.year, "region_id": c.region.code, "rubric_version": c.rubric_version,
            "rubric_digest": c.rubric_digest, "max_score": c.rubric.max_score, "deadline": c.deadline,
            "published": c.published_at is not None, "published_at": c.published_at,
            "appeal_until": c.appeal_until(), "url": f"/api/v1/evaluation/{c.pk}"}


def _campaign(user, pk: int) -> Campaign:
    return get_in_scope(Campaign.objects.select_related("region").distinct(), user, pk=pk)  # 404 outside


def _result_out(result: services.DossierResult, rank: int | None) -> dict:
    rubric = result.dossier.campaign.rubric
    names = {s.code: s.name for s in rubric.systems} | {"total": "Итого"}
    municipality = result.dossier.municipality
    return {"municipality_id": municipality.code, "municipality_name": municipality.name, "rank": rank,
            "totals": [{"key": t.key, "name": names[t.key], "score": t.score, "max_score": t.max_score,
                        "percent": t.percent, "level": t.level.code if t.level else None,
                        "level_name": t.level.name if t.level else None} for t in result.totals],
            "positions": [{"code": p.position.code, "name": p.position.name, "system": p.position.system,
                           "track": p.position.track, "score": p.score, "max_score": p.position.max_score,
                           "status": p.status, "round": p.round} for p in result.positions]}


def _ranks(user, everything: list) -> dict:
    """The places in the ranking (the ranking page's), for the region's roles only."""
    return services.ranks(everything) if _regional(user) else {}


@router.get("", response=responses({200: list[EvaluationCampaignOut]}), url_name="api-evaluations",
            summary="Кампании оценки МУМ в области доступа")
def campaigns(request, year: Year = None):
    """Региональные роли видят кампании своего региона, координатор — кампании со своим муниципалитетом,
    эксперт — кампании, где он назначен; организация — ни одной."""
    require_scope(request.user)
    queryset = restrict(Campaign.objects.select_related("region"), request.user).distinct()
    if year is not None:
        queryset = queryset.filter(year=year)
    return [_campaign_out(c) for c in queryset]


@router.get("/{campaign_id}", response=responses({200: EvaluationCampaignDetail}), url_name="api-evaluation",
            summary="Кампания оценки МУМ: рубрика и муниципалитеты (404 вне области доступа)")
def campaign(request, campaign_id: Id):
    require_scope(request.user)
    found = _campaign(request.user, campaign_id)
    rubric = found.rubric
    dossiers = restrict(found.dossiers.select_related("municipality", "campaign"), request.user)
    return {**_campaign_out(found),
            "systems": [{"code": s.code, "name": s.name, "max_score": s.max_score, "tracks": [
                {"code": t.code, "name": t.name, "max_score": t.max_score, "positions": [
                    {"code": p.code, "name": p.name, "max_score": p.max_score} for p in t.positions]}
                for t in s.tracks]} for s in rubric.systems],
            "levels": [{"code": b.code, "name": b.name, "from_percent": b.from_percent} for b in rubric.levels],
            "municipalities": [{"municipality_id": d.municipality.code, "municipality_name": d.municipality.name,
                                "state": d.state, "state_label": d.get_state_display(),
                                "submitted_at": d.submitted_at,
                                "results_visible": _may_read_conclusion(request.user, d)}
                               for d in dossiers.order_by("municipality__code")]}


@router.get("/{campaign_id}/results", response=responses({200: list[MunicipalityResult]}),
            url_name="api-evaluation-results", summary="Итоги оценки МУМ по муниципалитетам")
def results(request, campaign_id: Id):
    """Баллы по позициям, системам и итог с долей и уровнем. Региональные роли (кроме экспертов) — все
    муниципалитеты с местом в рейтинге; координатор — свой муниципалитет после публикации итогов; иначе 403."""
    require_scope(request.user)
    found = _campaign(request.user, campaign_id)
    visible = set(restrict(found.dossiers.all(), request.user).values_list("pk", flat=True))
    everything = services.campaign_results(found)
    readable = [r for r in everything if r.dossier.pk in visible and _may_read_conclusion(request.user, r.dossier)]
    if not readable and not _regional(request.user):  # an expert; a coordinator before the publication
        raise HttpError(403, HIDDEN)
    ranks = _ranks(request.user, everything)
    return [_result_out(r, ranks.get(r.dossier.pk)) for r in readable]


@router.get("/{campaign_id}/results/{municipality}", response=responses({200: MunicipalityResultDetail}),
            url_name="api-evaluation-result", summary="Итоги одного муниципалитета и распределение по региону "
                                                     "(404 вне области доступа)")
def result(request, campaign_id: Id, municipality: MunicipalityCode):
    """Как страница заключения: 404 — муниципалитет вне области доступа, 403 — итоги ещё не доступны роли."""
    require_scope(request.user)
    found = _campaign(request.user, campaign_id)
    dossier = restrict(found.dossiers.select_related("municipality", "campaign"), request.user).filter(
        municipality__code=municipality).first()
    if dossier is None:
        raise Http404
    if not _may_read_conclusion(request.user, dossier):
        raise HttpError(403, HIDDEN)
    everything = services.campaign_results(found)
    mine = next(r for r in everything if r.dossier.pk == dossier.pk)
    spread = [{"key": t.key, **region} for t in mine.totals
              if (region := distribution(everything, t.key)) is not None]
    return {**_result_out(mine, _ranks(request.user, everything).get(dossier.pk)), "region": spread}

