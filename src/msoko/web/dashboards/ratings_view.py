"""The municipal rating page and its export, over the stored ratings run (`msoko.engine.ratings`).

Nothing is recomputed: the table is `ratings.parquet` of the current run, the breakdown `scores.parquet`,
so every score traces back to an indicator value. Scope: a region-level user (and a superuser) sees the
region's full table; a municipal coordinator opens the page of their own region but gets only their own
municipality's row (with its rank «N из M») and breakdown; anyone else gets 404, as on the other pages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

import polars as pl
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from msoko.engine import ratings as engine_ratings
from msoko.web.access import get_in_scope, restrict, scope_of
from msoko.web.dashboards import export, marks, page_cache
from msoko.web.dashboards.data import LatestOnly, Snapshot, file_identity, registry_ids, results_dir, snapshot
from msoko.web.links import object_urls
from msoko.web.registry.models import Municipality, Region

TOTAL = engine_ratings.TOTAL
EMPTY = "Рейтинг ещё не рассчитан: выполните msoko compute."


# ---- the stored run, read once per run --------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    identity: tuple
    meta: dict
    ratings: pl.DataFrame
    scores: pl.DataFrame


_runs: LatestOnly[Run | None] = LatestOnly()


def current_run(snap: Snapshot) -> Run | None:
    """The current ratings run (None when none is stored), kept until its pointer or the snapshot changes.

    Only the registry's municipalities are kept, as in the snapshot: pages show nothing else."""
    pointer = engine_ratings.root(results_dir()) / engine_ratings.POINTER
    key = (file_identity(pointer), snap.key)

    def read() -> Run | None:
        stored = engine_ratings.Ratings.open(results_dir())
        if stored is None:
            return None
        ratings, scores = stored.ratings(), stored.scores()
        ids = registry_ids()
        if ids is not None:
            keep = sorted(ids)
            ratings = ratings.filter(pl.col("municipality_id").is_in(keep))
            scores = scores.filter(pl.col("municipality_id").is_in(keep))
        return Run(key[0], stored.meta, ratings, scores)

    return _runs.get(key, read)


# ---- scope --------------------------------------------------------------------------------------------
def _region_in_scope(user, code: str) -> tuple[Region, bool]:
    """The region named by `code` and whether the user sees its full table.

    A municipal coordinator may not open the region page, but the rating of their own region is theirs to
    see — restricted to their municipality's row."""
    scope = scope_of(user)
    if scope.level in ("all", "region"):
        return get_in_scope(Region, user, code=code), True
    region = Region.objects.filter(code=code, municipalities__in=restrict(Municipality.objects.all(), user)).first()
    if region is None:
        raise Http404("Объект не найден или недоступен.")
    return region, False


def _visible(region: Region, user) -> list[Municipality]:
    return list(restrict(region.municipalities.all(), user).order_by("name"))


