"""Error pages in Russian inside the site's layout: what happened and where to go next (urls.py handler400…500).

A 403 shows the reason the view gave (`PermissionDenied("…")`); a 404 shows the view's Russian message (the scope gate's
«не найден или недоступен» never says whether the object exists elsewhere), else a general one. Expected refusals (4xx) are logged as one line, without a
traceback (`QuietRefusals`, attached to the `django.request` logger in settings.LOGGING); a 500 keeps its
traceback for the administrator.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse
from django.template.loader import render_to_string

DEFAULT_REASON = {
    400: "Запрос не удалось обработать: в нём ошибка или он устарел (например, форма открыта слишком давно).",
    403: "У вашей учётной записи нет прав на это действие.",
    404: "Такой страницы нет, или она вне вашей области доступа.",
    500: "На сервере произошла ошибка. Администратор увидит её в журнале; повторите действие позже.",
}
TITLE = {400: "Неверный запрос", 403: "Доступ запрещён", 404: "Страница не найдена", 500: "Ошибка сервера"}


def _reason(exception, status: int) -> str:
    """The view's own Russian message when it gave one (never Django's English defaults)."""
    text = str(exception.args[0]) if exception is not None and getattr(exception, "args", None) else ""
    if not text or not any("а" <= ch.lower() <= "я" or ch in "ёЁ" for ch in text):
        return DEFAULT_REASON[status]
    return text


def render_error(request, status: int, reason: str) -> HttpResponse:
    context = {"status": status, "title": TITLE[status], "reason": reason}
    try:
        html = render_to_string("errors/error.html", context, request)
    except Exception:  # noqa: BLE001 — a failing context (the database down) must still give a page
        html = render_to_string("errors/error.html", context)
    return HttpResponse(html, status=status)


def bad_request(request, exception=None):
    return render_error(request, 400, _reason(exception, 400))


def permission_denied(request, exception=None):
    return render_error(request, 403, _reason(exception, 403))


def page_not_found(request, exception=None):
    return render_error(request, 404, _reason(exception, 404))


def server_error(request):
    return HttpResponse(render_to_string("errors/error.html", {"status": 500, "title": TITLE[500],
                                                               "reason": DEFAULT_REASON[500]}), status=500)


def csrf_failure(request, reason=""):
    return render_error(request, 403, "Форма устарела или открыта в другой вкладке: обновите страницу и "
                                      "отправьте её ещё раз.")


class QuietRefusals(logging.Filter):
    """A refusal the app meant (400–499) is logged as one line, without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
