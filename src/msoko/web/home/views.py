"""The home page: region → municipalities → organisations within the user's scope (the levels are in dashboards)."""

from __future__ import annotations

from html import escape

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe

from msoko.core.ordering import natural_key
from msoko.web.access import restrict, scope_of
from msoko.web.home.tasks import tasks_for
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


def org_rows(organisations: list[dict], municipality_names: dict[int, str] | None = None) -> SafeString:
    """The rows of an organisation table (`ROW_FIELDS` values), every text escaped here. Built in Python:
    a region of a thousand organisations took ≈ 60 ms through the template's per-cell tags and model
    instances, most of the page's time."""
    url_of = object_urls("organisation")
    rows = []
    for org in organisations:
        tags = "".join(f'<span class="tag">{label}</span>' for field, label in TAGS if org[field])
        students = "—" if org["students"] is None else org["students"]
        # search results across municipalities name each one's municipality (kindergartens share names)
        where = ("" if municipality_names is None else
                 f'<br><span class="muted">{escape(municipality_names.get(org["municipality_id"], ""))}</span>')
        rows.append(
            f'<tr><td><a href="{escape(url_of(org["code"]))}">{escape(org["name"])}</a>{where}</td>'
            f'<td><code>{escape(org["code"])}</code></td><td>{escape(KINDS.get(org["kind"], org["kind"]))}</td>'
            f'<td>{escape(LOCALITIES.get(org["locality"], "—"))}</td><td class="num">{students}</td>'
            f"<td>{tags}</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 — every value above passed through html.escape


def _folded(text: str) -> str:
    """Case, ё/е and spacing ignored: SQLite's LIKE folds only ASCII, so names are matched here."""
    return " ".join(text.casefold().replace("ё", "е").split())


def search(organisations: list[dict], query: str, kind: str) -> list[dict]:
    """The organisations whose name or code holds every word of `query`, of `kind` when given."""
    words = _folded(query).split()
    return [org for org in organisations
            if (not kind or org["kind"] == kind)
            and all(w in _folded(f"{org['name']} {org['code']}") for w in words)]


@login_required
def home(request):
    user = request.user
    regions = restrict(Region.objects.all(), user)
    municipalities = restrict(Municipality.objects.select_related("region"), user).annotate(**_kind_counts())
    organisations = sorted(restrict(Organisation.objects.all(), user).values(*ROW_FIELDS), key=lambda o: natural_key(o["name"]))
    query = (request.GET.get("q") or "").strip()[:200]
    kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else ""
    found = search(organisations, query, kind) if (query or kind) else None
    by_municipality: dict[int, list[dict]] = {}
    for org in organisations:
        by_municipality.setdefault(org["municipality_id"], []).append(org)
    tree = [(m, org_rows(by_municipality.get(m.pk, []))) for m in sorted(municipalities, key=lambda m: natural_key(m.name))]
    return render(
        request,
        "home/home.html",
        {
            "regions": regions,
            "tree": tree,
            "own_organisations": org_rows(organisations) if scope_of(user).level == "organisation" else "",
            "tasks": tasks_for(user),
            "query": query,
            "kind": kind,
            "kinds": sorted(KINDS.items(), key=lambda kv: kv[1]),
            "found": None if found is None else org_rows(found, {m.pk: m.name for m in municipalities}),
            "found_count": None if found is None else len(found),
            "searchable": len(organisations) > 1,
        },
    )
