"""The home page: region → municipalities → organisations within the user's scope (the levels are in dashboards)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from msoko.web.access import restrict, scope_of
from msoko.web.registry.models import Municipality, Organisation, OrganisationKind, Region


def _kind_counts():
    return {
        f"n_{kind}": Count("organisations", filter=Q(organisations__kind=kind), distinct=True)
        for kind in OrganisationKind.values
    }


@login_required
def home(request):
    user = request.user
    regions = restrict(Region.objects.all(), user)
    municipalities = restrict(Municipality.objects.select_related("region"), user).annotate(**_kind_counts())
    organisations = restrict(Organisation.objects.select_related("municipality"), user)
    by_municipality: dict[int, list[Organisation]] = {}
    for org in organisations:
        by_municipality.setdefault(org.municipality_id, []).append(org)
    tree = [(m, by_municipality.get(m.pk, [])) for m in municipalities]
    return render(
        request,
        "home/home.html",
        {
            "regions": regions,
            "tree": tree,
            "own_organisations": organisations if scope_of(user).level == "organisation" else [],
        },
    )
