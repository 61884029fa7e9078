"""Pages of the МУМ evaluation. Every object through the scope gate (`get_in_scope`, `restrict`, whose
assignment hook limits an expert to the assigned dossiers); outsiders 404. Inside the scope: the coordinator
fills and submits the own municipality's form; an expert scores only their own assignment, blind; the chair
(Action.CHAIR_EVALUATION) assigns, reconciles, decides and publishes; region roles read the results."""

from __future__ import annotations

import statistics

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from msoko.web.access import can, get_in_scope, restrict, scope_of
from msoko.web.accounts.models import User
from msoko.web.accounts.roles import Action, Role
from msoko.web.evaluation import documents, services
from msoko.web.evaluation.models import Assignment, Campaign, Dossier, Outcome, OutcomeStatus
from msoko.web.evaluation.services import EvaluationError
from msoko.web.registry.models import Municipality, Organisation, Region


def _regional(user) -> bool:
    """Region roles that read the whole campaign (not the experts, who see only their assignments)."""
    return scope_of(user).level in ("all", "region") and user.role != Role.REGIONAL_EXPERT


def _require_chair(user) -> None:
    if not can(user, Action.CHAIR_EVALUATION):
        raise PermissionDenied("Это действие выполняет председатель (администратор региона).")


def _coordinator_of(user, dossier: Dossier) -> bool:
    return (user.role == Role.MUNICIPAL_COORDINATOR and user.municipality_id == dossier.municipality_id
            and can(user, Action.EDIT_CYCLE))


@login_required
def index(request):
    user = request.user
    if scope_of(user).is_none or scope_of(user).level == "organisation":
        raise Http404("Нет доступа.")
    campaigns = restrict(Campaign.objects.select_related("region"), user)
    dossiers = restrict(Dossier.objects.select_related("campaign", "municipality"), user)
    assignments = (Assignment.objects.filter(expert=user).select_related("dossier__campaign", "dossier__municipality")
                   if user.role == Role.REGIONAL_EXPERT else [])
    return render(request, "evaluation/index.html", {
        "campaigns": campaigns, "dossiers": dossiers if not _regional(user) else [], "assignments": assignments,
        "regional": _regional(user), "chair": can(user, Action.CHAIR_EVALUATION)})


def _campaign(request, pk: int) -> Campaign:
    return get_in_scope(Campaign.objects.select_related("region"), request.user, pk=pk)


@login_required
def campaign_page(request, pk: int):
    user = request.user
    campaign = _campaign(request, pk)
    dossiers = restrict(campaign.dossiers.select_related("municipality"), user).prefetch_related(
        "assignments__expert")
    results = {r.dossier.pk: r for r in services.campaign_results(campaign)} if _regional(user) else {}
    rows = [{"dossier": d, "assignments": list(d.assignments.all()), "result": results.get(d.pk)} for d in dossiers]
    context = {"campaign": campaign, "rows": rows, "regional": _regional(user), "chair": can(user, Action.CHAIR_EVALUATION),
               "rubric": campaign.rubric, "open_disputes": services.open_disputes(campaign).count() if _regional(user) else 0}
    if _regional(user):
        context["agreement"] = services.agreement(campaign)
    return render(request, "evaluation/campaign.html", context)


@login_required
@require_POST
def campaign_action(request, pk: int, action: str):
    campaign = _campaign(request, pk)
    _require_chair(request.user)
    try:
        if action == "assign":
            made = services.auto_assign(campaign)
            messages.success(request, f"Назначено экспертов: {made}.")
        elif action == "reconcile":
            s = services.reconcile(campaign)
            messages.success(request, f"Сверено муниципалитетов: {s.dossiers}; согласовано позиций {s.agreed}, "
                                      f"расхождений {s.disputed}; ждут экспертов: {len(s.waiting)}.")
        elif action == "publish":
            services.publish(campaign)
            messages.success(request, "Итоги опубликованы: муниципалитеты видят заключения и могут подать апелляцию.")
        else:
            raise Http404("Нет такого действия.")
    except EvaluationError as exc:
        messages.error(request, str(exc))
    return redirect("evaluation-campaign", pk=campaign.pk)


