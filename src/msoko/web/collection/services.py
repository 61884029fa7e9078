"""Work of collection that is not a request: publishing form versions, opening campaigns, the transitions of
a respondent, publishing accepted data to the warehouse, and completeness. Views, the CLI and the demo
call these; each transition writes a `Revision` (and the audit log records the model change).

Transitions (`Refused` carries the Russian reasons when one is not allowed):

    not_started/draft/returned --save--> draft          (autosave; never checked beyond types)
    draft/returned/approved/submitted --submit--> submitted   (all checks pass, soft ones justified;
                                                      from approved: the diff against the approval is kept)
    submitted --return--> returned (comments per field)      submitted --approve--> approved
    approved (or submitted: the region approves in the same step) --accept--> accepted → published
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from msoko.core.issues import Issue
from msoko.engine.forms import Form, check_values
from msoko.engine.forms.load import latest
from msoko.engine.forms.values import Checked
from msoko.web.access import can, scope_of
from msoko.web.accounts.roles import Action
from msoko.web.collection.models import Campaign, FormVersion, Respondent, Revision, State
from msoko.web.registry.models import Municipality, Organisation, Region

EDITABLE = (State.NOT_STARTED, State.DRAFT, State.RETURNED, State.SUBMITTED, State.APPROVED)


class Refused(Exception):
    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


# ---- forms of the workspace catalog -------------------------------------------------------------------

def workspace_forms(ws=None) -> tuple[list[Form], list[Issue]]:
    from msoko.ingest.declared import catalog_and_forms

    _, forms, issues = catalog_and_forms(ws or settings.WORKSPACE)
    return forms, issues


def publish_form(form: Form) -> FormVersion:
    """The stored published version of `form`; a changed definition under a published number is refused."""
    existing = FormVersion.objects.filter(code=form.code, version=form.version).first()
    if existing is not None:
        if existing.digest != form.digest():
            raise Refused([f"форма «{form.code}» версии {form.version} уже опубликована и не может меняться; "
                           f"сохраните изменения как версию {form.version + 1} с блоком replaces"])
        return existing
    return FormVersion.objects.create(
        code=form.code, version=form.version, dataset=form.dataset, title=form.title,
        level=str(form.respondent.level), definition=form.model_dump(mode="json"), digest=form.digest())


# ---- campaigns -----------------------------------------------------------------------------------------

@transaction.atomic
def open_campaign(form_code: str, year: int, deadline: date, *, municipalities: Iterable[str] = (),
                  kinds: Iterable[str] = (), opens_on: date | None = None, user=None, ws=None) -> Campaign:
    """Open a campaign of the latest version of a form; its respondents are fixed now (later registry
    changes do not move them)."""
    forms, issues = workspace_forms(ws)
    if any(i.is_error for i in issues):
        raise Refused([i.format() for i in issues if i.is_error])
    form = latest(forms, form_code)
    if form is None:
        raise Refused([f"форма «{form_code}» не найдена; есть: {', '.join(sorted({f.code for f in forms}))}"])
    version = publish_form(form)
    munis = Municipality.objects.all()
    codes = list(municipalities)
    if codes:
        munis = munis.filter(code__in=codes)
        missing = sorted(set(codes) - set(munis.values_list("code", flat=True)))
        if missing:
            raise Refused([f"муниципалитет «{code}» не найден в реестре" for code in missing])
    munis = list(munis)
    if not munis:
        raise Refused(["в реестре нет муниципалитетов: загрузите реестр (msoko import registry)"])
    region = munis[0].region
    chosen_kinds = list(kinds) or list(form.respondent.kinds)
    campaign = Campaign.objects.create(form=version, year=year, region=region, kinds=chosen_kinds,
                                       deadline=deadline, opens_on=opens_on or date.today(), created_by=user)
    campaign.municipalities.set(munis)
    if str(form.respondent.level) == "municipality":
        rows = [Respondent(campaign=campaign, municipality=m, form=version) for m in munis]
    else:
        orgs = Organisation.objects.filter(municipality__in=munis)
        if chosen_kinds:
            orgs = orgs.filter(kind__in=chosen_kinds)
        rows = [Respondent(campaign=campaign, organisation=o, municipality_id=o.municipality_id, form=version)
                for o in orgs]
    if not rows:
        raise Refused(["кампании некого опрашивать: нет организаций выбранных видов в выбранных муниципалитетах"])
    Respondent.objects.bulk_create(rows, batch_size=500)
    return campaign


# ---- rights --------------------------------------------------------------------------------------------

def _in_scope(user, respondent: Respondent) -> bool:
    scope = scope_of(user)
    if scope.level == "all":
        return True
    if scope.level == "region":
        return respondent.campaign.region_id == scope.pk
    if scope.level == "municipality":
        return respondent.municipality_id == scope.pk
    if scope.level == "organisation":
        return respondent.organisation_id == scope.pk
    return False


def may_fill(user, respondent: Respondent) -> bool:
    """Operators fill their organisation's form; a coordinator its municipality's own form and, on behalf of
    a school, its organisations' (the municipal Excel template); the region fills a municipality-level form
    (federal figures) for any municipality."""
    if not (can(user, Action.FILL_FORMS) and _in_scope(user, respondent)):
        return False
    level = scope_of(user).level
    if respondent.organisation_id:
        return level in ("organisation", "municipality", "all")
    return level in ("municipality", "region", "all")


def may_review(user, respondent: Respondent) -> bool:
    return (can(user, Action.REVIEW_FORMS) and _in_scope(user, respondent)
            and scope_of(user).level in ("municipality", "region", "all"))


def may_accept(user, respondent: Respondent | None = None) -> bool:
    return (can(user, Action.ACCEPT_FORMS) and scope_of(user).level in ("region", "all")
            and (respondent is None or _in_scope(user, respondent)))


def entry_open(respondent: Respondent, today: date | None = None) -> bool:
    """Entry is open unless the region locked the campaign after its deadline (an exception reopens it)."""
    today = today or timezone.localdate()
    campaign = respondent.campaign
    if not campaign.locked or today <= campaign.deadline:
        return True
    return respondent.exception_until is not None and today <= respondent.exception_until


# ---- values --------------------------------------------------------------------------------------------

def previous_values(respondent: Respondent, ws=None) -> dict:
    """Last period's accepted values of this respondent: the warehouse's active row for year − 1."""
    from msoko.ingest.declared import read_rows

    form = respondent.form
    unit = "org_id" if respondent.organisation_id else "municipality_id"
    rows = read_rows(ws or settings.WORKSPACE, form.dataset, year=respondent.campaign.year - 1,
                     unit=unit, code=respondent.unit_code)
    return rows[0] if rows else {}


def check(respondent: Respondent, raw=None, justifications=None, rosters=None, ws=None) -> Checked:
    return check_values(respondent.form.form(), respondent.values if raw is None else raw,
                        prev=previous_values(respondent, ws),
                        justifications=respondent.justifications if justifications is None else justifications,
                        rosters=respondent.rosters if rosters is None else rosters)


def _stored(checked: Checked, raw: Mapping[str, object], form: Form) -> dict:
    """What is kept: typed values where they parse, the text as typed where they do not (a draft)."""
    out = {}
    for code in form.columns_filled():
        if code in checked.values and checked.values[code] is not None:
            out[code] = checked.values[code]
        elif raw.get(code) not in (None, ""):
            out[code] = str(raw.get(code))
    return out


def diff(before: Mapping | None, after: Mapping) -> dict:
    """field → [before, after] for every field that differs."""
    before = before or {}
    return {code: [before.get(code), after.get(code)] for code in sorted(set(before) | set(after))
            if before.get(code) != after.get(code)}


def _revision(respondent: Respondent, user, note: str = "", changes: dict | None = None, label: str = "") -> None:
    Revision.objects.create(respondent=respondent, state=respondent.state, values=respondent.values,
                            diff=changes or {}, note=note, actor=user if getattr(user, "pk", None) else None,
                            actor_label=label or (getattr(user, "username", "") or ""))


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise Refused([reason])


@transaction.atomic
def _stored_rosters(form, rosters: Mapping[str, list[dict]]) -> dict[str, list[dict]]:
    """Roster rows as they may be kept: a code that is not a pseudonym and any cell that looks like a
    person's name are blanked before anything is saved (no pupil's name is ever stored, a draft included);
    the check of the blanked row still asks for a pseudonym."""
    from msoko.engine.forms.values import ROSTER_CODE
    from msoko.ingest.name_screen import looks_like_a_name

    out = {}
    for roster in form.rosters:
        if roster.code not in rosters:
            continue
        rows = []
        for row in rosters[roster.code]:
            kept = {key: ("" if isinstance(value, str) and looks_like_a_name(value) else value)
                    for key, value in row.items()}
            if not ROSTER_CODE.match(str(kept.get("code", "")).strip()):
                kept["code"] = ""
            rows.append(kept)
        out[roster.code] = rows
    return out


def save_draft(respondent: Respondent, user, raw: Mapping[str, object], *, justifications=None, rosters=None,
               label: str = "") -> Checked:
    _require(user is None or may_fill(user, respondent), "нет права заполнять эту форму")
    _require(entry_open(respondent), "срок сдачи прошёл и ввод закрыт; попросите регион об исключении")
    _require(respondent.state in (State.NOT_STARTED, State.DRAFT, State.RETURNED),
             "форма уже отправлена: чтобы изменить её, отправьте исправленные значения")
    form = respondent.form.form()
    merged = {**respondent.values, **raw}
    justifications = {**respondent.justifications, **(justifications or {})}
    rosters = respondent.rosters if rosters is None else rosters
    checked = check(respondent, merged, justifications, rosters)
    rosters = _stored_rosters(form, rosters)
    respondent.values = _stored(checked, merged, form)
    respondent.justifications = {k: v for k, v in justifications.items() if v}
    respondent.rosters = rosters
    first = respondent.state == State.NOT_STARTED
    if respondent.state == State.NOT_STARTED:
        respondent.state = State.DRAFT
    respondent.save()
    if first:
        _revision(respondent, user, "начато заполнение", label=label)
    return checked


@transaction.atomic
def submit(respondent: Respondent, user, raw: Mapping[str, object] | None = None, *, justifications=None,
           rosters=None, label: str = "", replace: bool = False) -> Checked:
    """Check and submit. `replace`: `raw` is the whole form (an Excel row), not changes to the draft."""
    _require(user is None or may_fill(user, respondent), "нет права заполнять эту форму")
    _require(entry_open(respondent), "срок сдачи прошёл и ввод закрыт; попросите регион об исключении")
    _require(respondent.state in EDITABLE, "форма принята регионом и больше не меняется")
    form = respondent.form.form()
    merged = dict(raw or {}) if replace else {**respondent.values, **(raw or {})}
    justifications = {**respondent.justifications, **(justifications or {})}
    rosters = respondent.rosters if rosters is None else rosters
    checked = check(respondent, merged, justifications, rosters)
    if not checked.can_submit:
        raise Refused(checked.blocking())
    values = _stored(checked, merged, form)
    rosters = _stored_rosters(form, rosters)  # a submitted roster has only pseudonyms already: unchanged
    was_approved = respondent.state == State.APPROVED or respondent.approved_values is not None
    changes = diff(respondent.approved_values, values) if was_approved else {}
    if respondent.state == State.SUBMITTED and values == respondent.values:
        return checked  # submitted again unchanged: nothing to record
    respondent.values = values
    respondent.justifications = {k: v for k, v in justifications.items() if v}
    respondent.rosters = rosters
    respondent.state = State.SUBMITTED
    respondent.comments = {}
    now = timezone.now()
    respondent.submitted_at = now
    respondent.first_submitted_at = respondent.first_submitted_at or now
    respondent.changed_after_approval = changes
    respondent.save()
    _revision(respondent, user, "изменено после согласования" if changes else "отправлена", changes, label)
    return checked


@transaction.atomic
def return_for_work(respondent: Respondent, user, comments: Mapping[str, str], note: str = "") -> None:
    _require(user is None or may_review(user, respondent), "нет права проверять эту форму")
    _require(respondent.state == State.SUBMITTED, "вернуть можно только отправленную форму")
    cleaned = {k: v.strip() for k, v in comments.items() if v and v.strip()}
    _require(bool(cleaned or note.strip()), "укажите, что исправить: замечание к полю или общий комментарий")
    respondent.state = State.RETURNED
    respondent.comments = {**cleaned, **({"_": note.strip()} if note.strip() else {})}
    respondent.returned_at, respondent.returned_by = timezone.now(), user if getattr(user, "pk", None) else None
    respondent.save()
    _revision(respondent, user, note or "возвращена на доработку", {"comments": respondent.comments})


@transaction.atomic
def approve(respondent: Respondent, user) -> None:
    _require(user is None or may_review(user, respondent), "нет права согласовывать эту форму")
    _require(respondent.state == State.SUBMITTED, "согласовать можно только отправленную форму")
    respondent.state = State.APPROVED
    respondent.approved_values = dict(respondent.values)
    respondent.changed_after_approval = {}
    respondent.approved_at, respondent.approved_by = timezone.now(), user if getattr(user, "pk", None) else None
    respondent.save()
    _revision(respondent, user, "согласована")


def accept_many(respondents: Iterable[Respondent], user, *, label: str = "", ws=None):
    """Accept each (approved, or submitted for a municipality's own form) and publish the campaign once."""
    accepted = []
    campaigns = {}
    with transaction.atomic():
        for respondent in respondents:
            _require(user is None or may_accept(user, respondent), "нет права принимать формы")
            _require(respondent.state in (State.APPROVED, State.SUBMITTED),
                     f"«{respondent.unit_name}»: принять можно только отправленную или согласованную форму "
                     f"(сейчас: {respondent.get_state_display()})")
            if respondent.state == State.SUBMITTED:  # the region approves in the same step
                respondent.approved_at = timezone.now()
                respondent.approved_by = user if getattr(user, "pk", None) else None
            respondent.state = State.ACCEPTED
            respondent.accepted_at = timezone.now()
            respondent.accepted_by = user if getattr(user, "pk", None) else None
            if respondent.approved_values is None:
                respondent.approved_values = dict(respondent.values)
            respondent.save()
            _revision(respondent, user, "принята регионом", label=label)
            accepted.append(respondent)
            campaigns[respondent.campaign_id] = respondent.campaign
    outcomes = [publish(campaign, actor=label or getattr(user, "username", "") or "cli", ws=ws)
                for campaign in campaigns.values()]
    return accepted, outcomes


def accept(respondent: Respondent, user, ws=None):
    return accept_many([respondent], user, ws=ws)


def publish(campaign: Campaign, *, actor: str, ws=None):
    """Every accepted submission of the campaign becomes the dataset's rows for its year (a new version);
    rows of units not accepted here are left as they are. Nothing else reaches the warehouse."""
    from msoko.ingest.declared import publish_rows

    accepted = campaign.respondents.filter(state=State.ACCEPTED).select_related("organisation", "municipality")
    form = campaign.form
    unit = "municipality_id" if form.level == "municipality" else "org_id"
    rows = [{"year": campaign.year, unit: r.unit_code, **r.values} for r in accepted]
    if not rows:
        return None
    return publish_rows(ws or settings.WORKSPACE, form.dataset, rows, actor=f"collection:{campaign.pk}:{actor}",
                        file_name=f"кампания {campaign.pk}: {form.title}, {campaign.year}")


@transaction.atomic
def grant_exception(respondent: Respondent, user, until: date, reason: str) -> None:
    _require(user is None or may_accept(user, respondent), "исключения даёт регион")
    _require(bool(reason.strip()), "укажите причину исключения")
    respondent.exception_until, respondent.exception_reason = until, reason.strip()
    respondent.save()
    _revision(respondent, user, f"исключение до {until:%d.%m.%Y}: {reason.strip()}")


# ---- completeness --------------------------------------------------------------------------------------

@dataclass
class Completeness:
    municipality: Municipality | None
    total: int = 0
    submitted: int = 0  # ever submitted (submitted, returned after submission, approved, accepted)
    on_time: int = 0
    approved: int = 0
    accepted: int = 0
    late: list | None = None

    def share(self, part: int) -> float | None:
        return part / self.total if self.total else None


SUBMITTED_STATES = (State.SUBMITTED, State.RETURNED, State.APPROVED, State.ACCEPTED)


def completeness(campaign: Campaign, respondents) -> list[Completeness]:
    """Per municipality and the total, counted by the database; `late`: respondents not submitted by the
    deadline, or submitted after it (every one, in name order)."""
    from datetime import datetime, time

    from django.db.models import Count, Q

    end = timezone.make_aware(datetime.combine(campaign.deadline, time.max))
    counted = respondents.select_related(None).order_by().values("municipality").annotate(
        total=Count("pk"), submitted=Count("pk", filter=Q(first_submitted_at__isnull=False)),
        on_time=Count("pk", filter=Q(first_submitted_at__lte=end)),
        approved=Count("pk", filter=Q(state__in=(State.APPROVED, State.ACCEPTED))),
        accepted=Count("pk", filter=Q(state=State.ACCEPTED)))
    munis = {m.pk: m for m in Municipality.objects.filter(pk__in=[c["municipality"] for c in counted])}
    rows = {c["municipality"]: Completeness(munis[c["municipality"]], c["total"], c["submitted"], c["on_time"],
                                            c["approved"], c["accepted"], []) for c in counted}
    late = Q(first_submitted_at__gt=end)
    if timezone.localdate() > campaign.deadline:
        late |= Q(first_submitted_at__isnull=True)
    total = Completeness(None, late=[])
    for r in respondents.filter(late).select_related("organisation", "municipality", "campaign"):
        rows[r.municipality_id].late.append(r)
        total.late.append(r)
    for row in rows.values():
        for name in ("total", "submitted", "on_time", "approved", "accepted"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return sorted(rows.values(), key=lambda c: c.municipality.name) + [total]


_COUNTED: dict[tuple, list[Completeness]] = {}
_COUNTED_LOCK = threading.Lock()
_COUNTED_MAX = 64  # campaigns × scopes kept per process


def completeness_of(campaign: Campaign, respondents, scope: tuple) -> list[Completeness]:
    """`completeness`, kept per process until a respondent of the scope changes (every transition and edit
    touches `updated_at`), the deadline moves or the day turns (lateness depends on today): one aggregate
    query instead of the counts and the late list for each of 20 coordinators refreshing the page."""
    from django.db.models import Count, Max

    mark = respondents.order_by().aggregate(n=Count("pk"), last=Max("updated_at"))
    key = (campaign.pk, campaign.deadline, scope, mark["n"], mark["last"], timezone.localdate())
    found = _COUNTED.get(key)
    if found is not None:
        return found
    rows = completeness(campaign, respondents)
    with _COUNTED_LOCK:
        if len(_COUNTED) >= _COUNTED_MAX:
            _COUNTED.pop(next(iter(_COUNTED)))  # the oldest entry
        _COUNTED[key] = rows
    return rows


def status_rows(campaign: Campaign) -> list[list]:
    """`msoko forms status`: org_id, municipality_id, state, submitted_at, on_time."""
    out = []
    for r in campaign.respondents.select_related("organisation", "municipality").order_by(
            "municipality__code", "organisation__code"):
        on_time = r.on_time
        out.append([r.organisation.code if r.organisation_id else "", r.municipality.code, r.state,
                    r.first_submitted_at.isoformat(timespec="seconds") if r.first_submitted_at else "",
                    "" if on_time is None else int(on_time)])
    return out


def region_of_registry() -> Region | None:
    return Region.objects.first()
