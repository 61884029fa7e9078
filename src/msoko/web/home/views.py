"""The home page (region → municipalities → organisations within the user's scope) and the three levels."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from msoko.web.access import get_in_scope, restrict, scope_of
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


@login_required
def region_page(request, code: str):
    region = get_in_scope(Region, request.user, code=code)
    municipalities = restrict(region.municipalities.all(), request.user).annotate(**_kind_counts())
    return render(request, "home/region.html", {"region": region, "municipalities": municipalities})


@login_required
def municipality_page(request, code: str):
    municipality = get_in_scope(Municipality.objects.select_related("region"), request.user, code=code)
    organisations = restrict(municipality.organisations.all(), request.user)
    return render(request, "home/municipality.html", {"municipality": municipality, "organisations": organisations})


@login_required
def organisation_page(request, code: str):
    organisation = get_in_scope(
        Organisation.objects.select_related("municipality__region"), request.user, code=code
    )
    return render(request, "home/organisation.html", {"organisation": organisation})
