"""Reminders: to respondents before the deadline, to the coordinator for organisations overdue.

`send_reminders(today)` creates in-app `Reminder`s (once per user, campaign and text) and mails each new one
to a user with an address through Django's email backend (the console by default, see settings). Run by
`msoko forms remind` (daily from cron, for example); the home page shows unread reminders via home_tasks.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from msoko.web.accounts.models import User
from msoko.web.accounts.roles import Role
from msoko.web.collection.models import Campaign, Reminder, State

BEFORE_DAYS = 3
OPEN_STATES = (State.NOT_STARTED, State.DRAFT, State.RETURNED)


def _remind(user, campaign, text: str) -> bool:
    try:
        with transaction.atomic():
            Reminder.objects.create(user=user, campaign=campaign, text=text)
    except IntegrityError:
        return False  # already reminded of exactly this
    if user.email:
        send_mail("МСОКО: сбор данных", text, None, [user.email], fail_silently=True)
    return True


def send_reminders(today: date | None = None) -> int:
    today = today or date.today()
    sent = 0
    for campaign in Campaign.objects.select_related("form").filter(deadline__gte=today - timedelta(days=60)):
        title = f"«{campaign.form.title}», {campaign.year}"
        pending = campaign.respondents.filter(state__in=OPEN_STATES).select_related("organisation", "municipality")
        if today <= campaign.deadline <= today + timedelta(days=BEFORE_DAYS):
            for r in pending:
                users = (User.objects.filter(organisation=r.organisation, role=Role.SCHOOL_OPERATOR)
                         if r.organisation_id else
                         User.objects.filter(municipality=r.municipality, role=Role.MUNICIPAL_COORDINATOR))
                for user in users.filter(is_active=True):
                    sent += _remind(user, campaign, f"Форма {title} ({r.unit_name}) — срок сдачи "
                                                    f"{campaign.deadline:%d.%m.%Y}.")
        elif campaign.deadline < today:
            late: dict[int, list[str]] = {}
            for r in pending:
                late.setdefault(r.municipality_id, []).append(r.unit_name)
            for municipality_id, names in late.items():
                for user in User.objects.filter(municipality_id=municipality_id, role=Role.MUNICIPAL_COORDINATOR,
                                                is_active=True):
                    sent += _remind(user, campaign, f"Форма {title}: срок {campaign.deadline:%d.%m.%Y} прошёл, "
                                                    f"не сдали ({len(names)}): {', '.join(sorted(names)[:20])}.")
    return sent