# ---- formatting ---------------------------------------------------------------------------------------
def fmt_score(value) -> str:
    """A score 0–100 with one decimal and a Russian decimal comma, as the rest of the UI."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.1f}".replace(".", ",")


def _system_name(snap: Snapshot, code: str) -> str:
    if code == TOTAL:
        return "Общая оценка"
    system = snap.catalog.system(code) if snap.catalog else None
    return f"{code}. {system.name}" if system else code


@dataclass
class Choice:
    year: int | None
    system: str
    years: list[int]
    systems: list[str]


def _choice(request, run: Run | None, region: Region) -> Choice:
    """Year and system from the URL; unknown values fall back to the latest year and the total."""
    if run is None:
        return Choice(None, TOTAL, [], [])
    rows = run.ratings.filter(pl.col("region_id") == region.code)
    years = sorted(rows["year"].unique().to_list())
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year not in years:
        year = years[-1] if years else None
    systems = sorted(s for s in rows.filter(pl.col("year") == year)["system"].unique().to_list() if s != TOTAL)
    system = request.GET.get("system")
    if system not in systems:
        system = TOTAL
    return Choice(year, system, years, [TOTAL, *systems])


# ---- the table ----------------------------------------------------------------------------------------
def _table(run: Run, choice: Choice, region: Region, municipalities: list[Municipality]) -> tuple[list[dict], list[str], int]:
    """Rows (rank order) of the visible municipalities, the per-system columns (for the total) and the
    number of municipalities rated in the region (the «M» of «N из M», from the stored peers)."""
    year_rows = run.ratings.filter(pl.col("region_id") == region.code, pl.col("year") == choice.year)
    names = {m.code: m for m in municipalities}
    chosen = {r["municipality_id"]: r for r in year_rows.filter(pl.col("system") == choice.system).iter_rows(named=True)}
    columns = [s for s in choice.systems if s != TOTAL] if choice.system == TOTAL else []
    by_system: dict[tuple[str, str], float] = {
        (r["municipality_id"], r["system"]): r["score"]
        for r in year_rows.filter(pl.col("system").is_in(columns)).iter_rows(named=True)}
    peers = max((r["peers"] for r in chosen.values()), default=0)
    rows = []
    for code, r in chosen.items():
        if code not in names:
            continue  # outside the viewer's scope, or not in the registry
        rows.append({"municipality": names[code], "rank": r["rank"], "peers": r["peers"], "score": r["score"],
                     "indicators": r["indicators"], "systems": [by_system.get((code, s)) for s in columns]})
    rows.sort(key=lambda r: (r["rank"], r["municipality"].name))
    return rows, columns, peers


def _breakdown(snap: Snapshot, run: Run, choice: Choice, municipality: Municipality) -> list[dict]:
    """The per-indicator scores behind the municipality's rating (the chosen system, or all of them)."""
    df = run.scores.filter(pl.col("municipality_id") == municipality.code, pl.col("year") == choice.year)
    if choice.system != TOTAL:
        df = df.filter(pl.col("system") == choice.system)
    order = {code: i for i, code in enumerate(snap.indicators)}
    rows = sorted(df.iter_rows(named=True), key=lambda r: (r["system"], order.get(r["indicator"], 10**6), r["indicator"]))
    out = []
    repeated = {code for code in df["indicator"].to_list() if df["indicator"].to_list().count(code) > 1}
    for r in rows:
        ind = snap.indicators.get(r["indicator"])
        name = ind.name if ind else r["indicator"]
        if r["indicator"] in repeated and r.get("procedure"):  # scored per procedure: say which
            name = f"{name} ({r['procedure']})"
        out.append({"system": r["system"], "code": r["indicator"], "name": name,
                    "value": marks.fmt(r["value"], ind), "change": marks.fmt_change(r["change"], ind),
                    "level": fmt_score(r["level_score"]), "dynamics": fmt_score(r["dynamics_score"]),
                    "score": fmt_score(r["score"])})
    return out


def _context(request, snap: Snapshot, run: Run | None, region: Region, full: bool,
             municipalities: list[Municipality], focus: Municipality | None) -> dict:
    choice = _choice(request, run, region)
    context = {"region": region, "full": full, "choice": choice, "empty": EMPTY, "run": run,
               "systems": [(s, _system_name(snap, s)) for s in choice.systems],
               "system_name": _system_name(snap, choice.system)}
    if run is None or choice.year is None:
        return context
    rows, columns, peers = _table(run, choice, region, municipalities)
    url_of = object_urls("municipality")
    base = {"year": choice.year, "system": choice.system}
    for r in rows:
        r["url"] = url_of(r["municipality"].code)
        r["score_text"] = fmt_score(r["score"])
        r["system_texts"] = [fmt_score(v) for v in r["systems"]]
        r["detail_query"] = urlencode(base | {"municipality": r["municipality"].code})
    rated = {r["municipality"].code for r in rows}
    config = run.meta.get("config") or {}
    weight = config.get("dynamics_weight", 0.5)
    context |= {
        "rows": rows, "peers": peers, "columns": [(s, _system_name(snap, s)) for s in columns],
        "unrated": [m for m in municipalities if m.code not in rated],
        "query": urlencode(base), "dynamics_weight": f"{weight:g}".replace(".", ","),
        "system_weights": {s: f"{w:g}".replace(".", ",") for s, w in (config.get("system_weights") or {}).items()},
        "focus": focus, "focus_row": next((r for r in rows if focus and r["municipality"].code == focus.code), None),
        "breakdown": _breakdown(snap, run, choice, focus) if focus else [],
    }
    return context


