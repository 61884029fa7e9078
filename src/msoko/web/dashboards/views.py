"""The three levels (region, municipality, organisation) and the indicator page, over stored results.

Every object is looked up through the scope gate (`get_in_scope`, `restrict`); every figure comes from
the cached snapshot of the current result run (`data.snapshot()`), never recomputed here.
"""

from __future__ import annotations

from html import escape
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from msoko.engine import zones
from msoko.reports import labels
from msoko.web.access import get_in_scope, restrict, scope_of
from msoko.web.dashboards import charts, export, filters, marks, page_cache, vpr
from msoko.web.dashboards.data import Snapshot, snapshot
from msoko.web.links import object_urls
from msoko.web.registry.lookup import LEVEL_RU
from msoko.web.registry.models import Municipality, Organisation, Region

LIST_NAMES = {"shnor": "ШНОР — школы с низкими результатами обучения",
              "shnsu": "ШНСУ — школы в неблагоприятных социальных условиях",
              "objectivity": "Признаки необъективности результатов"}
LIST_SHORT = {"shnor": "ШНОР", "shnsu": "ШНСУ", "objectivity": "Признаки необъективности"}


def _index(df) -> dict[tuple[str, str], dict]:
    return {(row["id"], row["indicator"]): row for row in df.iter_rows(named=True)}


def _mark_html(m) -> str:
    """A mark (sign and words, so colour is never the only carrier), escaped; '' for no mark."""
    if not m:
        return ""
    text = escape(m.text)
    return f'<span class="mark {escape(m.css)}" title="{text}"><span aria-hidden="true">{escape(m.sign)}</span> {text}</span>'