def _dossier(request, pk: int) -> Dossier:
    return get_in_scope(Dossier.objects.select_related("campaign__region", "municipality"), request.user, pk=pk)


def _position_rows(dossier: Dossier) -> list[dict]:
    evidence = dossier.evidence if dossier.submitted else services.assemble_evidence(dossier.municipality,
                                                                                    dossier.campaign.rubric)
    out = []
    for system in dossier.campaign.rubric.systems:
        for track in system.tracks:
            for position in track.positions:
                out.append({"system": system, "track": track, "position": position,
                            "indicators": evidence.get("indicators", {}).get(system.code, []),
                            "evidence": evidence.get("positions", {}).get(position.code, {}),
                            "statement": dossier.statements.get(position.code, "")})
    return out


@login_required
def dossier_page(request, pk: int):
    dossier = _dossier(request, pk)
    editable = _coordinator_of(request.user, dossier) and not dossier.submitted
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("Форму заполняет координатор муниципалитета до её представления.")
        statements = {p.code: request.POST.get(f"s:{p.code}", "") for p in dossier.campaign.rubric.positions}
        try:
            services.save_statements(dossier, statements)
            messages.success(request, "Пояснения сохранены.")
        except EvaluationError as exc:
            messages.error(request, str(exc))
        return redirect("evaluation-dossier", pk=dossier.pk)
    return render(request, "evaluation/dossier.html", {"dossier": dossier, "rows": _position_rows(dossier),
                                                       "editable": editable})


@login_required
@require_POST
def dossier_submit(request, pk: int):
    dossier = _dossier(request, pk)
    if not _coordinator_of(request.user, dossier):
        raise PermissionDenied("Форму представляет координатор муниципалитета.")
    statements = {p.code: request.POST.get(f"s:{p.code}", dossier.statements.get(p.code, ""))
                  for p in dossier.campaign.rubric.positions}
    try:
        if not dossier.submitted:
            services.save_statements(dossier, statements)
        services.submit_dossier(dossier, request.user)
        messages.success(request, "Форма первичных данных представлена; она закрыта для изменений.")
    except EvaluationError as exc:
        messages.error(request, str(exc))
    return redirect("evaluation-dossier", pk=dossier.pk)


def _parse_scores(post, rubric) -> tuple[dict, list[str]]:
    scores, problems = {}, []
    for position in rubric.positions:
        params = {}
        for parameter in position.parameters:
            raw = post.get(f"p:{position.code}:{parameter.code}", "").strip()
            if raw == "":
                continue
            try:
                params[parameter.code] = int(raw)
            except ValueError:
                problems.append(f"позиция {position.code}, параметр «{parameter.code}»: «{raw}» — не целое число")
        comment = post.get(f"c:{position.code}", "")
        if params or comment.strip():
            scores[position.code] = (params, comment)
    return scores, problems


@login_required
def score_page(request, pk: int):
    user = request.user
    assignment = get_in_scope(Assignment.objects.select_related("dossier__campaign", "dossier__municipality", "expert"),
                              user, pk=pk)
    own = assignment.expert_id == user.pk
    if not own and not (_regional(user) and assignment.submitted):
        raise Http404("Оценка недоступна.")  # blind: nobody reads a draft but its author
    if request.method == "POST":
        if not own or not can(user, Action.SCORE):
            raise PermissionDenied("Оценку ставит назначенный эксперт.")
        scores, problems = _parse_scores(request.POST, assignment.dossier.campaign.rubric)
        try:
            if problems:
                raise EvaluationError("; ".join(problems))
            submit = request.POST.get("action") == "submit"
            services.record_scores(assignment, scores, submit=submit)
            messages.success(request, "Оценка представлена." if submit else "Черновик оценки сохранён.")
        except EvaluationError as exc:
            messages.error(request, str(exc))
        return redirect("evaluation-score", pk=assignment.pk)
    stored = {p.position: p for p in assignment.positions.all()}
    rows = []
    for row in _position_rows(assignment.dossier):
        entry = stored.get(row["position"].code)
        values = entry.parameters if entry else {}
        row["params"] = [{"p": q, "value": values.get(q.code), "choices": list(range(q.min, q.max + 1))}
                         for q in row["position"].parameters]
        row["comment"] = entry.comment if entry else ""
        row["score"] = services.position_score(row["position"], values) if entry else None
        rows.append(row)
    return render(request, "evaluation/score.html", {"assignment": assignment, "rows": rows,
                                                     "editable": own and not assignment.submitted})