# ---- views --------------------------------------------------------------------------------------------
@login_required
def ratings_home(request):
    """The navigation's entry: the rating of the user's own region (a superuser picks one)."""
    scope = scope_of(request.user)
    if scope.level in ("none", "organisation"):
        raise Http404("Нет доступа.")
    if scope.level == "municipality":
        regions = Region.objects.filter(municipalities__in=restrict(Municipality.objects.all(), request.user))
    else:
        regions = restrict(Region.objects.all(), request.user)
    regions = list(regions.distinct().order_by("code"))
    if len(regions) == 1:
        return redirect("ratings", code=regions[0].code)
    return render(request, "dashboards/ratings_index.html", {"regions": regions})


@login_required
def ratings_page(request, code: str):
    region, full = _region_in_scope(request.user, code)
    municipalities = _visible(region, request.user)
    focus = None
    chosen = request.GET.get("municipality")
    if chosen:
        focus = get_in_scope(Municipality.objects.filter(region=region), request.user, code=chosen)
    elif not full and len(municipalities) == 1:
        focus = municipalities[0]  # a coordinator's own breakdown is the point of the page for them
    snap = snapshot()
    run = current_run(snap)
    parts = ("ratings", region.code, full, tuple(m.code for m in municipalities), focus.code if focus else None,
             run.identity if run else None)
    body = page_cache.kept(request, snap.key, parts, lambda: render_to_string(
        "dashboards/_ratings_body.html", _context(request, snap, run, region, full, municipalities, focus), request))
    return render(request, "dashboards/ratings.html", {"region": region, "full": full, "body": body})


SYSTEM_TOTAL_RU = "итоговая оценка (все системы)"
EXPORT_HEADER = ["Учебный год", "Система", "Место", "Из", "Код муниципалитета", "Муниципалитет", "Оценка",
                 "Показателей"]


@login_required
def ratings_export(request, code: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404("Формат выгрузки: csv или xlsx.")
    region, full = _region_in_scope(request.user, code)
    municipalities = _visible(region, request.user)
    snap = snapshot()
    run = current_run(snap)
    choice = _choice(request, run, region)
    parts = ("ratings-export", fmt, region.code, full, tuple(m.code for m in municipalities),
             run.identity if run else None)
    content = page_cache.kept(request, snap.key, parts, lambda: _export_content(run, choice, region, municipalities, fmt))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8" if fmt == "csv" else
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"rating-{region.code}-{choice.year or 'none'}-{choice.system}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _export_content(run: Run | None, choice: Choice, region: Region, municipalities: list[Municipality],
                    fmt: str) -> bytes:
    # no stored run (or none for this region): the header alone, not an error — the page says why
    rows, columns, _peers = ([], [], 0) if run is None or choice.year is None else _table(
        run, choice, region, municipalities)
    header = EXPORT_HEADER + [f"Система {s}" for s in columns]
    # numbers stay numbers (numeric cells); names go through the formula guard in export.safe
    system = SYSTEM_TOTAL_RU if choice.system == TOTAL else choice.system
    data = [[choice.year, system, r["rank"], r["peers"], r["municipality"].code, r["municipality"].name,
             r["score"], r["indicators"], *r["systems"]] for r in rows]
    if fmt == "csv":
        return export.to_csv(header, data)
    scores = {6: export.DECIMAL, 2: export.WHOLE, 3: export.WHOLE, 7: export.WHOLE}
    scores |= {8 + i: export.DECIMAL for i in range(len(columns))}
    return export.to_xlsx(header, data, title="Рейтинг", formats=scores, widths={5: 40})
