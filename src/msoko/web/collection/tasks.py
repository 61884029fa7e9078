"""What needs doing in collection, for the home page: forms due, forms to review, forms to accept."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

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
    open_states = (State.NOT_STARTED, State.DRAFT, State.RETURNED)
    if can(user, Action.FILL_FORMS):
        # one's own forms: a school's, or a municipality's own (not its schools', which are the schools' tasks)
        own = (mine.filter(organisation_id=scope.pk) if scope.level == "organisation"
               else mine.filter(organisation__isnull=True) if scope.level == "municipality" else mine.none())
        for r in own.filter(state__in=open_states)[:20]:
            if services.may_fill(user, r):
                what = "вернули на доработку" if r.state == State.RETURNED else "заполнить"
                tasks.append({"title": f"{r.campaign.form.title}, {r.campaign.year}: {what} ({r.unit_name})",
                              "url": reverse("collection-respondent", args=[r.pk]), "due": r.campaign.deadline,
                              "count": None})
    if can(user, Action.REVIEW_FORMS) and scope.level in ("municipality", "region", "all"):
        late = mine.filter(organisation__isnull=False, state__in=open_states,
                           campaign__deadline__lt=timezone.localdate()).count()
        if late:
            tasks.append({"title": "Организации не сдали формы сбора в срок", "url": reverse("collection-index"),
                          "due": None, "count": late, "overdue": True})
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