def _cell_html(cell: dict) -> SafeString:
    """The table cell of a value with its marks, escaped here. Built in Python, not by a template include
    per cell: a municipality page has hundreds of cells, and the template tags were most of its time."""
    first = cell["marks"][0].css if cell["marks"] else ""
    parts = [f'<td class="num cell{" " + escape(first) if first else ""}"><strong class="v">{escape(cell["value"])}</strong>']
    if cell.get("small"):
        parts.append(' <span class="mark small" title="малая группа: интерпретировать осторожно">малая группа</span>')
    parts += [f"<br>{_mark_html(m)}" for m in cell["marks"]]
    if cell.get("rank"):
        parts.append(f'<br><span class="muted">{escape(cell["rank"])}</span>')
    parts.append("</td>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above passed through html.escape


def _cell(row: dict | None, ind, reference: dict | None, ref_what: str) -> dict:
    cell = _cell_values(row, ind, reference, ref_what)
    cell["html"] = _cell_html(cell)
    cell["trend_html"] = mark_safe(_mark_html(cell.get("trend")))  # noqa: S308 — escaped in _mark_html
    return cell


def _cell_values(row: dict | None, ind, reference: dict | None, ref_what: str) -> dict:
    if row is None:
        return {"value": "—", "marks": [], "raw": None}
    value = row["value"]
    target = row.get("target")
    if target is None and ind is not None:
        target = ind.target_for(row["year"], row["level"])
    found = [marks.versus(row, reference["value"] if reference else None, ind, ref_what),
             marks.target_mark(value, target, ind) if zones.judged(row, ind) else None]
    rank = f"место {row['rank']} из {row['peers']}" if row.get("rank") and (row.get("peers") or 0) > 1 else ""
    return {"value": marks.fmt(value, ind), "marks": [m for m in found if m], "raw": value, "rank": rank,
            "small": bool(row.get("under_min_group")), "change": marks.fmt_change(row.get("change"), ind),
            "trend": marks.trend_of(row, ind)}


def _matrix(snap: Snapshot, f: filters.Filters, level: str, entities: list, reference_id: str,
            reference_level: str, ref_what: str) -> tuple[list[dict], dict]:
    """Rows of (entity, cells) for the chosen indicators, judged against the reference entity."""
    rows = _index(snap.slice(level=level, year=f.year, subject=f.subject, grade=f.grade, indicators=f.indicators,
                             ids=[e.code for e in entities]))
    refs = _index(snap.slice(level=reference_level, year=f.year, subject=f.subject, grade=f.grade,
                             indicators=f.indicators, ids=[reference_id]))
    reference = {code: refs.get((reference_id, code)) for code in f.indicators}
    url_of = object_urls(level)  # the entity page's URL name is its level's name
    table = []
    for entity in entities:
        kind = getattr(entity, "kind", None)
        cells = [_cell(rows.get((entity.code, code)) if zones.applies(snap.indicators.get(code), level, kind) else None,
                       snap.indicators.get(code), reference[code], ref_what) for code in f.indicators]
        table.append({"entity": entity, "cells": cells, "url": url_of(entity.code)})
    empty = [r["entity"] for r in table if all(c["raw"] is None for c in r["cells"])]
    table = [r for r in table if any(c["raw"] is not None for c in r["cells"])]
    if f.sort:
        position = f.indicators.index(f.sort)
        ind = snap.indicators.get(f.sort)
        best_first = marks.direction(ind) != marks.LOWER
        present = [r for r in table if r["cells"][position]["raw"] is not None]
        missing = [r for r in table if r["cells"][position]["raw"] is None]
        present.sort(key=lambda r: r["cells"][position]["raw"], reverse=best_first)
        table = present + missing
    ref_cells = [_cell(reference[code], snap.indicators.get(code), None, ref_what) for code in f.indicators]
    return table, {"cells": ref_cells, "empty": empty}


def _headers(snap: Snapshot, f: filters.Filters) -> list[dict]:
    return [{"code": code, "name": snap.indicators[code].name if code in snap.indicators else code,
             "query": f.query(sort=code), "sorted": code == f.sort} for code in f.indicators]


def _bar_chart(snap, f, code, table, position, refs: list[tuple[str, float | None]], chart_id) -> charts.Chart | None:
    ind = snap.indicators.get(code)
    scale = 100 if marks.is_share(ind) else 1
    items = [{"name": r["entity"].name, "value": r["cells"][position]["raw"] * scale,
              "label": r["cells"][position]["value"]} for r in table if r["cells"][position]["raw"] is not None]
    if not items:
        return None
    references = [{"value": v * scale, "caption": f"{what}: {marks.fmt(v, ind)}"} for what, v in refs if v is not None]
    title = ind.name if ind else code
    rows = [[i["name"], i["label"]] for i in items] + [[r["caption"].split(":")[0], marks.fmt(v, ind)]
                                                      for r, (_, v) in zip(references, [x for x in refs if x[1] is not None], strict=True)]
    return charts.bars(chart_id, title, items, references, "%" if scale == 100 else (ind.unit if ind else ""),
                       ["Название", "Значение"], rows)


def _dynamics(snap, f, code, series: list[tuple[str, str, str]], chart_id) -> charts.Chart | None:
    """Values of `code` over the years for (label, level, id) series."""
    ind = snap.indicators.get(code)
    scale = 100 if marks.is_share(ind) else 1
    df = snap.slice(subject=f.subject, grade=f.grade, indicators=[code], ids=[s[2] for s in series])
    by_key = {(r["level"], r["id"], r["year"]): r["value"] for r in df.iter_rows(named=True)}
    points, rows = [], []
    for label, level, code_id in series:
        values = []
        for year in f.years:
            value = by_key.get((level, code_id, year))
            values.append(marks.fmt(value, ind))
            if value is not None:
                points.append({"series": label, "year": year, "value": value * scale, "label": marks.fmt(value, ind)})
        rows.append([label, *values])
    if not points:
        return None
    return charts.lines(chart_id, f"Динамика: {ind.name if ind else code}", points,
                        "%" if scale == 100 else (ind.unit if ind else ""), ["Ряд", *map(str, f.years)], rows)


def _list_members(snap: Snapshot, year: int | None, list_name: str) -> set[str]:
    if year is None:
        return set()
    if list_name == "objectivity":
        df = snap.objectivity
        if df.is_empty():
            return set()
        return set(df.filter((df["year"] == year) & df["flagged"])["org_id"].to_list())
    df = snap.risk
    if df.is_empty():
        return set()
    return set(df.filter((df["year"] == year) & df[list_name])["org_id"].to_list())


def _lists_summary(snap: Snapshot, f: filters.Filters, org_codes: set[str]) -> list[dict]:
    out = []
    for name, title in LIST_NAMES.items():
        now = _list_members(snap, f.year, name) & org_codes
        before = _list_members(snap, f.previous_year, name) & org_codes if f.previous_year else set()
        delta = len(now) - len(before)
        out.append({"code": name, "title": title, "short": LIST_SHORT[name], "now": len(now), "before": len(before) if f.previous_year else None,
                    "delta": (f"+{delta}" if delta > 0 else str(delta).replace("-", "−")) if f.previous_year else "—",
                    "entered": len(now - before) if f.previous_year else None,
                    "left": len(before - now) if f.previous_year else None, "members": now, "gone": before - now})
    return out


def _rating(snap: Snapshot, f: filters.Filters, municipalities: list) -> list[dict]:
    """Municipalities ordered by their mean stored place (rank, 1 = best by the indicator's direction)
    over the chosen indicators; a municipality without a place on some indicator is rated on the rest."""
    df = snap.slice(level="municipality", year=f.year, subject=f.subject, grade=f.grade, indicators=f.indicators,
                    ids=[m.code for m in municipalities])
    places: dict[str, list[int]] = {}
    for row in df.iter_rows(named=True):
        ind = snap.indicators.get(row["indicator"])
        if row["rank"] is not None and marks.direction(ind) != "neutral":
            places.setdefault(row["id"], []).append(row["rank"])
    rated = sorted((sum(p) / len(p), m.name, m, len(p)) for m in municipalities if (p := places.get(m.code)))
    return [{"place": i + 1, "municipality": m, "mean": f"{mean:.1f}".replace(".", ","), "n": n}
            for i, (mean, _, m, n) in enumerate(rated)]




def _base_context(request, snap: Snapshot, f: filters.Filters) -> dict:
    return {"f": f, "has_results": not snap.values.is_empty(), "query": f.query()}


@login_required
def region_page(request, code: str):
    region = get_in_scope(Region, request.user, code=code)
    snap = snapshot()
    f = filters.parse(request.GET, snap)
    municipalities = list(restrict(region.municipalities.all(), request.user))
    by_muni = dict(restrict(Organisation.objects.filter(municipality__region=region), request.user)
                   .values_list("code", "municipality__code"))
    parts = ("region", region.code, tuple(m.code for m in municipalities), tuple(sorted(by_muni.items())))
    body = page_cache.kept(request, snap.key, parts, lambda: render_to_string(
        "dashboards/_region_body.html", _region_context(request, snap, f, region, municipalities, by_muni), request))
    return render(request, "dashboards/region.html", {"region": region, "body": body})


def _region_context(request, snap: Snapshot, f: filters.Filters, region, municipalities: list,
                    by_muni: dict[str, str]) -> dict:
    table, reference = _matrix(snap, f, "municipality", municipalities, region.code, "region", "региона")
    chart_code = f.sort or (f.indicators[0] if f.indicators else None)
    charts_ = []
    if chart_code:
        position = f.indicators.index(chart_code)
        region_value = reference["cells"][position]["raw"]
        ind = snap.indicators.get(chart_code)
        target = ind.target_for(f.year, "municipality") if ind and f.year else None
        charts_.append(_bar_chart(snap, f, chart_code, table, position,
                                  [("Регион", region_value), ("Цель", target)], "muni-bars"))
        charts_.append(_dynamics(snap, f, chart_code, [(region.name, "region", region.code)]
                                 + [(m.name, "municipality", m.code) for m in municipalities], "region-dynamics"))
    lists = _lists_summary(snap, f, set(by_muni))
    list_rows = []
    for m in municipalities:
        counts = [sum(1 for org in item["members"] if by_muni.get(org) == m.code) for item in lists]
        list_rows.append({"municipality": m, "counts": counts})
    context = _base_context(request, snap, f) | {
        "region": region, "headers": _headers(snap, f), "table": table, "reference": reference,
        "charts": [c for c in charts_ if c], "lists": lists, "list_rows": list_rows,
        "rating": _rating(snap, f, municipalities),
    }
    return context


def _best_municipalities(snap, f, names: dict[str, str]) -> dict[str, tuple[str | None, str]]:
    """For each chosen indicator, the best municipality of the region (by the indicator's direction)."""
    df = snap.slice(level="municipality", year=f.year, subject=f.subject, grade=f.grade, indicators=f.indicators,
                    ids=list(names))
    best: dict[str, dict] = {}
    for row in df.iter_rows(named=True):
        if row["value"] is None:
            continue
        ind = snap.indicators.get(row["indicator"])
        current = best.get(row["indicator"])
        lower = marks.direction(ind) == marks.LOWER
        if current is None or (row["value"] < current["value"] if lower else row["value"] > current["value"]):
            best[row["indicator"]] = row
    return {code: (names.get(row["id"], row["id"]), marks.fmt(row["value"], snap.indicators.get(code)))
            for code, row in best.items()}


@login_required
def municipality_page(request, code: str):
    municipality = get_in_scope(Municipality.objects.select_related("region"), request.user, code=code)
    snap = snapshot()
    f = filters.parse(request.GET, snap)
    organisations = restrict(municipality.organisations.all(), request.user)
    organisations = list(organisations.filter(kind=f.kind) if f.kind else organisations)
    parts = ("municipality", municipality.code, tuple(o.code for o in organisations))
    body = page_cache.kept(request, snap.key, parts, lambda: render_to_string(
        "dashboards/_municipality_body.html", _municipality_context(request, snap, f, municipality, organisations),
        request))
    return render(request, "dashboards/municipality.html", {"municipality": municipality, "query": f.query(),
                                                            "body": body})


def _municipality_context(request, snap: Snapshot, f: filters.Filters, municipality, organisations: list) -> dict:
    region = municipality.region
    table, reference = _matrix(snap, f, "organisation", organisations, region.code, "region", "региона")
    own = _index(snap.slice(level="municipality", year=f.year, subject=f.subject, grade=f.grade, ids=[municipality.code]))
    regional = _index(snap.slice(level="region", year=f.year, subject=f.subject, grade=f.grade, ids=[region.code]))
    comparison, problems = [], []
    muni_names = dict(Municipality.objects.filter(region=region).values_list("code", "name"))
    best = _best_municipalities(snap, f, muni_names)
    order = {code: i for i, code in enumerate(snap.indicators)}
    for (_, ind_code), row in sorted(own.items(), key=lambda kv: order.get(kv[0][1], 10**6)):
        ind = snap.indicators.get(ind_code)
        reg = regional.get((region.code, ind_code))
        cell = _cell(row, ind, reg, "региона")
        target = row.get("target") if row.get("target") is not None else (ind.target_for(f.year, "municipality") if ind else None)
        found = zones.findings(row, ind, "municipality", region=reg["value"] if reg else None, target=target)
        reasons = [x.reason for x in found]
        entry = {"code": ind_code, "name": ind.name if ind else ind_code, "cell": cell,
                 "region": marks.fmt(reg["value"], ind) if reg else "—", "reasons": reasons}
        if ind_code in f.indicators:
            best_name, best_value = best.get(ind_code, (None, "—"))
            entry |= {"best_name": best_name, "best_value": best_value}
            comparison.append(entry)
        if found:
            entry["severity"] = (found[0].comparison != "target", -len(found))
            problems.append(entry)
    problems.sort(key=lambda e: e["severity"])  # a missed target first, then by the number of reasons
    charts_ = []
    if f.indicators:
        chart_code = f.sort or f.indicators[0]
        position = f.indicators.index(chart_code)
        muni_row = own.get((municipality.code, chart_code))
        charts_.append(_bar_chart(snap, f, chart_code, table, position,
                                  [("Муниципалитет", muni_row["value"] if muni_row else None),
                                   ("Регион", reference["cells"][position]["raw"])], "org-bars"))
        charts_.append(_dynamics(snap, f, chart_code, [(region.name, "region", region.code),
                                                       (municipality.name, "municipality", municipality.code)],
                                 "muni-dynamics"))
    lists = _lists_summary(snap, f, {o.code for o in organisations})
    names = {o.code: o for o in organisations}
    for item in lists:
        item["orgs"] = sorted((names[c] for c in item["members"]), key=lambda o: o.name)
        item["gone_orgs"] = sorted((names[c] for c in item["gone"]), key=lambda o: o.name)
    context = _base_context(request, snap, f) | {
        "municipality": municipality, "organisations": organisations, "headers": _headers(snap, f),
        "table": table, "reference": reference, "comparison": comparison, "problems": problems,
        "charts": [c for c in charts_ if c], "lists": lists,
    }
    return context


VPR_MARKS = ("vpr_fail", "vpr_base", "vpr_quality", "vpr_high")
VPR_JOURNAL = ("vpr_confirmed", "vpr_raised", "vpr_lowered")


def _vpr_profile(snap: Snapshot, year: int | None, org_code: str, region_code: str) -> list[dict]:
    """Per ВПР subject × grade: the marks «2»…«5» as shares (from the stored shares of «2», «3» and above,
    «4»–«5» and «5» by difference) against the region, and the comparison with journal marks."""
    wanted = [*VPR_MARKS, *VPR_JOURNAL]
    own = snap.breakdowns(level="organisation", year=year, indicators=wanted, ids=[org_code])
    if own.is_empty():
        return []
    reg = snap.breakdowns(level="region", year=year, indicators=wanted, ids=[region_code])
    pct = snap.indicators.get("vpr_base")

    def table(df):
        out: dict[tuple, dict] = {}
        for row in df.iter_rows(named=True):
            out.setdefault((row["subject"], row["grade"]), {})[row["indicator"]] = row
        return out

    def marks_of(values: dict) -> list[float | None]:
        v = {k: (values[k]["value"] if k in values else None) for k in VPR_MARKS}
        if None in v.values():
            return [None] * 4
        return [v["vpr_fail"], v["vpr_base"] - v["vpr_quality"], v["vpr_quality"] - v["vpr_high"], v["vpr_high"]]

    mine, region = table(own), table(reg)
    rows = []
    for key in sorted(mine):
        values, ref = mine[key], region.get(key, {})
        own_marks, reg_marks = marks_of(values), marks_of(ref)
        cells = [{"value": marks.fmt(o, pct), "region": marks.fmt(r, pct)} for o, r in zip(own_marks, reg_marks, strict=True)]
        journal = [{"value": marks.fmt(values[k]["value"], pct) if k in values else "—",
                    "region": marks.fmt(ref[k]["value"], pct) if k in ref else "—"} for k in VPR_JOURNAL]
        size = next((values[k]["group_size"] for k in VPR_MARKS if k in values), None)
        small = any(values[k]["under_min_group"] for k in VPR_MARKS if k in values)
        rows.append({"subject": key[0], "grade": key[1], "participants": size, "small": small, "marks": cells,
                     "journal": journal})
    return rows


@login_required
def organisation_page(request, code: str):
    organisation = get_in_scope(Organisation.objects.select_related("municipality__region"), request.user, code=code)
    snap = snapshot()
    f = filters.parse(request.GET, snap, many=False)
    parts = ("organisation", organisation.code, vpr.run_identity())
    body = page_cache.kept(request, snap.key, parts, lambda: render_to_string(
        "dashboards/_organisation_body.html", _organisation_context(request, snap, f, organisation), request))
    return render(request, "dashboards/organisation.html", {"organisation": organisation, "query": f.query(),
                                                            "body": body})


def _organisation_context(request, snap: Snapshot, f: filters.Filters, organisation) -> dict:
    municipality, region = organisation.municipality, organisation.municipality.region
    common = {"year": f.year, "subject": f.subject, "grade": f.grade}
    own = _index(snap.slice(level="organisation", ids=[organisation.code], **common))
    muni = _index(snap.slice(level="municipality", ids=[municipality.code], **common))
    reg = _index(snap.slice(level="region", ids=[region.code], **common))
    rows = []
    order = {code: i for i, code in enumerate(snap.indicators)}
    for (_, ind_code), row in sorted(own.items(), key=lambda kv: order.get(kv[0][1], 10**6)):
        ind = snap.indicators.get(ind_code)
        if not zones.applies(ind, "organisation", organisation.kind):
            continue
        m, r = muni.get((municipality.code, ind_code)), reg.get((region.code, ind_code))
        cell = _cell(row, ind, r, "региона")
        rows.append({"code": ind_code, "name": ind.name if ind else ind_code, "cell": cell,
                     "muni": marks.fmt(m["value"], ind) if m else "—",
                     "muni_mark": marks.versus(row, m["value"] if m else None, ind, "муниципалитета"),
                     "region": marks.fmt(r["value"], ind) if r else "—",
                     "interval": (f"{marks.fmt(row['ci_low'], ind)} – {marks.fmt(row['ci_high'], ind)}"
                                  if row.get("ci_low") is not None else "—"),
                     "group": row.get("group_size"), "small": bool(row.get("under_min_group"))})
    chart = None
    chosen = request.GET.get("ind") if request.GET.get("ind") in {r["code"] for r in rows} else (rows[0]["code"] if rows else None)
    if chosen:
        chart = _dynamics(snap, f, chosen, [(organisation.name, "organisation", organisation.code),
                                            (municipality.name, "municipality", municipality.code),
                                            (region.name, "region", region.code)], "org-dynamics")
    risk = snap.risk.filter(snap.risk["org_id"] == organisation.code).sort("year") if not snap.risk.is_empty() else None
    risk_rows = [r | {"reason_sentences": labels.sentences(r.get("reasons"), labels.REASON_SENTENCE)}
                 for r in risk.iter_rows(named=True)] if risk is not None else []
    objectivity = []
    if not snap.objectivity.is_empty():
        df = snap.objectivity.filter(snap.objectivity["org_id"] == organisation.code)
        if f.year is not None:
            df = df.filter(df["year"] == f.year)
        objectivity = [o | {"sign_sentences": labels.sentences(o.get("signs"), labels.SIGN_SENTENCE)}
                       for o in df.sort(["subject", "grade"]).iter_rows(named=True)]
    context = _base_context(request, snap, f) | {
        # a kindergarten or an УДО has no ВПР/ГИА: no subject and grade filters, no ШНОР or objectivity sections
        "school": organisation.kind == "school", "no_subjects": organisation.kind != "school",
        "organisation": organisation, "rows": rows, "charts": [chart] if chart else [],
        "risk_rows": list(risk_rows), "objectivity": objectivity,
        "flagged": [o for o in objectivity if o["flagged"]], "chosen": chosen,
        "vpr": [r for r in _vpr_profile(snap, f.year, organisation.code, region.code)
                if f.subject in (None, r["subject"]) and f.grade in (None, r["grade"])],
        "vpr_section": vpr.section(f.year, f.subject, f.grade, organisation.code, municipality.code, region.code),
    }
    return context


@login_required
def indicator_index(request):
    """Every computed indicator, by system of the framework, with links to its page."""
    if scope_of(request.user).is_none:
        raise Http404("Нет доступа.")
    snap = snapshot()
    f = filters.parse(request.GET, snap)
    systems: dict[str, dict] = {}
    for code in snap.computed:
        ind = snap.indicators.get(code)
        system = snap.catalog.system(ind.system) if (snap.catalog and ind) else None
        key = ind.system if ind else "—"
        entry = systems.setdefault(key, {"code": key, "name": system.name if system else "", "items": []})
        entry["items"].append({"code": code, "name": ind.name if ind else code,
                               "kind": marks.KIND_RU.get(ind.kind, "") if ind else ""})
    context = _base_context(request, snap, f) | {"systems": sorted(systems.values(), key=lambda s: s["code"]),
                                                 "query": f.query(ind=None, sort=None)}
    return render(request, "dashboards/indicators.html", context)


# ---- indicator page --------------------------------------------------------------------------------

def _indicator_or_404(snap: Snapshot, code: str):
    if code not in snap.indicators and code not in set(snap.computed):
        raise Http404("Показатель не найден.")
    return snap.indicators.get(code)


class OrgRef(NamedTuple):
    """What the indicator page and its export show of an organisation: a thousand model instances (with
    their municipality and region) cost a region page ≈ 30 ms."""

    code: str
    name: str


def _scoped_entities(request, f, municipality_code: str | None):
    """The region(s), municipalities and organisations the user may see on an indicator page."""
    user = request.user
    scope = scope_of(user)
    if scope.is_none:
        raise Http404("Нет доступа.")
    municipalities = list(restrict(Municipality.objects.select_related("region"), user))
    organisations = restrict(Organisation.objects.all(), user)
    focus = None
    if municipality_code:
        focus = get_in_scope(Municipality.objects.select_related("region"), user, code=municipality_code)
        organisations = organisations.filter(municipality=focus)
    if f.kind:
        organisations = organisations.filter(kind=f.kind)
    region_ids = {m.region_id for m in municipalities} | set(
        organisations.values_list("municipality__region_id", flat=True).distinct())
    organisations = [OrgRef(*pair) for pair in organisations.values_list("code", "name")]
    regions = set(Region.objects.filter(pk__in=region_ids))
    return focus, regions, municipalities, organisations


def _indicator_rows(snap: Snapshot, f: filters.Filters, code: str, regions, municipalities, organisations):
    """The stored rows of one indicator for the given regions, municipalities and organisations."""
    common = {"year": f.year, "subject": f.subject, "grade": f.grade, "indicators": [code]}
    region_rows = _index(snap.slice(level="region", ids=[r.code for r in regions], **common))
    muni_rows = _index(snap.slice(level="municipality", ids=[m.code for m in municipalities], **common))
    org_rows = _index(snap.slice(level="organisation", ids=[o.code for o in organisations], **common))
    return region_rows, muni_rows, org_rows


def _bins(values: list[float], ind) -> list[dict]:
    if not values:
        return []
    share = marks.is_share(ind)
    lo, hi = (0.0, 1.0) if share else (min(values), max(values))
    n = 10
    width = (hi - lo) / n or 1.0
    counts = [0] * n
    for v in values:
        counts[min(n - 1, max(0, int((v - lo) / width)))] += 1
    return [{"order": i, "bin": f"{marks.fmt(lo + i * width, ind)} – {marks.fmt(lo + (i + 1) * width, ind)}",
             "count": counts[i]} for i in range(n)]


@login_required
def indicator_page(request, code: str):
    snap = snapshot()
    ind = _indicator_or_404(snap, code)
    f = filters.parse(request.GET, snap, many=False)
    focus, regions, municipalities, organisations = _scoped_entities(request, f, request.GET.get("municipality"))
    parts = ("indicator", code, tuple(sorted(r.code for r in regions)),
           tuple(m.code for m in municipalities), tuple(o.code for o in organisations))
    body = page_cache.kept(request, snap.key, parts, lambda: render_to_string(
        "dashboards/_indicator_body.html",
        _indicator_context(request, snap, f, code, ind, focus, regions, municipalities, organisations), request))
    return render(request, "dashboards/indicator.html", {
        "code": code, "ind": ind, "focus": focus, "body": body, "back_query": f.query(ind=None, sort=None)})


def _indicator_context(request, snap: Snapshot, f: filters.Filters, code: str, ind, focus, regions, municipalities,
                       organisations) -> dict:
    region_rows, muni_rows, org_rows = _indicator_rows(snap, f, code, regions, municipalities, organisations)
    region = next(iter(regions), None)
    reference = region_rows.get((region.code, code)) if region else None
    drill = []
    if focus is None and municipalities:
        for m in municipalities:
            drill.append({"entity": m, "url_query": f.query(ind=None, municipality=m.code),
                          "cell": _cell(muni_rows.get((m.code, code)), ind, reference, "региона")})
    else:
        url_of = object_urls("organisation")
        for o in (organisations if zones.applies(ind, "organisation") else []):
            drill.append({"entity": o, "org": True, "url": url_of(o.code),
                          "cell": _cell(org_rows.get((o.code, code)), ind, reference, "региона")})
    values = [r["value"] for r in org_rows.values() if r["value"] is not None] if zones.applies(ind, "organisation") else []
    bins = _bins(values, ind)
    chart_list = []
    if bins:
        chart_list.append(charts.histogram("distribution", f"Распределение организаций: {ind.name if ind else code}",
                                           bins, "Значение", ["Интервал", "Организаций"],
                                           [[b["bin"], str(b["count"])] for b in bins]))
    catalog_source = snap.catalog.source(ind.source) if (snap.catalog and ind) else None
    versions = sorted({v for v in snap.values.filter(snap.values["indicator"] == code)["version"].to_list() if v})
    context = _base_context(request, snap, f) | {
        "code": code, "ind": ind, "source": catalog_source, "versions": versions,
        "kind_ru": marks.KIND_RU.get(ind.kind) if ind else "", "direction_ru": marks.DIRECTION_RU.get(ind.direction) if ind else "",
        "region": region, "reference": _cell(reference, ind, None, "") if reference else None,
        "focus": focus, "drill": drill, "charts": chart_list, "n_values": len(values),
        "export_query": f.query(ind=None, sort=None, municipality=focus.code if focus else None),
        "back_query": f.query(ind=None, sort=None),
    }
    return context


EXPORT_HEADER = ["Уровень", "Код", "Название", "Учебный год", "Предмет", "Класс", "Значение", "Числитель",
                 "Знаменатель", "Участников", "Малая группа", "Изменение за год", "Цель", "Место", "Из",
                 "Нижняя граница интервала", "Верхняя граница интервала", "Версия"]


@login_required
def indicator_export(request, code: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404("Формат выгрузки: csv или xlsx.")
    snap = snapshot()
    _indicator_or_404(snap, code)
    f = filters.parse(request.GET, snap, many=False)
    _focus, regions, municipalities, organisations = _scoped_entities(request, f, request.GET.get("municipality"))
    parts = ("export", code, fmt, f.decimal_comma, tuple(sorted(r.code for r in regions)),
           tuple(m.code for m in municipalities), tuple(o.code for o in organisations))
    content = page_cache.kept(request, snap.key, parts, lambda: _export_content(snap, f, code, fmt, regions, municipalities,
                                                               organisations))
    name = f"{code}-{f.year or 'all'}"
    response = HttpResponse(content, content_type="text/csv; charset=utf-8" if fmt == "csv" else
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _export_content(snap: Snapshot, f: filters.Filters, code: str, fmt: str, regions, municipalities,
                    organisations) -> bytes:
    region_rows, muni_rows, org_rows = _indicator_rows(snap, f, code, regions, municipalities, organisations)
    rows = []
    for level, entities, found in (("region", sorted(regions, key=lambda r: r.name), region_rows),
                                   ("municipality", municipalities, muni_rows),
                                   ("organisation", organisations, org_rows)):
        for entity in entities:
            row = found.get((entity.code, code))
            if row is None:
                continue
            rows.append([LEVEL_RU[level], entity.code, entity.name, row["year"], row["subject"], row["grade"],
                         row["value"], row["numerator"], row["denominator"], row["group_size"],
                         "да" if row["under_min_group"] else "нет", row["change"], row["target"], row["rank"],
                         row["peers"], row["ci_low"], row["ci_high"], row["version"]])
    if fmt == "csv":
        return export.to_csv(EXPORT_HEADER, rows, decimal_comma=f.decimal_comma)
    return export.to_xlsx(EXPORT_HEADER, rows, title=code, formats=_export_formats(snap.indicators.get(code)),
                          widths={2: 45})


def _export_formats(ind) -> dict[int, str]:
    """Number formats of the export's columns: a share in percent (its change in signed percent), a count
    whole, a mean with two decimals; numerator, denominator, participants and places whole."""
    value = export.PERCENT if marks.is_share(ind) else (export.WHOLE if ind is not None and str(ind.kind) == "count"
                                                        else export.DECIMAL)
    change = export.CHANGE_POINTS if marks.is_share(ind) else "+0.00;-0.00;0.00"
    return {6: value, 7: export.WHOLE, 8: export.WHOLE, 9: export.WHOLE, 11: change, 12: value, 13: export.WHOLE,
            14: export.WHOLE, 15: value, 16: value}
