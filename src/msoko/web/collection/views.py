"""Pages of data collection. Every object is read through the scope gate (`get_in_scope`, `restrict`):
outside the scope 404; inside it, an action the role may not take is 403 (`services.may_*`)."""

from __future__ import annotations

import html
import tempfile
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from msoko.web.access import can, get_in_scope, restrict, scope_of
from msoko.web.accounts.roles import Action
from msoko.web.collection import excel, services
from msoko.web.collection.models import Campaign, Respondent, Revision, State
from msoko.web.registry.models import Municipality, Organisation

MAX_UPLOAD = 20 * 2**20


def _respondent(request, pk: int) -> Respondent:
    # definitions are read only when the version is not parsed yet (FormVersion.form keeps parsed ones)
    queryset = Respondent.objects.select_related("campaign", "campaign__form", "form", "organisation",
                                                 "municipality").defer("form__definition",
                                                                       "campaign__form__definition")
    return get_in_scope(queryset, request.user, pk=pk)


def _campaign(request, pk: int) -> Campaign:
    return get_in_scope(Campaign.objects.select_related("form").distinct(), request.user, pk=pk)


def _back(respondent: Respondent):
    return redirect("collection-respondent", pk=respondent.pk)


@login_required
def index(request):
    campaigns = restrict(Campaign.objects.select_related("form"), request.user).distinct()
    mine = restrict(Respondent.objects.select_related("campaign", "campaign__form", "organisation",
                                                      "municipality"), request.user)
    scope = scope_of(request.user)
    fill = [r for r in mine.exclude(state=State.ACCEPTED)[:200] if services.may_fill(request.user, r)]
    review = []
    if scope.level in ("municipality", "region", "all") and can(request.user, Action.REVIEW_FORMS):
        review = list(mine.filter(state=State.SUBMITTED)[:200])
    forms = []
    if services.may_accept(request.user):
        forms, _ = services.workspace_forms()
    return render(request, "collection/index.html", {
        "campaigns": campaigns, "fill": fill, "review": review, "forms": forms,
        "can_open": services.may_accept(request.user), "today": date.today(),
        "can_upload": can(request.user, Action.IMPORT_DATA) and scope.level in ("region", "all"),
    })


@login_required
@require_POST
def open_campaign(request):
    if not services.may_accept(request.user):
        raise PermissionDenied("Открывать кампании может региональный оператор.")
    try:
        year = int(request.POST.get("year", ""))
        deadline = date.fromisoformat(request.POST.get("deadline", ""))
        campaign = services.open_campaign(request.POST.get("form", ""), year, deadline, user=request.user)
    except ValueError:
        messages.error(request, "Укажите год числом и срок датой.")
        return redirect("collection-index")
    except services.Refused as refused:
        for reason in refused.reasons:
            messages.error(request, reason)
        return redirect("collection-index")
    messages.success(request, f"Кампания открыта: респондентов {campaign.respondents.count()}.")
    return redirect("collection-campaign", pk=campaign.pk)


@login_required
def campaign_page(request, pk: int):
    campaign = _campaign(request, pk)
    respondents = restrict(campaign.respondents.select_related("organisation", "municipality", "campaign",
                                                               "approved_by", "accepted_by"), request.user)
    scope = scope_of(request.user)
    rows = services.completeness_of(campaign, respondents, (scope.level, scope.pk))
    # the answers are listed per municipality (a region's thousand would make a slow, unreadable page)
    chosen = request.GET.get("municipality", "")
    municipal = respondents.values("municipality").distinct().count() == 1
    listed = respondents.filter(municipality__code=chosen) if chosen else (respondents if municipal else None)
    return render(request, "collection/campaign.html", {
        "campaign": campaign, "rows": rows, "respondents": listed, "chosen": chosen,
        "can_accept": services.may_accept(request.user),
        "municipalities": Municipality.objects.filter(pk__in=respondents.values("municipality")),
        "level": scope_of(request.user).level,
    })


