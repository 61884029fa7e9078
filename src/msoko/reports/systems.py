"""The sections «1.1» … «2.4»: per system of the framework, the indicators that have data for the subject —
a paragraph per value, a summary table, the subject's organisations or municipalities side by side, charts."""

from __future__ import annotations

from msoko.engine import zones
from msoko.engine.catalog.model import Indicator, System
from msoko.reports import charts, ru
from msoko.reports.context import Builder
from msoko.reports.figures import cell, change_cell, is_share, quoted, sentences, shown, target_of
from msoko.reports.labels import dataset_title
from msoko.reports.model import Cell, Heading, Paragraph

MATRIX_COLUMNS = 4  # indicators per side-by-side table
BAR_INDICATORS = 8


def _with_data(b: Builder, system: System, year: int | None) -> list[Indicator]:
    rows = b.source.rows(b.subject.level, b.subject.code)
    org = b.source.registry.organisations.get(b.subject.code) if b.subject.level == "organisation" else None
    kind = org.kind if org else None
    return [i for i in b.source.catalog.indicators
            if i.system == system.code and year is not None and year in rows.get(i.code, {})
            and not ru.missing(rows[i.code][year].get("value"))  # a share over no one has no value to tell
            and zones.applies(i, b.subject.level, kind)]


def _unit(ind: Indicator) -> str:
    return "%" if is_share(ind) else ind.unit


def _scale(ind: Indicator) -> float:
    return 100.0 if is_share(ind) else 1.0


def _children(b: Builder) -> tuple[str, list[tuple[str, str]]]:
    """The level and (code, name) of what a region or municipality report sets side by side."""
    if b.subject.level == "region":
        return "municipality", sorted(b.source.registry.municipalities.items(), key=lambda kv: kv[1])
    if b.subject.level == "municipality":
        return "organisation", [(o.code, o.name) for o in b.subject.orgs]
    return "", []


def _spread(b: Builder, ind: Indicator, year: int) -> str:
    level, children = _children(b)
    found = []
    for code, name in children:
        row = b.source.value(level, code, ind.code, year)
        if row is not None and not ru.missing(row["value"]) and not row.get("under_min_group"):
            found.append((row["value"], name))
    if len(found) < 2:
        return ""
    low, high = min(found), max(found)
    who = "муниципалитетов" if level == "municipality" else "организаций"
    return (f"Среди {who} значения — от {shown(low[0], ind)} ({low[1]}) до {shown(high[0], ind)} ({high[1]}).")


def _summary_rows(b: Builder, indicators: list[Indicator], year: int) -> tuple[list[str], list[list[Cell]]]:
    parents = b.subject.parents()
    columns = ["Показатель", f"Значение, {year}", "Изменение за год"]
    columns += ["Муниципалитет" if level == "municipality" else "Регион" for level, _ in parents]
    columns += ["Цель", "95 % интервал", "Место"]
    rows = []
    for ind in indicators:
        row = b.source.value(b.subject.level, b.subject.code, ind.code, year)
        cells = [Cell(ind.name), cell(row["value"], ind), change_cell(row.get("change"), ind)]
        for level, code in parents:
            ref = b.source.value(level, code, ind.code, year)
            cells.append(cell(ref["value"] if ref else None, ind))
        target = target_of(row, ind, b.subject.level)
        cells.append(cell(target, ind))
        interval = ("—" if ru.missing(row.get("ci_low")) else
                    f"{shown(row['ci_low'], ind)} – {shown(row['ci_high'], ind)}")
        cells.append(Cell(interval))
        place = f"{row['rank']} из {row['peers']}" if row.get("rank") and (row.get("peers") or 0) > 1 else "—"
        cells.append(Cell(place))
        rows.append(cells)
    return columns, rows


def _matrix(b: Builder, system: System, indicators: list[Indicator], year: int) -> None:
    level, children = _children(b)
    if not level:
        return
    what = "Муниципалитет" if level == "municipality" else "Организация"
    for start in range(0, len(indicators), MATRIX_COLUMNS):
        chunk = indicators[start:start + MATRIX_COLUMNS]
        rows = []
        for code, name in children:
            values = [b.source.value(level, code, ind.code, year) for ind in chunk]
            if all(v is None for v in values):
                continue
            rows.append([Cell(name)] + [cell(v["value"] if v else None, ind) for v, ind in zip(values, chunk,
                                                                                                 strict=True)])
        part = f" (часть {start // MATRIX_COLUMNS + 1})" if len(indicators) > MATRIX_COLUMNS else ""
        b.table(f"Система {system.code}: значения по {'муниципалитетам' if level == 'municipality' else 'организациям'}, "
                f"{ru.year_ru(year)}{part}", [what] + [ind.name for ind in chunk], rows,
                (3,) + (2,) * len(chunk), appendix=True)


