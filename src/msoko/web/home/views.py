"""The home page: region → municipalities → organisations within the user's scope (the levels are in dashboards)."""

from __future__ import annotations

from html import escape

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe

from msoko.web.access import restrict, scope_of
from msoko.web.links import object_urls
from msoko.web.registry.models import Locality, Municipality, Organisation, OrganisationKind, Region


def _kind_counts():
    return {
        f"n_{kind}": Count("organisations", filter=Q(organisations__kind=kind), distinct=True)
        for kind in OrganisationKind.values
    }


TAGS = (("advanced", "лицей/гимназия"), ("small_school", "малокомплектная"), ("remote", "удалённая"),
        ("correctional", "коррекционная"))
ROW_FIELDS = ("code", "name", "kind", "locality", "students", "municipality_id", *(field for field, _ in TAGS))
KINDS = dict(OrganisationKind.choices)
LOCALITIES = dict(Locality.choices)


def org_rows(organisations: list[dict]) -> SafeString:
    """The rows of an organisation table (`ROW_FIELDS` values), every text escaped here. Built in Python:
    a region of a thousand organisations took ≈ 60 ms through the template's per-cell tags and model
    instances, most of the page's time."""
    url_of = object_urls("organisation")
    rows = []
    for org in organisations:
        tags = "".join(f'<span class="tag">{label}</span>' for field, label in TAGS if org[field])
        students = "—" if org["students"] is None else org["students"]
        rows.append(
            f'<tr><td><a href="{escape(url_of(org["code"]))}">{escape(org["name"])}</a></td>'
            f'<td><code>{escape(org["code"])}</code></td><td>{escape(KINDS.get(org["kind"], org["kind"]))}</td>'
            f'<td>{escape(LOCALITIES.get(org["locality"], "—"))}</td><td class="num">{students}</td>'
            f"<td>{tags}</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 — every value above passed through html.escape


@login_required
def home(request):
    user = request.user
    regions = restrict(Region.objects.all(), user)
    municipalities = restrict(Municipality.objects.select_related("region"), user).annotate(**_kind_counts())
    organisations = list(restrict(Organisation.objects.all(), user).values(*ROW_FIELDS))
    by_municipality: dict[int, list[dict]] = {}
    for org in organisations:
        by_municipality.setdefault(org["municipality_id"], []).append(org)
    tree = [(m, org_rows(by_municipality.get(m.pk, []))) for m in municipalities]
    return render(
        request,
        "home/home.html",
        {
            "regions": regions,
            "tree": tree,
            "own_organisations": org_rows(organisations) if scope_of(user).level == "organisation" else "",
        },
    )
