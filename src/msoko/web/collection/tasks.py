"""What needs doing in collection, for the home page: forms due, forms to review, forms to accept."""

from __future__ import annotations

from django.urls import reverse

from msoko.web.access import can, restrict, scope_of
from msoko.web.accounts.roles import Action
from msoko.web.collection import services
from msoko.web.collection.models import Reminder, Respondent, State


def home_tasks(user) -> list[dict]:
    """Dicts {"title", "url", "due", "count"} (the home page's provider shape)."""
    scope = scope_of(user)
    if scope.is_none:
        return []
    mine = restrict(Respondent.objects.select_related("campaign", "campaign__form", "organisation",
                                                      "municipality"), user)
    tasks = []
    if can(user, Action.FILL_FORMS):
        for r in mine.filter(state__in=(State.NOT_STARTED, State.DRAFT, State.RETURNED))[:20]:
            if services.may_fill(user, r):
                what = "вернули на доработку" if r.state == State.RETURNED else "заполнить"
                tasks.append({"title": f"{r.campaign.form.title}, {r.campaign.year}: {what} ({r.unit_name})",
                              "url": reverse("collection-respondent", args=[r.pk]), "due": r.campaign.deadline,
                              "count": None})
    if can(user, Action.REVIEW_FORMS) and scope.level in ("municipality", "region", "all"):
        waiting = mine.filter(state=State.SUBMITTED).count()
        if waiting:
            tasks.append({"title": "Формы сбора ждут проверки", "url": reverse("collection-index"), "due": None,
                          "count": waiting})
    if services.may_accept(user):
        approved = mine.filter(state=State.APPROVED).count()
        if approved:
            tasks.append({"title": "Согласованные формы ждут приёма регионом", "url": reverse("collection-index"),
                          "due": None, "count": approved})
    unread = restrict(Reminder.objects.filter(user=user, read=False), user).count()
    if unread:
        tasks.append({"title": "Напоминания о сроках сбора данных", "url": reverse("collection-index"),
                      "due": None, "count": unread})
    return tasks