@login_required
def disputes(request, pk: int):
    campaign = _campaign(request, pk)
    if not _regional(request.user):
        raise PermissionDenied("Расхождения экспертов рассматривает председатель.")
    rubric = campaign.rubric
    items = []
    outcomes = (Outcome.objects.filter(dossier__campaign=campaign, status=OutcomeStatus.DISPUTED)
                .select_related("dossier__municipality", "decision__chair").order_by("dossier__municipality__name",
                                                                                     "round", "pk"))
    by_dossier: dict[int, dict] = {}
    for o in outcomes:
        if o.dossier_id not in by_dossier:
            by_dossier[o.dossier_id] = {a.expert.username: {p.position: p for p in a.positions.all()}
                                        for a in o.dossier.assignments.select_related("expert")}
        position = rubric.position(o.position)
        experts = []
        for name, positions in by_dossier[o.dossier_id].items():
            entry = positions.get(o.position)
            if entry:
                experts.append({"name": name, "params": [(q, entry.parameters.get(q.code, 0)) for q in position.parameters],
                                "score": services.position_score(position, entry.parameters), "comment": entry.comment})
        appeal = o.dossier.appeals.filter(round=o.round).first() if o.round > 1 else None
        items.append({"outcome": o, "position": position, "experts": experts, "appeal": appeal,
                      "decision": getattr(o, "decision", None)})
    return render(request, "evaluation/disputes.html", {"campaign": campaign, "items": items,
                                                        "chair": can(request.user, Action.CHAIR_EVALUATION)})


@login_required
@require_POST
def decide(request, pk: int):
    outcome = get_in_scope(Outcome.objects.select_related("dossier__campaign"), request.user, pk=pk)
    _require_chair(request.user)
    try:
        score = float(request.POST.get("score", "").replace(",", "."))
    except ValueError:
        messages.error(request, "Балл решения — число.")
        return redirect("evaluation-disputes", pk=outcome.dossier.campaign_id)
    try:
        services.decide(outcome, score, request.POST.get("reason", ""), request.user)
        messages.success(request, f"Решение по позиции {outcome.position} записано.")
    except EvaluationError as exc:
        messages.error(request, str(exc))
    return redirect("evaluation-disputes", pk=outcome.dossier.campaign_id)


def _may_read_conclusion(user, dossier: Dossier) -> bool:
    if _regional(user):
        return True
    return (user.role == Role.MUNICIPAL_COORDINATOR and user.municipality_id == dossier.municipality_id
            and dossier.campaign.published_at is not None)


def distribution(results, key: str) -> dict | None:
    """The region's distribution of one total (no municipality named): min, quartiles, max, mean."""
    values = sorted(t.percent for r in results for t in r.totals if t.key == key and t.percent is not None)
    if len(values) < 2:
        return None
    q = statistics.quantiles(values, n=4, method="inclusive")
    return {"n": len(values), "min": values[0], "q1": q[0], "median": q[1], "q3": q[2], "max": values[-1],
            "mean": statistics.fmean(values)}


@login_required
def conclusion(request, pk: int):
    dossier = _dossier(request, pk)
    if not _may_read_conclusion(request.user, dossier):
        raise PermissionDenied("Заключение доступно после публикации итогов.")
    results = services.campaign_results(dossier.campaign)
    mine = next(r for r in results if r.dossier.pk == dossier.pk)
    model = documents.conclusion_data(mine)
    spread = [{"key": t.key, "mine": t, "region": distribution(results, t.key)} for t in mine.totals]
    return render(request, "evaluation/conclusion.html", {
        "dossier": dossier, "model": model, "spread": spread, "appeal_open": services.appeal_open(dossier),
        "may_appeal": _coordinator_of(request.user, dossier) and services.appeal_open(dossier),
        "appeals": dossier.appeals.all()})