@login_required
def completeness_xlsx(request, pk: int):
    from openpyxl import Workbook

    from msoko.core.spreadsheet import safe_cell

    campaign = _campaign(request, pk)
    respondents = restrict(campaign.respondents.all(), request.user)
    wb = Workbook()
    sheet = wb.active
    sheet.title = "Полнота"
    sheet.append(["Муниципалитет", "Всего", "Отправлено", "Доля отправивших", "В срок", "Доля в срок",
                  "Согласовано", "Принято", "Опоздавшие"])
    for row in services.completeness(campaign, respondents):
        sheet.append([safe_cell(row.municipality.name if row.municipality else "Всего"), row.total, row.submitted,
                      row.share(row.submitted), row.on_time, row.share(row.on_time), row.approved, row.accepted,
                      safe_cell(", ".join(r.unit_name for r in row.late))])
    sheet2 = wb.create_sheet("Ответы")
    sheet2.append(["org_id", "municipality_id", "Наименование", "Состояние", "Отправлена", "В срок"])
    in_scope = set(respondents.values_list("pk", flat=True))  # one query, not one per respondent
    for line, r in zip(services.status_rows(campaign), campaign.respondents.order_by(
            "municipality__code", "organisation__code").select_related("organisation", "municipality"), strict=True):
        if r.pk in in_scope:
            sheet2.append([safe_cell(line[0]), safe_cell(line[1]), safe_cell(r.unit_name),
                           r.get_state_display(), line[3], line[4]])
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="completeness-{campaign.pk}.xlsx"'
    wb.save(response)
    return response


def _template_respondents(request, campaign: Campaign):
    respondents = restrict(campaign.respondents.select_related("organisation", "municipality"), request.user)
    code = request.GET.get("municipality")
    if code:
        respondents = respondents.filter(municipality__code=code)
    return [r for r in respondents if services.may_fill(request.user, r)]


@login_required
def template_xlsx(request, pk: int):
    campaign = _campaign(request, pk)
    respondents = _template_respondents(request, campaign)
    if not respondents:
        raise PermissionDenied("В этой кампании вам нечего заполнять.")
    with tempfile.TemporaryDirectory() as folder:
        path = excel.build_template(campaign, respondents, Path(folder) / "template.xlsx")
        data = path.read_bytes()
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="form-{campaign.form.code}-{campaign.pk}.xlsx"'
    return response


def _upload_dir() -> Path:
    folder = settings.WORKSPACE.uploads / "collection"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@login_required
