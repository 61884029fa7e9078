"""A recommendation both ways: the coordinator sends it with a deadline, the school takes it on and reports
what it did (text and an optional file), the coordinator closes it as done or returns the report.

Who does what: the organisation's own staff (a user whose scope is that organisation) acknowledges and
reports; whoever keeps the cycle (`services.can_edit`) issues and closes. Everyone else in scope only reads.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from msoko.web.access import get_in_scope, restrict, scope_of
from msoko.web.cycle import services, uploads
from msoko.web.cycle.models import Recommendation, RecommendationStatus

REPORT_MAX_CHARS = 10_000
NOTE_MAX_CHARS = 4_000


def _recommendation(request, pk: int) -> Recommendation:
    return get_in_scope(Recommendation.objects.select_related("cycle", "organisation", "issued_by",
                                                              "acknowledged_by", "closed_by"), request.user, pk=pk)


def is_addressee(user, rec: Recommendation) -> bool:
    """The school it is addressed to, through a user of that organisation's own scope."""
    scope = scope_of(user)
    return scope.level == "organisation" and scope.pk == rec.organisation_id


def _page_url(rec: Recommendation) -> str:
    return reverse("cycle-recommendation", kwargs={"pk": rec.pk})


@login_required
def recommendation_page(request, pk: int):
    rec = _recommendation(request, pk)
    keeper = services.can_edit(request.user, rec.cycle)
    if rec.status == RecommendationStatus.DRAFT and not keeper:
        raise Http404("Рекомендация ещё не направлена.")  # a school never sees the coordinator's drafts
    addressee = is_addressee(request.user, rec)
    return render(request, "cycle/recommendation.html", {
        "rec": rec, "today": date.today(), "overdue": rec.overdue(date.today()),
        "may_acknowledge": addressee and rec.status == RecommendationStatus.ISSUED,
        "may_report": addressee and rec.status in (RecommendationStatus.ISSUED, RecommendationStatus.ACKNOWLEDGED,
                                                   RecommendationStatus.RETURNED),
        "may_close": keeper and rec.status == RecommendationStatus.REPORTED,
        "may_issue": keeper and rec.status == RecommendationStatus.DRAFT,
        "report_max": REPORT_MAX_CHARS, "note_max": NOTE_MAX_CHARS,
    })


def _addressee_only(request, rec: Recommendation) -> None:
    if not is_addressee(request.user, rec):
        raise PermissionDenied("Принять рекомендацию и отчитаться по ней может только организация, которой она направлена.")


@login_required
@require_POST
def acknowledge(request, pk: int):
    rec = _recommendation(request, pk)
    _addressee_only(request, rec)
    if rec.acknowledge(request.user):
        messages.success(request, "Рекомендация принята к исполнению.")
    else:
        messages.error(request, f"Рекомендацию в состоянии «{rec.get_status_display()}» принять нельзя.")
    return redirect(_page_url(rec))


@login_required
@require_POST
def report(request, pk: int):
    rec = _recommendation(request, pk)
    _addressee_only(request, rec)
    text = (request.POST.get("report") or "").strip()
    upload = request.FILES.get("file")
    if not text:
        messages.error(request, "Опишите, что сделано: поле «Отчёт» не заполнено.")
        return redirect(_page_url(rec))
    if len(text) > REPORT_MAX_CHARS:
        messages.error(request, f"Отчёт длиннее {REPORT_MAX_CHARS} знаков: сократите его или приложите файл.")
        return redirect(_page_url(rec))
    if upload is not None:
        refused = uploads.check(upload.name, upload.size, upload)
        if refused:
            messages.error(request, f"Файл «{upload.name}» не принят: {refused}")
            return redirect(_page_url(rec))
    previous = rec.report_file.name if rec.report_file else None
    if upload is not None and rec.status in (RecommendationStatus.ISSUED, RecommendationStatus.ACKNOWLEDGED,
                                             RecommendationStatus.RETURNED):
        rec.report_file.save(upload.name, upload, save=False)  # stored under a random name (report_path)
        rec.report_name = upload.name.replace("/", "_").replace("\\", "_")[:255]
    if rec.submit_report(text):
        if upload is not None and previous:
            rec.report_file.storage.delete(previous)  # the returned report's file is replaced, not kept twice
        messages.success(request, "Отчёт направлен координатору.")
    else:
        messages.error(request, f"По рекомендации в состоянии «{rec.get_status_display()}» отчёт не принимается.")
    return redirect(_page_url(rec))


@login_required
@require_POST
def close(request, pk: int):
    rec = _recommendation(request, pk)
    if not services.can_edit(request.user, rec.cycle):
        raise PermissionDenied("Закрыть рекомендацию может только тот, кто ведёт цикл.")
    accepted = request.POST.get("decision") == "done"
    note = (request.POST.get("note") or "").strip()[:NOTE_MAX_CHARS]
    if not accepted and not note:
        messages.error(request, "Возвращая отчёт, напишите, что доработать.")
        return redirect(_page_url(rec))
    if rec.close(request.user, note, accepted=accepted):
        messages.success(request, "Рекомендация выполнена." if accepted else "Отчёт возвращён школе на доработку.")
    else:
        messages.error(request, f"Рекомендацию в состоянии «{rec.get_status_display()}» закрыть нельзя.")
    return redirect(_page_url(rec))


@login_required
def report_download(request, pk: int):
    rec = _recommendation(request, pk)
    if not rec.report_file:
        raise Http404("К отчёту не приложен файл.")
    return uploads.attachment(rec.report_file, rec.report_name, "report")


def home_tasks(user, today: date | None = None) -> list[dict]:
    """For the home page: a school's recommendations to take on or report on (overdue first); a keeper's
    reports to check and overdue recommendations. Dicts {"title", "url", "due", "count", "overdue"}."""
    today = today or date.today()
    scope = scope_of(user)
    if scope.is_none:
        return []
    recs = restrict(Recommendation.objects.select_related("cycle", "organisation"), user)
    out = []
    if scope.level == "organisation":
        waiting = recs.filter(organisation_id=scope.pk, status__in=(
            RecommendationStatus.ISSUED, RecommendationStatus.ACKNOWLEDGED, RecommendationStatus.RETURNED))
        for rec in waiting.order_by("deadline", "pk")[:20]:
            what = {RecommendationStatus.ISSUED: "принять к исполнению",
                    RecommendationStatus.RETURNED: "доработать отчёт"}.get(rec.status, "отчитаться")
            out.append({"title": f"Рекомендация ({rec.cycle.system}): {what}", "url": _page_url(rec),
                        "due": rec.deadline, "count": None, "overdue": rec.overdue(today)})
        return out
    kept = [rec for rec in recs.filter(status__in=(RecommendationStatus.REPORTED, RecommendationStatus.ISSUED,
                                                   RecommendationStatus.ACKNOWLEDGED, RecommendationStatus.RETURNED))
            if services.can_edit(user, rec.cycle)]
    for rec in [r for r in kept if r.status == RecommendationStatus.REPORTED][:20]:
        out.append({"title": f"Отчёт школы по рекомендации: {rec.organisation.name}", "url": _page_url(rec),
                    "due": None, "count": None, "overdue": False})
    for rec in [r for r in kept if r.overdue(today)][:20]:
        out.append({"title": f"Просрочена рекомендация: {rec.organisation.name}", "url": _page_url(rec),
                    "due": rec.deadline, "count": None, "overdue": True})
    return out