@login_required
def conclusion_file(request, pk: int, fmt: str):
    dossier = _dossier(request, pk)
    if fmt not in ("docx", "pdf"):
        raise Http404("Нет такого формата.")
    if not _may_read_conclusion(request.user, dossier):
        raise PermissionDenied("Заключение доступно после публикации итогов.")
    data = documents.conclusion_bytes(dossier, fmt)
    content_type = ("application/pdf" if fmt == "pdf" else
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="conclusion-{dossier.municipality.code}.{fmt}"'
    return response


@login_required
@require_POST
def appeal(request, pk: int):
    dossier = _dossier(request, pk)
    if not _coordinator_of(request.user, dossier):
        raise PermissionDenied("Апелляцию подаёт координатор муниципалитета.")
    try:
        a = services.file_appeal(dossier, request.POST.getlist("positions"), request.POST.get("text", ""),
                                 request.user)
        messages.success(request, f"Апелляция подана: открыт раунд пересмотра № {a.round}.")
    except EvaluationError as exc:
        messages.error(request, str(exc))
    return redirect("evaluation-conclusion", pk=dossier.pk)


@login_required
def ranking(request, pk: int):
    campaign = _campaign(request, pk)
    if not _regional(request.user):
        raise PermissionDenied("Рейтинг муниципалитетов доступен региональным ролям.")
    results = services.campaign_results(campaign)
    ranks = services.ranks(results)
    rows = sorted(results, key=lambda r: (ranks[r.dossier.pk] is None, ranks[r.dossier.pk] or 0,
                                          r.dossier.municipality.name))
    return render(request, "evaluation/ranking.html", {
        "campaign": campaign, "rows": [{"r": r, "rank": ranks[r.dossier.pk]} for r in rows],
        "systems": campaign.rubric.systems})


@login_required
def statistics_xlsx(request, pk: int):
    campaign = _campaign(request, pk)
    if not _regional(request.user):
        raise PermissionDenied("Статистическая справка доступна региональным ролям.")
    response = HttpResponse(documents.statistical_xlsx(campaign),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="mum-{campaign.year}-statistics.xlsx"'
    return response


@login_required
def analysis_file(request, pk: int, fmt: str):
    campaign = _campaign(request, pk)
    if fmt not in ("docx", "pdf"):
        raise Http404("Нет такого формата.")
    if not _regional(request.user):
        raise PermissionDenied("Аналитическая справка доступна региональным ролям.")
    content_type = ("application/pdf" if fmt == "pdf" else
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response = HttpResponse(documents.analytical_bytes(campaign, fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="mum-{campaign.year}-analysis.{fmt}"'
    return response


@login_required
def experts(request):
    """The chair's list of the region's experts and where each works: an expert is never assigned to the
    municipality of their place of work (conflict of interest)."""
    user = request.user
    _require_chair(user)
    regions = restrict(Region.objects.all(), user)
    people = list(User.objects.filter(role=Role.REGIONAL_EXPERT, is_active=True, region__in=regions)
                  .select_related("affiliation__municipality", "affiliation__organisation").order_by("username"))
    municipalities = list(restrict(Municipality.objects.all(), user).order_by("name"))
    if request.method == "POST":
        expert = next((p for p in people if str(p.pk) == request.POST.get("expert")), None)
        if expert is None:
            raise Http404("Нет такого эксперта в вашем регионе.")
        chosen = (request.POST.get("municipality") or "").strip()
        municipality = next((m for m in municipalities if m.code == chosen), None)
        code = (request.POST.get("organisation") or "").strip()
        organisation = restrict(Organisation.objects.select_related("municipality"), user).filter(code=code).first()
        refused = (f"Муниципалитет с кодом «{chosen[:64]}» в регионе не найден." if chosen and municipality is None
                   else f"Организация с кодом «{code[:64]}» в регионе не найдена." if code and organisation is None
                   else None)
        if refused:  # an unknown code never clears the place of work already recorded
            messages.error(request, refused)
            return redirect("evaluation-experts")
        try:
            services.set_affiliation(expert, municipality, organisation)
        except EvaluationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Место работы эксперта {expert.username} сохранено.")
        return redirect("evaluation-experts")
    return render(request, "evaluation/experts.html", {"experts": people, "municipalities": municipalities})

