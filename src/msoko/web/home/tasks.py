"""«Что нужно сделать» on the home page: what each feature asks of this user, gathered from the features'
own providers (each returns dicts {"title", "url", "due", "count"} and may add "overdue"), overdue first,
then by date. A provider that fails is left out with a log line: the home page must always open."""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.urls import reverse

from msoko.web.access import scope_of

log = logging.getLogger(__name__)


def _collection(user):
    from msoko.web.collection.tasks import home_tasks

    return home_tasks(user)


def _evaluation(user):
    from msoko.web.evaluation.tasks import home_tasks

    return home_tasks(user)


def _recommendations(user):
    from msoko.web.cycle.recommendations import home_tasks

    return home_tasks(user)


def _measures(user):
    """Overdue measures and the ones due within a fortnight, in the cycles the user keeps or aimed at the school."""
    from msoko.web.cycle.services import due_for

    today = date.today()
    return [{"title": f"{d.kind.capitalize()}: {d.title}", "url": reverse("cycle-due"), "due": d.deadline,
             "count": None, "overdue": d.overdue}
            for d in due_for(user, today=today, horizon_days=14) if d.kind == "мероприятие"][:20]


PROVIDERS = (("Сбор данных", _collection), ("Оценка механизмов управления", _evaluation),
             ("Рекомендации", _recommendations), ("Мероприятия", _measures))


def tasks_for(user) -> list[dict]:
    if scope_of(user).is_none:
        return []
    out = []
    for section, provider in PROVIDERS:
        try:
            items = provider(user)
        except Exception:  # noqa: BLE001 — one feature's failure must not take the home page down
            log.exception("home tasks of %s failed", section)
            continue
        out += [{**item, "section": section} for item in items]
    today = date.today()
    for item in out:
        if isinstance(item.get("due"), datetime):
            item["due"] = item["due"].date()
        if "overdue" not in item or item["overdue"] is None:
            item["overdue"] = item.get("due") is not None and item["due"] < today
    out.sort(key=lambda t: (not t["overdue"], t["due"] is None, t["due"] or today))
    return out
