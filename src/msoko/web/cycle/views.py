"""Pages of the management cycle. Every object is read through the scope gate (`get_in_scope`, `restrict`):
outside the scope 404; inside it, changing anything needs `Action.EDIT_CYCLE` and a cycle the user keeps
(`services.can_edit`), else 403."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from msoko.web.access import get_in_scope, restrict, scope_of
from msoko.web.cycle import drafts, effects, forms, services, uploads
from msoko.web.cycle.models import (
    STAGES,
    Analysis,
    CollectionMethod,
    Cycle,
    CycleIndicator,
    Decision,
    Document,
    EffectivenessReview,
    Goal,
    Level,
    Measure,
    MonitoringEvent,
    Recommendation,
    RecommendationStatus,
)
from msoko.web.dashboards import export, marks
from msoko.web.dashboards.data import snapshot
from msoko.web.registry.lookup import entity_in_scope
from msoko.web.registry.models import Municipality, Organisation, Region


@dataclass(frozen=True)
class Kind:
    model: type
    form: type
    stage: str
    title: str
    extra: bool = False  # the form takes snap/cycle
    orgs: bool = False  # the form takes the organisations the cycle may address


KINDS = {
    "goals": Kind(Goal, forms.GoalForm, "goals", "Цель"),
    "indicators": Kind(CycleIndicator, forms.CycleIndicatorForm, "indicators", "Показатель и цель на год", True),
    "collection": Kind(CollectionMethod, forms.CollectionMethodForm, "collection", "Метод сбора информации", True),
    "monitoring": Kind(MonitoringEvent, forms.MonitoringEventForm, "monitoring", "Мероприятие мониторинга"),
    "analysis": Kind(Analysis, forms.AnalysisForm, "analysis", "Анализ", True),
    "recommendations": Kind(Recommendation, forms.RecommendationForm, "recommendations", "Адресная рекомендация",
                            True, True),
    "measures": Kind(Measure, forms.MeasureForm, "measures", "Мероприятие дорожной карты", True, True),
    "decisions": Kind(Decision, forms.DecisionForm, "decisions", "Управленческое решение"),
    "effectiveness": Kind(EffectivenessReview, forms.ReviewForm, "effectiveness", "Анализ эффективности"),
    "documents": Kind(Document, forms.DocumentForm, "documents", "Документ"),
}


def _kind(name: str) -> Kind:
    if name not in KINDS:
        raise Http404("Нет такого раздела цикла.")
    return KINDS[name]


def _require_edit(user, cycle: Cycle) -> None:
    if not services.can_edit(user, cycle):
        raise PermissionDenied("Изменять этот цикл может только тот, кто его ведёт.")


def _form(kind: Kind, cycle: Cycle, data=None, files=None, instance=None, snap=None):
    # each stage's form has its own element ids: several are on one page
    kwargs = {"data": data, "files": files, "instance": instance, "auto_id": f"id_{kind.stage}_%s"}
    if kind.extra:
        kwargs |= {"snap": snap or snapshot(), "cycle": cycle}
    if kind.orgs:
        kwargs["organisations"] = services.organisations_of(cycle.entity).order_by("name")
    return kind.form(**kwargs)


def _cycle(request, pk: int) -> Cycle:
    return get_in_scope(Cycle.objects.select_related("region", "municipality__region", "organisation__municipality"),
                        request.user, pk=pk)


def _entity_url(entity) -> tuple[str, str]:
    level = "region" if isinstance(entity, Region) else ("municipality" if isinstance(entity, Municipality)
                                                         else "organisation")
    return level, entity.code


# ---- index, due list -----------------------------------------------------------------------------------

@login_required
def index(request):
    user = request.user
    scope = scope_of(user)
    if scope.is_none:
        raise Http404("Нет доступа.")
    entities = []
    if scope.level in ("all", "region"):
        entities += [("region", r) for r in restrict(Region.objects.all(), user)]
        entities += [("municipality", m) for m in restrict(Municipality.objects.all(), user)]
    elif scope.level == "municipality":
        entities += [("municipality", m) for m in restrict(Municipality.objects.all(), user)]
    summaries = []
    snap = snapshot()
    for level, entity in entities:
        systems = services.matrix(entity, snap.catalog)
        summaries.append({"level": level, "entity": entity, "complete": sum(1 for s in systems if s.complete),
                          "started": sum(1 for s in systems if any(r.cycle for r in s.rows)), "total": len(systems)})
    mine = {}
    if scope.level == "organisation":
        org = Organisation.objects.get(pk=scope.pk)
        recs = restrict(Recommendation.objects.select_related("cycle"), user).exclude(status=RecommendationStatus.DRAFT)
        measures = restrict(Measure.objects.select_related("cycle"), user).distinct().prefetch_related("organisations")
        mine = {"organisation": org, "recommendations": list(recs),
                "measures": [(m, effects.measure_effect(m, snap)) for m in measures]}
    context = {"summaries": summaries, "mine": mine, "due": services.due_for(user)[:10]}
    return render(request, "cycle/index.html", context)


@login_required
def due(request):
    if scope_of(request.user).is_none:
        raise Http404("Нет доступа.")
    return render(request, "cycle/due.html", {"due": services.due_for(request.user, horizon_days=365)})


# ---- the completeness matrix of one entity --------------------------------------------------------------

@login_required
def entity_page(request, level: str, code: str):
    entity = entity_in_scope(request.user, level, code)
    snap = snapshot()
    editable = services.can_edit_entity(request.user, entity)
    form = forms.CycleCreateForm(request.POST or None, catalog=snap.catalog)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("Создавать циклы может только тот, кто ведёт циклы этого уровня.")
        if form.is_valid():
            cycle = _create_cycle(entity, form.cleaned_data["system"], form.cleaned_data["track"])
            return redirect("cycle-detail", pk=cycle.pk)
    systems = services.matrix(entity, snap.catalog)
    schools = []
    if isinstance(entity, Municipality):
        schools = list(restrict(entity.organisations.all(), request.user).filter(cycles__isnull=False).distinct())
    context = {"entity": entity, "level": level, "systems": systems, "stages": STAGES, "editable": editable,
               "form": form, "complete": sum(1 for s in systems if s.complete), "schools": schools,
               "can_start_school": editable and isinstance(entity, Municipality)}
    return render(request, "cycle/entity.html", context)


def _create_cycle(entity, system: str, track: str) -> Cycle:
    fields = {"system": system, "track": track}
    if isinstance(entity, Region):
        fields |= {"level": Level.REGION, "region": entity}
    elif isinstance(entity, Municipality):
        fields |= {"level": Level.MUNICIPALITY, "region": entity.region, "municipality": entity}
    else:
        fields |= {"level": Level.ORGANISATION, "region": entity.municipality.region,
                   "municipality": entity.municipality, "organisation": entity}
    with transaction.atomic():
        cycle, _ = Cycle.objects.get_or_create(**fields)
    return cycle


# ---- one cycle ------------------------------------------------------------------------------------------

def _auto_analysis(cycle: Cycle, snap) -> list[dict]:
    """The cycle's indicators for its entity in the latest years, against the region and the cycle's targets."""
    codes = list(dict.fromkeys(cycle.indicators.values_list("indicator", flat=True)))
    if not codes or not snap.years:
        return []
    level, code = _entity_url(cycle.entity)
    region = cycle.region
    years = snap.years[-2:]
    targets = {(t.indicator, t.year): t.target for t in cycle.indicators.all()}
    own = {(r["indicator"], r["year"]): r for r in
           snap.slice(level=level, indicators=codes, ids=[code]).iter_rows(named=True)}
    reg = {(r["indicator"], r["year"]): r["value"] for r in
           snap.slice(level="region", indicators=codes, ids=[region.code]).iter_rows(named=True)}
    out = []
    for ind_code in codes:
        ind = snap.indicators.get(ind_code)
        for year in years:
            row = own.get((ind_code, year))
            target = targets.get((ind_code, year))
            value = row["value"] if row else None
            out.append({"code": ind_code, "name": ind.name if ind else ind_code, "year": year,
                        "value": marks.fmt(value, ind), "region": marks.fmt(reg.get((ind_code, year)), ind),
                        "vs_region": marks.versus(row, reg.get((ind_code, year)), ind, "региона"),
                        "target": marks.fmt(target, ind) if target is not None else "—",
                        "target_mark": marks.target_mark(value, target, ind),
                        "change": marks.fmt_change(row.get("change") if row else None, ind)})
    return out


@login_required
def cycle_detail(request, pk: int):
    cycle = _cycle(request, pk)
    snap = snapshot()
    editable = services.can_edit(request.user, cycle)
    filled = services.filled_stages([cycle.pk])[cycle.pk]
    measures = list(cycle.measures.prefetch_related("organisations"))
    measure_rows = [(m, effects.measure_effect(m, snap)) for m in measures]
    documents = [(d, uploads.missing(d)) for d in cycle.documents.all()]
    indicators = [(i, marks.fmt(i.target, snap.indicators.get(i.indicator)),
                   snap.indicators[i.indicator].name if i.indicator in snap.indicators else i.indicator)
                  for i in cycle.indicators.all()]
    add_forms = {name: _form(kind, cycle, snap=snap) for name, kind in KINDS.items()} if editable else {}
    track = services.track_names(snap.catalog, cycle.system).get(cycle.track, cycle.track) or services.WHOLE_SYSTEM
    system = snap.catalog.system(cycle.system) if snap.catalog else None
    level, code = _entity_url(cycle.entity)
    context = {
        "cycle": cycle, "editable": editable, "stages": [(c, n, c in filled) for c, n in STAGES],
        "complete": len(filled) == len(STAGES), "measures": measure_rows, "documents": documents,
        "indicators": indicators, "forms": add_forms, "track_name": track,
        "system_name": system.name if system else cycle.system, "auto_analysis": _auto_analysis(cycle, snap),
        "entity_level": level, "entity_code": code, "today": timezone.localdate(),
        "recommendations": list(cycle.recommendations.select_related("organisation")),
        "rules": drafts.RULES, "draft_rules": drafts.RULES_BY_SYSTEM.get(cycle.system, ("problems",)),
    }
    return render(request, "cycle/cycle.html", context)


def _save(request, form, kind_name: str, cycle: Cycle):
    item = form.save(commit=False)
    item.cycle = cycle
    if kind_name == "documents":
        upload = form.cleaned_data.get("upload")
        if upload is not None:
            if item.file:
                item.file.delete(save=False)
            item.file.save(upload.name, upload, save=False)
            item.original_name = upload.name.replace("/", "_").replace("\\", "_")[:255]
            item.size = upload.size
            item.markers = uploads.markers(uploads.text_of(Path(item.file.path)))
        if item.uploaded_by_id is None:
            item.uploaded_by = request.user
    item.save()
    form.save_m2m()
    return item


@login_required
def item_add(request, pk: int, kind: str):
    cycle = _cycle(request, pk)
    spec = _kind(kind)
    _require_edit(request.user, cycle)
    form = _form(spec, cycle, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        _save(request, form, kind, cycle)
        messages.success(request, f"Сохранено: {spec.title.lower()}.")
        return redirect(f"{_detail_url(cycle)}#{spec.stage}")
    return render(request, "cycle/item_form.html", {"cycle": cycle, "form": form, "spec": spec, "kind": kind})


def _detail_url(cycle: Cycle) -> str:
    from django.urls import reverse

    return reverse("cycle-detail", kwargs={"pk": cycle.pk})


def _item(request, kind: str, pk: int):
    spec = _kind(kind)
    item = get_in_scope(spec.model.objects.select_related("cycle"), request.user, pk=pk)
    _require_edit(request.user, item.cycle)
    return spec, item


@login_required
def item_edit(request, kind: str, pk: int):
    spec, item = _item(request, kind, pk)
    cycle = item.cycle
    form = _form(spec, cycle, request.POST or None, request.FILES or None, instance=item)
    if request.method == "POST" and form.is_valid():
        _save(request, form, kind, cycle)
        messages.success(request, f"Изменено: {spec.title.lower()}.")
        return redirect(f"{_detail_url(cycle)}#{spec.stage}")
    return render(request, "cycle/item_form.html", {"cycle": cycle, "form": form, "spec": spec, "kind": kind,
                                                    "item": item})


@login_required
@require_POST
def item_delete(request, kind: str, pk: int):
    spec, item = _item(request, kind, pk)
    cycle = item.cycle
    if kind == "documents" and item.file:
        item.file.delete(save=False)
    item.delete()
    messages.success(request, f"Удалено: {spec.title.lower()}.")
    return redirect(f"{_detail_url(cycle)}#{spec.stage}")


@login_required
@require_POST
def issue_recommendation(request, pk: int):
    rec = get_in_scope(Recommendation.objects.select_related("cycle"), request.user, pk=pk)
    _require_edit(request.user, rec.cycle)
    deadline = None
    if request.POST.get("deadline"):
        try:
            deadline = date.fromisoformat(request.POST["deadline"])
        except ValueError:
            messages.error(request, "Срок исполнения не похож на дату (ожидается ДД.ММ.ГГГГ).")
            return redirect(f"{_detail_url(rec.cycle)}#recommendations")
    if rec.issue(by=request.user, deadline=deadline):
        messages.success(request, f"Рекомендация направлена: {rec.organisation.name}.")
    if request.POST.get("back") == "recommendation":  # sent from the recommendation's own page
        return redirect("cycle-recommendation", pk=rec.pk)
    return redirect(f"{_detail_url(rec.cycle)}#recommendations")


@login_required
@require_POST
def draft_recommendations(request, pk: int):
    cycle = _cycle(request, pk)
    _require_edit(request.user, cycle)
    created = drafts.draft_recommendations(cycle)
    if created:
        messages.success(request, f"Составлено черновиков рекомендаций: {len(created)}. Проверьте и направьте их.")
    else:
        messages.info(request, "Новых рекомендаций по данным нет (правила не сработали или черновики уже составлены).")
    return redirect(f"{_detail_url(cycle)}#recommendations")


@login_required
@require_POST
def draft_review(request, pk: int):
    cycle = _cycle(request, pk)
    _require_edit(request.user, cycle)
    review = drafts.draft_review(cycle)
    if review is None:
        messages.error(request, "В цикле нет мероприятий — оценивать нечего.")
    else:
        messages.success(request, "Заключение об эффективности составлено по данным; его можно изменить.")
    return redirect(f"{_detail_url(cycle)}#effectiveness")


# ---- measure, roadmap, documents --------------------------------------------------------------------------

@login_required
def measure_page(request, pk: int):
    measure = get_in_scope(Measure.objects.select_related("cycle__region", "cycle__municipality",
                                                          "cycle__organisation"), request.user, pk=pk)
    result = effects.measure_effect(measure)
    visible = dict(restrict(Organisation.objects.all(), request.user).values_list("code", "name"))
    items = []
    for item in result.items:
        pairs = [{"name": visible.get(p.code, "организация вне вашей области доступа"),
                  "before": effects.eff.fmt_value(p.before, item.share), "after": effects.eff.fmt_value(p.after, item.share),
                  "change": effects.eff.fmt_change(p.change, item.share),
                  "control_change": effects.eff.fmt_change(p.control_change, item.share),
                  "effect": effects.eff.fmt_change(p.effect, item.share), "matched_by": MATCHED_RU.get(p.matched_by, ""),
                  "controls": [visible[c] for c in p.controls if c in visible],
                  "hidden": sum(1 for c in p.controls if c not in visible)} for p in item.result.pairs]
        items.append({"item": item, "pairs": pairs,
                      "verdict": effects.eff.VERDICT_RU.get(item.result.verdict, "нет вывода")
                      if item.result.verdict else "нет вывода",
                      "effect": effects.eff.fmt_change(item.result.effect, item.share),
                      "low": effects.eff.fmt_change(item.result.low, item.share),
                      "high": effects.eff.fmt_change(item.result.high, item.share)})
    context = {"measure": measure, "result": result, "items": items, "editable": services.can_edit(request.user, measure.cycle),
               "in_cycle_scope": restrict(Cycle.objects.filter(pk=measure.cycle_id), request.user).exists(),
               "organisations": [o for o in measure.organisations.all() if o.code in visible],
               "today": timezone.localdate()}
    return render(request, "cycle/measure.html", context)


MATCHED_RU = {"cluster": "тот же кластер", "prior": "ближайшие по прежнему значению",
              "cluster+prior": "кластер и ближайшие по прежнему значению"}
ROADMAP_HEADER = ["№", "Мероприятие", "Начало", "Срок", "Ответственный", "Участники", "Организации", "Показатели",
                  "Состояние", "Просрочено", "Подтверждение выполнения", "Вывод об эффективности", "Эффект",
                  "Нижняя граница 95 % интервала", "Верхняя граница 95 % интервала", "Пояснение"]


@login_required
def roadmap(request, pk: int):
    cycle = _cycle(request, pk)
    snap = snapshot()
    today = timezone.localdate()
    rows = []
    for n, m in enumerate(cycle.measures.prefetch_related("organisations"), start=1):
        result = effects.measure_effect(m, snap)
        scale = 100 if result.share else 1
        rows.append([n, m.title, m.start, m.deadline, m.responsible, m.participants,
                     "; ".join(o.name for o in m.organisations.all()), ", ".join(m.indicators or []),
                     m.get_status_display(), "да" if m.overdue(today) else "нет", m.evidence, result.verdict_ru,
                     None if result.effect is None else round(result.effect * scale, 2),
                     None if result.interval is None else round(result.interval[0] * scale, 2),
                     None if result.interval is None else round(result.interval[1] * scale, 2), result.text])
    body = export.to_xlsx(ROADMAP_HEADER, rows, title="Дорожная карта")
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    raw = f"roadmap-{cycle.entity_code}-{cycle.system}{'-' + cycle.track if cycle.track else ''}"
    name = re.sub(r"[^A-Za-z0-9._-]", "_", raw) + ".xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def document_download(request, pk: int):
    document = get_in_scope(Document, request.user, pk=pk)
    if not document.file:
        raise Http404("К документу не приложен файл.")
    return uploads.attachment(document.file, document.original_name, "document")

