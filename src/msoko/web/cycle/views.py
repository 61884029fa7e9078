"""Pages of the management cycle; every lookup goes through the scope gate (msoko.web.access)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def index(request):
    return render(request, "cycle/index.html", {})