def _charts(b: Builder, system: System, indicators: list[Indicator], year: int) -> None:
    directed = [i for i in indicators if str(i.direction) != "neutral"] or indicators
    key = directed[0]
    subject = b.subject
    if subject.level == "organisation":
        shares = [i for i in indicators if is_share(i)][:BAR_INDICATORS]
        series = [("Организация", subject.level, subject.code)] + [
            ("Муниципалитет" if lv == "municipality" else "Регион", lv, code) for lv, code in subject.parents()]
        items = [{"label": ind.name, "series": label, "value": row["value"] * 100}
                 for ind in shares for label, lv, code in series
                 if (row := b.source.value(lv, code, ind.code, year)) is not None and not ru.missing(row["value"])]
        if items:
            b.chart(f"Система {system.code}: организация, муниципалитет и регион, {ru.year_ru(year)}, %",
                    lambda: charts.grouped_bars(items, "%"))
    else:
        level, children = _children(b)
        items = [{"name": name, "value": row["value"] * _scale(key)} for code, name in children
                 if (row := b.source.value(level, code, key.code, year)) is not None and not ru.missing(row["value"])]
        refs = [{"caption": f"{'Муниципалитет' if lv == 'municipality' else 'Регион'}: {shown(row['value'], key)}",
                 "value": row["value"] * _scale(key)}
                for lv, code in [(subject.level, subject.code)] + subject.parents()
                if (row := b.source.value(lv, code, key.code, year)) is not None]
        if items:
            items.sort(key=lambda i: -i["value"])
            b.chart(f"{key.name}, {ru.year_ru(year)}", lambda: charts.entity_bars(items, refs, _unit(key)))
    series = [(subject.name, subject.level, subject.code)] + [
        (b.source.registry.municipalities.get(code, code) if lv == "municipality" else subject.region[1], lv, code)
        for lv, code in subject.parents()]
    points = [{"series": label, "year": y, "value": row["value"] * _scale(key)}
              for label, lv, code in series for y, row in sorted(b.source.rows(lv, code).get(key.code, {}).items())
              if not ru.missing(row["value"])]
    if len({p["year"] for p in points}) > 1:
        b.chart(f"Динамика: {key.name}", lambda: charts.dynamics(points, _unit(key)))


def _significance(b: Builder, ind: Indicator, year: int) -> float | None:
    """How much the value says, by the one rule: None when nothing about it is significant (no missed
    target, no difference outside its interval); else the largest such difference (a missed target first)."""
    row = b.source.value(b.subject.level, b.subject.code, ind.code, year)
    if row is None:
        return None
    refs = {ref.label: ref.row["value"] for ref in b.references(ind.code, year) if ref.row is not None}
    found = zones.findings(row, ind, b.subject.level, region=refs.get("по региону"),
                           municipality=refs.get("по муниципалитету"))
    better = [abs(row["value"] - v) for v in [*refs.values(), zones.previous_value(row)]
              if v is not None and zones.judge(row, ind, v) == 1]
    sizes = [10.0 + abs(row["value"] - f.reference) if f.comparison == "target" else abs(row["value"] - f.reference)
             for f in found] + better
    return max(sizes) if sizes else None


def _worth_telling(b: Builder, indicators: list[Indicator], year: int) -> tuple[list[Indicator], list[Indicator]]:
    """A school's справка tells every indicator; a municipality's or the region's only those with something
    significant (a missed target, a difference or change outside the interval), the largest first — the
    rest are named in one line."""
    if b.subject.level == "organisation":
        return indicators, []
    scored = [(_significance(b, ind, year), i, ind) for i, ind in enumerate(indicators)]
    told = [ind for size, _, ind in sorted((x for x in scored if x[0] is not None), key=lambda x: (-x[0], x[1]))]
    return told, [ind for size, _, ind in scored if size is None]


def _reference_words(b: Builder) -> str:
    return " и значимых отличий от региона" if b.subject.level == "municipality" else ""


def system_section(b: Builder, system: System, year: int | None) -> None:
    b.doc.add(Heading(f"{system.code} {system.name}", 1, sheet=f"Система {system.code}"))
    indicators = _with_data(b, system, year)
    if not indicators:
        waiting = sorted({b.source.waiting[i.code] for i in b.source.catalog.indicators
                          if i.system == system.code and i.code in b.source.waiting})
        text = "По этой системе нет рассчитанных показателей"
        text += f" для объекта справки за {ru.year_ru(year)}." if year else "."
        if waiting:
            text += " Показатели ждут данных: " + "; ".join(dataset_title(b.source.catalog, w) for w in waiting) + "."
        b.doc.add(Paragraph(ru.one_full_stop(text), "note"))
        return
    tracks = {t.code: t.name for t in system.tracks}
    for track in dict.fromkeys(i.track for i in indicators):
        if len(system.tracks) > 1:
            b.doc.add(Heading(tracks.get(track, track), 2))
        told, quiet = _worth_telling(b, [i for i in indicators if i.track == track], year)
        for ind in told:
            row = b.source.value(b.subject.level, b.subject.code, ind.code, year)
            text = sentences(row, ind, b.subject.level, b.references(ind.code, year))
            spread = _spread(b, ind, year) if b.subject.level != "organisation" else ""
            b.doc.add(Paragraph(f"{text} {spread}".strip()))
        if quiet:
            b.doc.add(Paragraph(f"Без значимых изменений за год{_reference_words(b)}, цели "
                                f"достигнуты или не установлены ({ru.count(len(quiet), ru.INDICATOR)}): "
                                + "; ".join(quoted(i.name) for i in quiet) + ".", "note"))
    columns, rows = _summary_rows(b, indicators, year)
    b.table(f"Показатели системы {system.code}, {ru.year_ru(year)}", columns, rows,
            (6, 2, 2) + (2,) * (len(columns) - 3))
    _matrix(b, system, indicators, year)
    _charts(b, system, indicators, year)


def indicator_names(b: Builder, year: int | None) -> list[str]:
    """Codes of the indicators the report uses (for the appendix of passports)."""
    if year is None:
        return []
    rows = b.source.rows(b.subject.level, b.subject.code)
    return [i.code for i in b.source.catalog.indicators if year in rows.get(i.code, {})]

