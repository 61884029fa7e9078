"""The organisation page's ВПР blocks per subject × grade: the primary-score histogram with the year's mark
boundaries, and task completion Б/П against the municipality and the region.

Every figure is read from the stored distributions (`msoko.engine.distributions`, written by
`msoko compute`): one filtered read per table of the chosen year, only the rows of this organisation, its
municipality and its region. Nothing is aggregated here; zero-count scores are filled in for drawing only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from msoko.engine.distributions import POINTER, StoredDistributions
from msoko.engine.distributions import root as distributions_root
from msoko.web.dashboards import charts, marks
from msoko.web.dashboards.data import file_identity, results_dir

LEVEL_RU = {"Б": "базовый", "П": "повышенный"}


@dataclass(frozen=True)
class _Share:
    """Formats and judges a completion share like a share indicator where more is better."""

    kind: str = "share"
    direction: str = marks.HIGHER
    min_group_size: int = 0  # a block is shown only for a group already past the minimum


SHARE = _Share()


def pct(value) -> str:
    return marks.fmt(value, SHARE)


def _by_key(table) -> dict[tuple, list[dict]]:
    out: dict[tuple, list[dict]] = {}
    columns = table.to_pydict()  # column-wise: several times faster than row dicts from Arrow
    names = list(columns)
    for values in zip(*columns.values(), strict=True):
        row = dict(zip(names, values, strict=True))
        out.setdefault((row["level"], row["subject"], row["grade"]), []).append(row)
    return out


def _mark_of(score: int, bounds: list[int]) -> str:
    return f"«{2 + sum(1 for b in bounds if score >= b)}»" if bounds else "—"


def _histogram(i: int, subject: str, grade: int, own: dict, org_scores: list[dict], muni_scores: list[dict],
               region_scores: list[dict]) -> charts.Chart:
    bounds = [b for b in (own["bound_3"], own["bound_4"], own["bound_5"]) if b is not None]
    known = [r["score"] for r in org_scores + region_scores]
    top = max([own["max_score"] or 0, *known]) if known else (own["max_score"] or 0)
    counts = {r["score"]: r for r in org_scores}
    muni = {r["score"]: r["share"] for r in muni_scores}
    region = {r["score"]: r["share"] for r in region_scores}
    bars, rows = [], []
    for score in range(0, top + 1):
        row = counts.get(score)
        count, share = (row["count"], row["share"]) if row else (0, 0.0)
        bars.append({"score": score, "lo": score - 0.5, "hi": score + 0.5, "count": count, "share": share * 100,
                     "label": pct(share)})
        rows.append([str(score), _mark_of(score, bounds), str(count), pct(share),
                     pct(muni.get(score, 0.0)) if muni_scores else "—",
                     pct(region.get(score, 0.0)) if region_scores else "—"])
    region_points = [{"score": s, "share": region.get(s, 0.0) * 100, "label": pct(region.get(s, 0.0))}
                     for s in range(0, top + 1)] if region_scores else []
    captions = [{"x": b - 0.5, "caption": f"«{m}» с {b}"} for m, b in zip((3, 4, 5), bounds, strict=False)]
    title = f"Первичные баллы: {subject}, {grade} класс"
    return charts.score_histogram(f"vpr-hist-{i}", title, bars, region_points, captions,
                                  ["Балл", "Отметка", "Участников", "Доля", "Муниципалитет", "Регион"], rows)


def _by_pupils(value: float | None, pupils: int | None) -> dict:
    """A completion share as the one rule judges it: the pupils, not the points, are the independent units
    (one pupil's points on a test go together), so the interval is Wilson's over the participants — a
    conservative one, since the variance of a mean of per-pupil shares in [0, 1] is at most p(1 − p)/n."""
    if value is None or not pupils:
        return {"value": value}
    return {"value": value, "numerator": value * pupils, "denominator": pupils, "group_size": pupils}


def _tasks(i: int, subject: str, grade: int, own: list[dict], region: list[dict],
           pupils: int | None = None) -> tuple[charts.Chart | None, list[dict]]:
    reg = {(r["task"], r["task_level"]): r for r in region}
    points, rows, table = [], [], []
    for row in sorted(own, key=lambda r: (r["task_order"], r["task_level"] or "")):
        ref = reg.get((row["task"], row["task_level"]))
        level = row["task_level"] or "?"
        name = f"{row['task']} {level}"
        value, reference = row["completion"], ref["completion"] if ref else None
        points.append({"name": name, "order": row["task_order"], "own": value * 100,
                       "region": reference * 100 if reference is not None else None,
                       "own_label": pct(value), "region_label": pct(reference)})
        diff = marks.fmt_change(value - reference, SHARE) if reference is not None else "—"
        rows.append([row["task"], LEVEL_RU.get(level, "не указан"), pct(value), pct(reference), diff])
        table.append({"task": row["task"], "level": LEVEL_RU.get(level, "не указан"), "own": pct(value),
                      "region": pct(reference), "diff": diff,
                      "mark": marks.versus(_by_pupils(value, pupils), reference, SHARE, "региона")})
    if not points:
        return None, []
    chart = charts.task_completion(f"vpr-tasks-{i}", f"Выполнение заданий: {subject}, {grade} класс", points,
                                   ["Задание", "Уровень", "Организация", "Регион", "Разница"], rows)
    return chart, table


def _levels(own: dict, muni: dict | None, region: dict | None) -> list[dict]:
    pupils = own.get("participants")
    out = []
    for code, title in (("b", "Базовый уровень (Б)"), ("p", "Повышенный уровень (П)")):
        value = own.get(f"{code}_completion")
        if value is None and not own.get(f"{code}_max"):
            continue
        reference = region.get(f"{code}_completion") if region else None
        out.append({"title": title, "own": pct(value), "points": f"{_num(own[f'{code}_score'])} из {_num(own[f'{code}_max'])}",
                    "muni": pct(muni.get(f"{code}_completion")) if muni else "—", "region": pct(reference),
                    "diff": marks.fmt_change(value - reference, SHARE) if None not in (value, reference) else "—",
                    "mark": marks.versus(_by_pupils(value, pupils), reference, SHARE, "региона")})
    return out


def _num(value) -> str:
    return marks.fmt(value, None).replace(",00", "") if value is not None else "—"


def groups(year: int | None, subject: str | None, grade: int | None, org_code: str, muni_code: str,
           region_code: str) -> dict:
    """{"computed": bool, "min_group": n, "items": [one dict per subject × grade of the organisation]}."""
    stored = StoredDistributions.open(results_dir())
    if stored is None or year is None:
        return {"computed": stored is not None, "min_group": None, "items": []}
    ids = [org_code, muni_code, region_code]
    found = {name: _by_key(stored.read(name, year, ids, subject, grade)) for name in ("groups", "scores", "tasks")}
    level_id = {"organisation": org_code, "municipality": muni_code, "region": region_code}
    items = []
    keys = sorted((s, g) for lv, s, g in found["groups"] if lv == "organisation")
    for i, (subj, gr) in enumerate(keys):
        def rows(name, level, subj=subj, gr=gr):
            return [r for r in found[name].get((level, subj, gr), []) if r["id"] == level_id[level]]

        own = rows("groups", "organisation")[0]
        muni = next(iter(rows("groups", "municipality")), None)
        region = next(iter(rows("groups", "region")), None)
        item = {"subject": subj, "grade": gr, "anchor": f"vpr-{i}", "participants": own["participants"],
                "small": own["under_min_group"], "bounds_source": own["bounds_source"],
                "bounds": [b for b in (own["bound_3"], own["bound_4"], own["bound_5"]) if b is not None],
                "max_score": own["max_score"], "levels": _levels(own, muni, region), "charts": []}
        if not own["under_min_group"]:
            item["charts"].append(_histogram(i, subj, gr, own, rows("scores", "organisation"),
                                             rows("scores", "municipality"), rows("scores", "region")))
        chart, table = _tasks(i, subj, gr, rows("tasks", "organisation"), rows("tasks", "region"),
                              own["participants"])
        item["tasks"] = table
        if chart is not None:
            item["charts"].append(chart)
        items.append(item)
    return {"computed": True, "min_group": stored.min_group, "items": items}


def section(year: int | None, subject: str | None, grade: int | None, org_code: str, muni_code: str,
            region_code: str) -> SafeString:
    """The rendered ВПР blocks of one organisation. Stored runs never change, so the HTML is kept per run
    (the key holds the identity of CURRENT.json, replaced atomically by every run) for repeated visits."""
    return _rendered(str(results_dir()), run_identity(), year, subject, grade, org_code, muni_code, region_code)


def run_identity() -> tuple:
    """The identity of the stored distributions run (CURRENT.json is replaced atomically by every run)."""
    return file_identity(distributions_root(results_dir()) / POINTER)


@lru_cache(maxsize=64)
def _rendered(folder: str, run: tuple, year, subject, grade, org_code, muni_code, region_code) -> SafeString:
    data = groups(year, subject, grade, org_code, muni_code, region_code)
    return render_to_string("dashboards/_vpr_groups.html", {"vpr_groups": data, "year": year})
