"""The demo's collection: a campaign of every default form for each demo year, with plausible submissions.

Values come from `msoko.synth.collection` (with its planted structure). Most respondents went the whole way
(submitted → approved by the municipality → accepted by the region); some were late; in the last year one
school's form was returned with a comment and corrected, one school never submitted its talents form, and
the demo school's own talents form of the last year is still a draft to fill. Accepted data are published
through `services.publish`, like any campaign, before the demo computes. Idempotent: a workspace that
already has campaigns is left as it is.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from msoko.engine.forms import check_values
from msoko.engine.forms.model import CheckKind
from msoko.synth.collection import aggregated_results, collection_rows
from msoko.web.accounts.models import User
from msoko.web.accounts.roles import Role
from msoko.web.collection import services
from msoko.web.collection.models import Campaign, Respondent, Revision, State
from msoko.web.demo_users import demo_municipality

JUSTIFICATION = "Пояснение демо-режима: значение проверено, отклонение объясняется изменениями в организации."


def _orgs(path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for key in ("students", "teachers"):
            row[key] = int(row[key]) if row.get(key) else None
    return rows


def _at(day: date, hour: int = 11) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def ensure_demo_collection(ws, region, seed: int) -> dict | None:
    """Open and fill the demo campaigns; returns what was planted (None when campaigns already exist)."""
    if Campaign.objects.exists():
        return None
    _import_aggregated(ws, region, seed)
    truth = region.ground_truth
    shnor = {o["org_id"] for o in truth.get("low_results", [])} | {o["org_id"] for o in truth.get("adverse_social", [])}
    rows, planted = collection_rows(_orgs(region.files["organisations"]), region.years, seed, shnor=shnor)
    users = {u.role: u for u in User.objects.filter(username__in=("region-admin", "coordinator", "school"))}
    accepter = users.get(Role.REGION_ADMIN)
    coordinator = users.get(Role.MUNICIPAL_COORDINATOR)
    home = demo_municipality()
    forms, _ = services.workspace_forms(ws)
    codes = sorted({f.code for f in forms if f.dataset in rows})
    last_year = max(region.years)
    demo_school = users.get(Role.SCHOOL_OPERATOR)
    special = {"missing": None, "returned": None, "draft": getattr(demo_school, "organisation_id", None)}
    for year in sorted(region.years):
        deadline = date(year, 9, 15)
        for code in codes:
            campaign = services.open_campaign(code, year, deadline, opens_on=date(year, 8, 20), ws=ws)
            _fill(campaign, rows[campaign.form.dataset], year == last_year, accepter, coordinator, home, special)
            services.publish(campaign, actor="demo", ws=ws)
    return planted


def _import_aggregated(ws, region, seed: int) -> None:
    """The aggregated РДР results (results_by_org.csv), through the ordinary import."""
    from msoko.core.issues import RejectedInput
    from msoko.ingest import import_file

    rows = aggregated_results(_orgs(region.files["organisations"]), region.years, seed)
    path = region.out_dir / "results_by_org.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    outcome = import_file(ws, path, kind="results", actor="demo")
    if outcome.rejected:
        raise RejectedInput(outcome.issues)


def _fill(campaign, dataset_rows, last: bool, accepter, coordinator, home, special) -> None:
    form = campaign.form.form()
    unit = "municipality_id" if campaign.form.level == "municipality" else "org_id"
    by_unit = {r[unit]: r for r in dataset_rows if r["year"] == campaign.year}
    prev = {r[unit]: r for r in dataset_rows if r["year"] == campaign.year - 1}
    respondents = list(campaign.respondents.select_related("organisation", "municipality"))
    revisions: list[Revision] = []
    rng_index = 0
    for r in respondents:
        row = by_unit.get(r.unit_code)
        if row is None:
            continue
        rng_index += 1
        values = {k: v for k, v in row.items() if k not in ("year", unit) and v is not None}
        if last and form.code == "form_talents" and r.organisation_id == special["draft"]:
            r.values, r.state = {k: values[k] for k in list(values)[:4]}, State.DRAFT  # the demo school's task
            revisions.append(Revision(respondent=r, state=State.DRAFT, values=r.values, note="начато заполнение",
                                      actor_label="школа (демо)"))
            continue
        if last and form.code == "form_talents" and special["missing"] is None and r.organisation_id and \
                r.municipality_id != getattr(home, "pk", None):
            special["missing"] = r.pk  # never submitted: the late list names it
            continue
        checked = check_values(form, values, prev=prev.get(r.unit_code))
        if checked.hard or checked.field_errors:
            raise ValueError(f"demo values fail {form.code} for {r.unit_code}: {checked.blocking()}")
        late = rng_index % 14 == 0
        submitted = campaign.deadline + timedelta(days=3 + rng_index % 6) if late else \
            campaign.deadline - timedelta(days=1 + rng_index % 12)
        r.values = values
        r.justifications = {f.code: JUSTIFICATION for f in checked.soft if f.kind is CheckKind.SOFT}
        r.first_submitted_at = r.submitted_at = _at(submitted)
        r.approved_at, r.accepted_at = _at(submitted + timedelta(days=2), 15), _at(submitted + timedelta(days=6), 10)
        in_home = r.municipality_id == getattr(home, "pk", None)
        r.approved_by = coordinator if in_home and r.organisation_id else None
        r.accepted_by = accepter
        r.approved_values = dict(values)
        r.state = State.ACCEPTED
        chain = [(State.SUBMITTED, r.submitted_at, "отправлена", {}), ]
        if last and form.code == "form_careers" and special["returned"] is None and in_home and r.organisation_id:
            special["returned"] = r.pk
            wrong = dict(values, parents_helped=values["parents"] + 40)
            returned_at = r.submitted_at + timedelta(days=1)
            r.submitted_at = returned_at + timedelta(days=1)
            chain = [(State.SUBMITTED, returned_at - timedelta(days=1), "отправлена", {"values": wrong}),
                     (State.RETURNED, returned_at, "Родителей, получивших консультации, больше, чем родителей: "
                      "проверьте строку «Родители, получившие консультации»", {"comments": {
                          "parents_helped": "больше, чем родителей"}}),
                     (State.SUBMITTED, r.submitted_at, "исправлено после возврата",
                      {"parents_helped": [wrong["parents_helped"], values["parents_helped"]]})]
            r.returned_at, r.returned_by = returned_at, coordinator
        chain += [(State.APPROVED, r.approved_at, "согласована", {}),
                  (State.ACCEPTED, r.accepted_at, "принята регионом", {})]
        for state, at, note, diff in chain:
            revisions.append(Revision(respondent=r, state=state, values=diff.pop("values", values), diff=diff,
                                      note=note, actor_label="демо-режим", at=at))
    with transaction.atomic():
        Respondent.objects.bulk_update(
            respondents, ["values", "justifications", "state", "first_submitted_at", "submitted_at", "approved_at",
                          "accepted_at", "approved_by", "accepted_by", "approved_values", "returned_at",
                          "returned_by"], batch_size=500)
        Revision.objects.bulk_create(revisions, batch_size=500)