def upload(request, pk: int):
    """A filled template: a dry run first (per-cell changes and errors), then «Отправить» applies it."""
    campaign = _campaign(request, pk)
    if not can(request.user, Action.FILL_FORMS):
        raise PermissionDenied("Заполнять формы эта роль не может.")
    allowed = {r.unit_code for r in _template_respondents(request, campaign)}
    if request.method != "POST":
        return render(request, "collection/upload.html", {"campaign": campaign, "plan": None})
    token = request.POST.get("token", "")
    if token:
        if not token.isalnum():
            raise Http404
        path = _upload_dir() / f"{token}.xlsx"
        if not path.exists() or not token.startswith(f"{request.user.pk}x"):
            messages.error(request, "Проверенный файл не найден; загрузите его снова.")
            return redirect("collection-upload", pk=campaign.pk)
        plan = excel.read_upload(path, campaign, request.user, allowed=allowed)
        try:
            count = excel.apply_plan(plan, request.user, label=request.user.username)
        except services.Refused as refused:
            return render(request, "collection/upload.html", {"campaign": campaign, "plan": plan,
                                                              "errors": refused.reasons})
        finally:
            path.unlink(missing_ok=True)
        messages.success(request, f"Отправлено ответов: {count}.")
        return redirect("collection-campaign", pk=campaign.pk)
    file = request.FILES.get("file")
    if file is None or file.size > MAX_UPLOAD:
        messages.error(request, "Выберите файл XLSX не больше 20 МБ.")
        return redirect("collection-upload", pk=campaign.pk)
    import secrets

    token = f"{request.user.pk}x{secrets.token_hex(12)}"
    path = _upload_dir() / f"{token}.xlsx"
    with path.open("wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    plan = excel.read_upload(path, campaign, request.user, allowed=allowed)
    if not plan.ok:
        path.unlink(missing_ok=True)
    return render(request, "collection/upload.html", {"campaign": campaign, "plan": plan,
                                                      "token": token if plan.ok else ""})


def _field_html(f, value, prev, messages, comment, changed, *, can_fill: bool, can_comment: bool) -> str:
    """One field row. Built here with every value escaped (`html.escape`), not by a template loop: a form of
    300 fields renders in a few milliseconds this way, where the template engine took tens."""
    e = html.escape
    code = e(f.code)
    if str(f.type) == "flag":
        options = "".join(f'<option value="{v}"{" selected" if value == int(v) else ""}>{label}</option>'
                          for v, label in (("1", "да"), ("0", "нет")))
        widget = (f'<select name="f_{code}" id="f_{code}"{"" if can_fill else " disabled"}>'
                  f'<option value=""></option>{options}</select>')
    else:
        widget = (f'<input type="text" inputmode="decimal" name="f_{code}" id="f_{code}" '
                  f'value="{e("" if value is None else str(value))}"{"" if can_fill else " readonly"}>')
    label = e(f.label) + (e(f", {f.unit}") if f.unit else "") + (" *" if f.required else "")
    if f.help:
        label += f'<br><span class="muted">{e(f.help)}</span>'
    extra = f' <span class="comment">{e(comment)}</span>' if comment else ""
    if changed:
        extra += f' <span class="changed">было {e("—" if changed[0] is None else str(changed[0]))}</span>'
    if can_comment:
        extra += f' <input type="text" form="return-form" name="c_{code}" placeholder="замечание к полю">'
    past = e(f"в прошлом году: {prev}") if prev is not None else ""
    return (f'<div class="field{" bad" if messages else ""}" data-code="{code}"><label for="f_{code}">{label}'
            f'</label><span>{widget}</span><span class="prev">{past}</span><span><span class="msg">'
            f'{e("; ".join(messages))}</span>{extra}</span></div>')


def _fields_context(respondent: Respondent, checked, prev: dict, *, can_fill: bool = False,
                    can_comment: bool = False):
    from django.utils.safestring import mark_safe

    form = respondent.form.form()
    msgs = checked.messages()
    sections = []
    for section in form.sections:
        rows = "".join(_field_html(f, respondent.values.get(f.code), prev.get(f.code), msgs.get(f.code, []),
                                   respondent.comments.get(f.code, ""), respondent.changed_after_approval.get(f.code),
                                   can_fill=can_fill, can_comment=can_comment) for f in section.fields)
        sections.append({"title": section.title, "html": mark_safe(rows)})  # noqa: S308 — escaped in _field_html
    totals = []
    rosters = []
    for roster in form.rosters:
        listed = roster.code in respondent.rosters  # totals come from the rows; else they are typed
        for code in roster.fills:
            value = respondent.values.get(code)
            totals.append({"code": code, "label": roster.fill_label(code), "value": "" if value is None else value,
                           "prev": prev.get(code), "messages": msgs.get(code, []), "computed": listed})
        rosters.append({"roster": roster, "html": mark_safe(_roster_html(  # noqa: S308 — escaped in _roster_html
            roster, respondent.rosters.get(roster.code, []), can_fill=can_fill))})
    soft = [{"check": c, "failing": any(f.code == c.code for f in checked.soft),
             "text": respondent.justifications.get(c.code, "")} for c in form.checks if str(c.kind) == "soft"]
    return form, sections, totals, soft, rosters


ROSTER_SPARE_ROWS = 3  # empty rows under a roster (the page's script adds more)
ROSTER_MAX_ROWS = 2000


def _roster_html(roster, rows: list[dict], *, can_fill: bool) -> str:
    """A roster as a table of inputs `r__<roster>__<n>__<column>`: its rows, then empty ones to add more."""
    from html import escape

    columns = [("code", roster.key_label, ())] + [(c.code, c.label, c.choices) for c in roster.columns]
    head = "".join(f"<th>{escape(label)}</th>" for _, label, _ in columns)
    body = []
    for n, row in enumerate([*rows, *([{}] * (ROSTER_SPARE_ROWS if can_fill else 0))]):
        cells = []
        for code, label, choices in columns:
            name = escape(f"r__{roster.code}__{n}__{code}")
            value = "" if row.get(code) is None else str(row.get(code))
            if choices and can_fill:
                options = "".join(f'<option value="{escape(str(c))}"{" selected" if str(c) == value else ""}>'
                                  f"{escape(str(c))}</option>" for c in choices)
                cells.append(f'<td><select name="{name}" aria-label="{escape(label)}"><option value=""></option>'
                             f"{options}</select></td>")
            else:
                cells.append(f'<td><input type="text" name="{name}" value="{escape(value)}" maxlength="200" '
                             f'aria-label="{escape(label)}"{"" if can_fill else " readonly"}></td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<table class="data roster" data-roster="{escape(roster.code)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _posted_rosters(request, form) -> dict[str, list[dict]] | None:
    """The roster rows posted by the page (empty rows dropped); None when the page sent no roster at all."""
    if not any(key.startswith("r__") for key in request.POST):
        return None
    out: dict[str, list[dict]] = {}
    for roster in form.rosters:
        prefix = f"r__{roster.code}__"
        rows: dict[int, dict] = {}
        for key, value in request.POST.items():
            if key.startswith(prefix):
                number, _, column = key[len(prefix):].partition("__")
                if number.isdigit() and int(number) < ROSTER_MAX_ROWS and value.strip():
                    rows.setdefault(int(number), {})[column] = value.strip()[:200]
        if rows:  # a roster with rows fills its totals; without rows the totals are typed
            out[roster.code] = [rows[n] for n in sorted(rows)]
    return out


@login_required
def respondent_page(request, pk: int):
    respondent = _respondent(request, pk)
    checked = services.check(respondent)
    prev = services.previous_values(respondent)
    fill = services.may_fill(request.user, respondent) and services.entry_open(respondent) and \
        respondent.state != State.ACCEPTED
    review = services.may_review(request.user, respondent)
    form, sections, totals, soft, rosters = _fields_context(respondent, checked, prev, can_fill=fill,
                                                            can_comment=review and respondent.state == State.SUBMITTED)
    return render(request, "collection/respondent.html", {
        "r": respondent, "form": form, "sections": sections, "totals": totals, "soft": soft, "checked": checked,
        "rosters": rosters,
        "can_fill": fill, "can_review": review,
        "can_accept": services.may_accept(request.user, respondent),
        "draft_mode": respondent.state in (State.NOT_STARTED, State.DRAFT, State.RETURNED),
        "revisions": restrict(Revision.objects.filter(respondent=respondent).select_related("actor"),
                              request.user),
        "general_comment": respondent.comments.get("_", ""),
    })


def _posted_values(request, respondent: Respondent) -> tuple[dict, dict]:
    form = respondent.form.form()
    values = {code: request.POST[f"f_{code}"] for code in form.columns_filled() if f"f_{code}" in request.POST}
    justifications = {c.code: request.POST[f"j_{c.code}"] for c in form.checks if f"j_{c.code}" in request.POST}
    return values, justifications


@login_required
@require_POST
def save(request, pk: int):
    """Autosave of a draft (fetch from the page's script): the field messages and progress as JSON."""
    respondent = _respondent(request, pk)
    if not services.may_fill(request.user, respondent):
        raise PermissionDenied("Эту форму заполняет организация.")
    values, justifications = _posted_values(request, respondent)
    rosters = _posted_rosters(request, respondent.form.form())
    try:
        if respondent.state in (State.NOT_STARTED, State.DRAFT, State.RETURNED):
            checked = services.save_draft(respondent, request.user, values, justifications=justifications,
                                          rosters=rosters)
        else:
            checked = services.check(respondent, {**respondent.values, **values},
                                     {**respondent.justifications, **justifications}, rosters)
    except services.Refused as refused:
        return JsonResponse({"ok": False, "errors": refused.reasons}, status=409)
    return JsonResponse({"ok": True, "messages": checked.messages(), "filled": checked.filled,
                         "total": checked.total, "soft": [f.code for f in checked.soft],
                         "roster_errors": checked.roster_errors,
                         # the totals the rows now fill (their inputs become read-only on the page)
                         "totals": {code: checked.values.get(code) for r in respondent.form.form().rosters
                                    if rosters and r.code in rosters for code in r.fills},
                         "can_submit": checked.can_submit, "state": respondent.get_state_display()})


@login_required
@require_POST
def submit(request, pk: int):
    respondent = _respondent(request, pk)
    if not services.may_fill(request.user, respondent):
        raise PermissionDenied("Эту форму заполняет организация.")
    values, justifications = _posted_values(request, respondent)
    rosters = _posted_rosters(request, respondent.form.form())
    try:
        services.submit(respondent, request.user, values, justifications=justifications, rosters=rosters)
    except services.Refused as refused:
        if respondent.state in (State.NOT_STARTED, State.DRAFT, State.RETURNED):
            try:
                services.save_draft(respondent, request.user, values, justifications=justifications,
                                    rosters=rosters)
            except services.Refused:
                pass
        messages.error(request, "Форма не отправлена: " + "; ".join(refused.reasons))
        return _back(respondent)
    messages.success(request, "Форма отправлена на проверку муниципалитету.")
    return _back(respondent)


@login_required
@require_POST
def return_for_work(request, pk: int):
    respondent = _respondent(request, pk)
    if not services.may_review(request.user, respondent):
        raise PermissionDenied("Возвращать формы может муниципальный координатор или регион.")
    form = respondent.form.form()
    comments = {code: request.POST.get(f"c_{code}", "") for code in form.columns_filled()}
    note = request.POST.get("note", "")
    return _transition(request, respondent,
                       lambda: services.return_for_work(respondent, request.user, comments, note),
                       "Форма возвращена на доработку с замечаниями.")


def _transition(request, respondent, step, success: str):
    """Run one state change of a respondent; the service's refusal reasons become the page's message."""
    try:
        step()
    except services.Refused as refused:
        messages.error(request, "; ".join(refused.reasons))
        return _back(respondent)
    messages.success(request, success)
    return _back(respondent)


@login_required
@require_POST
def approve(request, pk: int):
    respondent = _respondent(request, pk)
    if not services.may_review(request.user, respondent):
        raise PermissionDenied("Согласовывать формы может муниципальный координатор или регион.")
    return _transition(request, respondent, lambda: services.approve(respondent, request.user), "Форма согласована.")


@login_required
@require_POST
def accept(request, pk: int):
    respondent = _respondent(request, pk)
    if not services.may_accept(request.user, respondent):
        raise PermissionDenied("Принимать формы может регион.")
    return _transition(request, respondent, lambda: services.accept(respondent, request.user),
                       "Форма принята; данные опубликованы в набор и войдут в следующий расчёт.")


@login_required
@require_POST
def accept_all(request, pk: int):
    campaign = _campaign(request, pk)
    if not services.may_accept(request.user):
        raise PermissionDenied("Принимать формы может регион.")
    chosen = list(restrict(campaign.respondents.filter(state=State.APPROVED), request.user)
                  .select_related("organisation", "municipality", "campaign"))
    if not chosen:
        messages.info(request, "Согласованных форм, ожидающих приёма, нет.")
        return redirect("collection-campaign", pk=campaign.pk)
    try:
        accepted, _ = services.accept_many(chosen, request.user)
    except services.Refused as refused:
        messages.error(request, "; ".join(refused.reasons))
        return redirect("collection-campaign", pk=campaign.pk)
    messages.success(request, f"Принято форм: {len(accepted)}; данные опубликованы.")
    return redirect("collection-campaign", pk=campaign.pk)


@login_required
@require_POST
def lock(request, pk: int):
    campaign = _campaign(request, pk)
    if not services.may_accept(request.user):
        raise PermissionDenied("Закрывать ввод может регион.")
    campaign.locked = request.POST.get("locked", "1") == "1"
    campaign.save(update_fields=["locked"])
    messages.success(request, "Ввод после срока закрыт." if campaign.locked else "Ввод снова открыт.")
    return redirect("collection-campaign", pk=campaign.pk)


@login_required
@require_POST
def grant_exception(request, pk: int):
    respondent = _respondent(request, pk)
    if not services.may_accept(request.user, respondent):
        raise PermissionDenied("Исключения даёт регион.")
    try:
        until = date.fromisoformat(request.POST.get("until", ""))
        services.grant_exception(respondent, request.user, until, request.POST.get("reason", ""))
    except ValueError:
        messages.error(request, "Укажите дату окончания исключения.")
    except services.Refused as refused:
        messages.error(request, "; ".join(refused.reasons))
    return _back(respondent)


@login_required
def dataset_upload(request):
    """A declared dataset straight from a CSV/XLSX (the same as `msoko import dataset`); the region only."""
    from msoko.ingest.declared import catalog_and_forms, import_dataset

    scope = scope_of(request.user)
    if not (can(request.user, Action.IMPORT_DATA) and scope.level in ("region", "all")):
        raise PermissionDenied("Наборы данных целиком загружает регион.")
    catalog, _, _ = catalog_and_forms(settings.WORKSPACE)
    datasets = [d for d in (catalog.datasets if catalog else ()) if d.name != "risk_lists"]
    outcome = None
    if request.method == "POST":
        file = request.FILES.get("file")
        name = request.POST.get("dataset", "")
        if file is None or file.size > MAX_UPLOAD or not any(d.name == name for d in datasets):
            messages.error(request, "Выберите набор данных и файл CSV или XLSX не больше 20 МБ.")
            return redirect("collection-dataset-upload")
        suffix = ".xlsx" if file.name.lower().endswith(".xlsx") else ".csv"
        with tempfile.NamedTemporaryFile(suffix=suffix, dir=_upload_dir(), delete=False) as out:
            for chunk in file.chunks():
                out.write(chunk)
        try:
            allowed = None
            if scope.level == "region":
                allowed = set(Organisation.objects.filter(municipality__region_id=scope.pk)
                              .values_list("code", flat=True)) | set(
                    Municipality.objects.filter(region_id=scope.pk).values_list("code", flat=True))
            outcome = import_dataset(settings.WORKSPACE, name, Path(out.name),
                                     dry_run=request.POST.get("dry_run") == "1", actor=request.user.username,
                                     file_name=file.name, allowed=allowed)
        finally:
            Path(out.name).unlink(missing_ok=True)
    return render(request, "collection/dataset_upload.html", {"datasets": datasets, "outcome": outcome,
                                                              "url": reverse("collection-dataset-upload")})

