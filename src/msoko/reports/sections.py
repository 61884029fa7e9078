"""The sections after the systems: ШНОР/ШНСУ, the municipal rating, objectivity, problem zones with targeted recommendations,
the management cycle (when given), and the appendices (passports of the indicators, data versions)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import polars as pl

from msoko.engine.ratings import TOTAL
from msoko.reports import labels, ru
from msoko.reports.context import Builder
from msoko.reports.data import KIND_RU
from msoko.reports.figures import Problem, Reference, problem, quoted
from msoko.reports.labels import DIRECTION_RU, dataset_title
from msoko.reports.model import Bullets, Cell, Heading, Paragraph
from msoko.reports.templates import Texts

FAMILY = {"vpr": "vpr", "primary_results": "vpr", "func_literacy": "vpr", "mm_federal": "vpr",
          "ege": "gia", "oge": "gia", "graduates": "gia", "results_by_org": "gia", "context": "context"}
YES = {True: "да", False: "нет", None: "—"}


def _org_name(b: Builder, code: str) -> str:
    org = b.source.registry.organisations.get(code)
    return org.name if org else code


def _muni_name(b: Builder, code: str) -> str:
    org = b.source.registry.organisations.get(code)
    return b.source.registry.municipalities.get(org.municipality, org.municipality) if org else "—"


# ---- general -----------------------------------------------------------------------------------
def general(b: Builder, texts: Texts, year: int | None) -> None:
    s = b.subject
    b.doc.add(Heading("Общие сведения", 1, sheet="Общие сведения"), Paragraph(texts.introduction))
    kinds = Counter(o.kind for o in s.orgs)
    if s.level == "organisation":
        org = s.orgs[0]
        facts = [[Cell("Код"), Cell(org.code)], [Cell("Вид"), Cell(KIND_RU.get(org.kind, org.kind))],
                 [Cell("Муниципалитет"), Cell(s.municipality[1] if s.municipality else "—")],
                 [Cell("Местность"), Cell({"urban": "городская", "rural": "сельская"}.get(org.locality or "", "—"))],
                 [Cell("Обучающихся"), Cell(ru.number(org.students, 0), org.students, "0") if org.students
                  else Cell("—")],
                 [Cell("Педагогов"), Cell(ru.number(org.teachers, 0), org.teachers, "0") if org.teachers
                  else Cell("—")]]
        b.table("Сведения об организации", ["Сведение", "Значение"], facts, (2, 5))
    else:
        text = (f"Организаций в справке: {ru.number(len(s.orgs), 0)}, из них общеобразовательных — "
                f"{ru.number(kinds.get('school', 0), 0)}, дошкольных — {ru.number(kinds.get('kindergarten', 0), 0)}, "
                f"дополнительного образования — {ru.number(kinds.get('additional', 0), 0)}.")
        if s.level == "region":
            text = f"В регионе {ru.count(len(b.source.registry.municipalities), ru.MUNICIPALITY)}. " + text
        b.doc.add(Paragraph(text))
        if s.level == "region":
            rows = []
            for code, name in sorted(b.source.registry.municipalities.items(), key=lambda kv: kv[1]):
                own = Counter(o.kind for o in b.source.registry.in_municipality(code))
                rows.append([Cell(name)] + [Cell(str(own.get(k, 0)), own.get(k, 0), "0")
                                            for k in ("school", "kindergarten", "additional")])
            b.table("Организации по муниципалитетам", ["Муниципалитет", "Школ", "Дошкольных", "Доп. образования"],
                    rows, (5, 2, 2, 2))
    if year is not None:
        b.doc.add(Paragraph(f"Показатели приведены за {ru.year_ru(year)} ({ru.school_year(year)}) в сравнении "
                            f"с предыдущим годом; данные рассчитаны {ru.date_ru(b.source.data_date)}"))
    else:
        b.doc.add(Paragraph("Для объекта справки нет рассчитанных показателей: загрузите результаты оценочных "
                            "процедур и выполните расчёт.", "note"))


# ---- ШНОР / ШНСУ ---------------------------------------------------------------------------------
def _reasons(codes: str | None) -> str:
    return " ".join(labels.sentences(codes, labels.REASON_SENTENCE)) or "—"


def risk(b: Builder) -> None:
    b.doc.add(Heading("Школы с низкими результатами обучения (ШНОР) и в неблагоприятных социальных условиях (ШНСУ)",
                      1, sheet="ШНОР и ШНСУ"))
    rows = b.source.risk_rows(b.subject.org_codes)
    if not rows:
        b.doc.add(Paragraph("Результатов выявления ШНОР и ШНСУ для объекта справки нет (расчёт не выполнен или "
                            "в нём нет школ с результатами).", "note"))
        return
    if b.subject.level == "organisation":
        table = [[Cell(str(r["year"]), r["year"], "0"), Cell(YES[r["shnor"]]), Cell(YES[r["shnsu"]]),
                  Cell(_reasons(r["reasons"]))] for r in rows]
        b.table("Включение в списки ШНОР и ШНСУ по годам", ["Год", "ШНОР", "ШНСУ", "Основания"], table, (1, 1, 1, 6))
        for r in rows:
            if r.get("explanation"):
                b.doc.add(Paragraph(f"{ru.year_ru(r['year'])}: {r['explanation']}"))
        return
    year = max(r["year"] for r in rows)
    now = [r for r in rows if r["year"] == year]
    before = [r for r in rows if r["year"] == year - 1]
    parts = []
    for key, label in (("shnor", "ШНОР"), ("shnsu", "ШНСУ")):
        text = f"в списке {label} — {ru.count(sum(1 for r in now if r[key]), ru.SCHOOL)}"
        if before:
            text += f" (в {ru.year_ru(year - 1)} — {ru.number(sum(1 for r in before if r[key]), 0)})"
        parts.append(text)
    b.doc.add(Paragraph(f"В {ru.year_ru(year)}: " + "; ".join(parts) + f"; всего школ с данными — {ru.number(len(now), 0)}."))
    moves = [m for m in b.source.list_rows(b.subject.org_codes) if m["year"] == year and m["status"] != "stayed"]
    for status, word in (("entered", "Вошли в список"), ("left", "Вышли из списка")):
        for key, label in (("shnor", "ШНОР"), ("shnsu", "ШНСУ")):
            names = sorted(_org_name(b, m["org_id"]) for m in moves if m["status"] == status and m["list"] == key)
            if names:
                b.doc.add(Paragraph(f"{word} {label} в {ru.year_ru(year)}: " + "; ".join(names) + "."))
    listed = sorted((r for r in now if r["shnor"] or r["shnsu"]), key=lambda r: _org_name(b, r["org_id"]))
    region = b.subject.level == "region"
    table = [[Cell(_org_name(b, r["org_id"]))] + ([Cell(_muni_name(b, r["org_id"]))] if region else [])
             + [Cell(YES[r["shnor"]]), Cell(YES[r["shnsu"]]), Cell(r.get("explanation") or _reasons(r["reasons"]))]
             for r in listed]
    b.table(f"Школы в списках ШНОР и ШНСУ, {ru.year_ru(year)}",
            ["Организация"] + (["Муниципалитет"] if region else []) + ["ШНОР", "ШНСУ", "Основания"], table,
            (3,) + ((2,) if region else ()) + (1, 1, 6))


# ---- municipal rating ----------------------------------------------------------------------------
RATING_METHOD = ("Оценка от 0 до 100: по каждому показателю с направлением муниципалитет сравнивается с лучшим "
                 "в регионе (лучший — 100, худший — 0) и по изменению за год; оценка системы — среднее по её "
                 "показателям, общая — среднее по системам; место 1 — лучшее (методология мотивирующего "
                 "мониторинга, распоряжение Минпросвещения России от 06.12.2022 № Р-293).")


def rating(b: Builder) -> None:
    """The stored municipal rating (engine/ratings.py): the region's table, or the municipality's place and
    its system scores. Not in a school's справка: schools are not rated."""
    if b.subject.level == "organisation":
        return
    df = b.source.ratings
    if not df.is_empty():
        df = df.filter(pl.col("region_id") == b.subject.region[0])
    b.doc.add(Heading("Рейтинг муниципалитетов", 1, sheet="Рейтинг"))
    if df.is_empty():
        b.doc.add(Paragraph("Рейтинг муниципалитетов не рассчитан (выполните «msoko compute»).", "note"))
        return
    year = df["year"].max()
    df = df.filter(pl.col("year") == year)
    b.doc.add(Paragraph(RATING_METHOD, "note"))
    total = df.filter(pl.col("system") == TOTAL).sort("rank", "municipality_id")
    if b.subject.level == "region":
        rows = [[Cell(str(r["rank"]), r["rank"], "0"), Cell(b.source.registry.municipalities.get(r["municipality_id"], r["municipality_id"])),
                 Cell(ru.number(r["score"], 1), r["score"], "0.0"), Cell(str(r["indicators"]), r["indicators"], "0")]
                for r in total.iter_rows(named=True)]
        b.table(f"Рейтинг муниципалитетов, {ru.year_ru(year)}", ["Место", "Муниципалитет", "Общая оценка",
                                                              "Показателей"], rows, (1, 5, 2, 2))
        return
    code = b.subject.municipality[0] if b.subject.municipality else b.subject.code
    own = total.filter(pl.col("municipality_id") == code)
    if own.is_empty():
        b.doc.add(Paragraph(f"В {ru.year_ru(year)} у муниципалитета нет общей оценки: недостаточно показателей.",
                            "note"))
        return
    r = own.row(0, named=True)
    b.doc.add(Paragraph(f"В {ru.year_ru(year)}: {r['rank']}-е место из {r['peers']} муниципалитетов региона, общая "
                        f"оценка {ru.number(r['score'], 1)} из 100 ({ru.count(r['indicators'], ru.INDICATOR)})."))
    names = {s.code: s.name for s in b.source.catalog.systems}
    systems = df.filter((pl.col("municipality_id") == code) & (pl.col("system") != TOTAL)).sort("system")
    rows = [[Cell(f"{x['system']} {names.get(x['system'], '')}".strip()), Cell(ru.number(x["score"], 1), x["score"], "0.0"),
             Cell(f"{x['rank']} из {x['peers']}"), Cell(str(x["indicators"]), x["indicators"], "0")]
            for x in systems.iter_rows(named=True)]
    b.table(f"Оценки по системам, {ru.year_ru(year)}", ["Система", "Оценка", "Место", "Показателей"], rows,
            (5, 2, 2, 2))


# ---- objectivity ---------------------------------------------------------------------------------
def _signs(codes: str | None) -> str:
    return " ".join(labels.sentences(codes, labels.SIGN_SENTENCE))


def objectivity(b: Builder) -> None:
    b.doc.add(Heading("Объективность результатов оценочных процедур", 1, sheet="Объективность"))
    rows = b.source.objectivity_rows(b.subject.org_codes)
    if not rows:
        b.doc.add(Paragraph("Результатов проверки объективности для объекта справки нет.", "note"))
        return
    years = sorted({r["year"] for r in rows})
    summary = []
    for y in years:
        of_year = [r for r in rows if r["year"] == y]
        flagged = [r for r in of_year if r["flagged"]]
        summary.append([Cell(str(y), y, "0"), Cell(str(len(of_year)), len(of_year), "0"),
                        Cell(str(len(flagged)), len(flagged), "0"),
                        Cell(str(len({r["org_id"] for r in flagged})), len({r["org_id"] for r in flagged}), "0")])
    year = years[-1]
    last = [r for r in rows if r["year"] == year]
    flagged = [r for r in last if r["flagged"]]
    orgs = {r["org_id"] for r in flagged}
    text = (f"В {ru.year_ru(year)} проверено групп результатов (предмет и класс в организации): "
            f"{ru.number(len(last), 0)}; групп с признаками необъективности: {ru.number(len(flagged), 0)}")
    if b.subject.level != "organisation":
        text += f"; организаций с такими группами: {ru.number(len(orgs), 0)}"
    b.doc.add(Paragraph(text + "."))
    b.table("Проверка объективности по годам", ["Год", "Проверено групп", "С признаками", "Организаций с признаками"],
            summary, (1, 2, 2, 2))
    region = b.subject.level == "region"
    # the numbers behind each sign (the detection's explanation) only in a school's own справка; a
    # municipality's or the region's names the signs in words, the numbers stay on the school's page
    own = b.subject.level == "organisation"
    table = [[Cell(_org_name(b, r["org_id"]))] + ([Cell(_muni_name(b, r["org_id"]))] if region else [])
             + [Cell(f"{r['procedure']} {r['subject']}".strip()), Cell(str(r["grade"]) if r["grade"] else "—"),
                Cell(str(r["participants"]), r["participants"], "0"), Cell(_signs(r["signs"]))]
             + ([Cell(r.get("explanation") or "")] if own else [])
             for r in sorted(flagged, key=lambda r: (_org_name(b, r["org_id"]), r["subject"], r["grade"] or 0))]
    b.table(f"Группы с признаками необъективности, {ru.year_ru(year)}",
            ["Организация"] + (["Муниципалитет"] if region else []) + ["Процедура и предмет", "Класс", "Участников",
                                                                       "Признаки"] + (["Цифры"] if own else []),
            table, (3,) + ((2,) if region else ()) + (2, 1, 1.4, 6) + ((5,) if own else ()))
    if not flagged:
        b.doc.add(Paragraph(f"В {ru.year_ru(year)} признаков необъективности не выявлено."))


# ---- problem zones and recommendations -----------------------------------------------------------
def problems_of(b: Builder, level: str, code: str, year: int | None) -> list[Problem]:
    if year is None:
        return []
    found = []
    region = b.subject.region[0]
    for ind in b.source.catalog.indicators:
        row = b.source.value(level, code, ind.code, year)
        if row is None:
            continue
        ref = None if level == "region" else Reference("по региону", b.source.value("region", region, ind.code, year))
        org = b.source.registry.organisations.get(code) if level == "organisation" else None
        found_one = problem(row, ind, level, ref, org_kind=org.kind if org else None)
        if found_one:
            found.append(found_one)
    return sorted(found, key=lambda p: -p.gap)  # the largest first


def recommendations_for(texts: Texts, problems: list[Problem], risk_row: dict | None, flagged: list[dict]) -> list[str]:
    rec = texts.recommendations
    out = []
    if risk_row and risk_row.get("shnor"):
        out.append(rec["shnor"])
    if risk_row and risk_row.get("shnsu"):
        out.append(rec["shnsu"])
    if flagged:
        groups = "; ".join(f"{r['subject']}, {r['grade']} класс" if r["grade"] else r["subject"] for r in flagged)
        out.append(rec["objectivity"].format(groups=groups, indicator="", value="", reference="", reasons=""))
    for p in problems:
        template = rec["indicator"].get(FAMILY.get(p.dataset, "default"), rec["indicator"]["default"])
        out.append(template.format(indicator=quoted(p.name), value=p.value, reference=p.reference,
                                   reasons="; ".join(p.reasons), groups=""))
    return out


TOP_PROBLEMS = 3  # a municipality's справка names an organisation's three largest problem zones


def _list_recommendations(texts: Texts, risk_row: dict | None, flagged: list[dict]) -> list[str]:
    """The recommendations from the lists (ШНОР, ШНСУ) and from objectivity, without the per-indicator ones."""
    return recommendations_for(texts, [], risk_row, flagged)


def _problem_table(b: Builder, caption: str, problems: list[Problem]) -> None:
    b.table(caption, ["Показатель", "Значение", "Регион", "Почему проблемная зона"],
            [[Cell(p.name), Cell(p.value), Cell(p.reference), Cell("; ".join(p.reasons))]
             for p in problems], (6, 2, 2, 5))


def recommendations(b: Builder, texts: Texts, year: int | None) -> None:
    b.doc.add(Heading("Проблемные зоны и адресные рекомендации", 1, sheet="Рекомендации"))
    s = b.subject
    risk_rows = b.source.risk_rows(s.org_codes)
    risk_year = max((r["year"] for r in risk_rows), default=None)
    risk_now = {r["org_id"]: r for r in risk_rows if r["year"] == risk_year}
    obj_rows = b.source.objectivity_rows(s.org_codes)
    obj_year = max((r["year"] for r in obj_rows), default=None)
    flagged: dict[str, list[dict]] = {}
    for r in obj_rows:
        if r["year"] == obj_year and r["flagged"]:
            flagged.setdefault(r["org_id"], []).append(r)
    b.doc.add(Paragraph("Проблемная зона — показатель, значение которого не достигает цели, значимо хуже регионального "
                        "(региональное значение за пределами 95-процентного доверительного интервала значения) или "
                        "значимо ухудшилось за год; группы меньше минимальной численности не оцениваются. "
                        "Рекомендации составлены по проблемным зонам, спискам ШНОР/ШНСУ и признакам необъективности.",
                        "note"))
    if s.level == "organisation":
        found = problems_of(b, "organisation", s.code, year)
        _problem_table(b, f"Проблемные зоны, {ru.year_ru(year)}" if year else "Проблемные зоны", found)
        recs = recommendations_for(texts, found, risk_now.get(s.code), flagged.get(s.code, []))
        b.doc.add(Heading("Рекомендации", 2), Bullets(tuple(recs or [texts.recommendations["none"]])))
        return
    if s.level == "region":
        rows = []
        for code, name in sorted(b.source.registry.municipalities.items(), key=lambda kv: kv[1]):
            muni_year = b.source.latest_year("municipality", code)
            found = problems_of(b, "municipality", code, muni_year)
            codes = {o.code for o in b.source.registry.in_municipality(code)}
            rows.append((name, found, sum(1 for c in codes if risk_now.get(c, {}).get("shnor")),
                         sum(1 for c in codes if risk_now.get(c, {}).get("shnsu")), len(codes & set(flagged))))
        b.table("Проблемные зоны муниципалитетов", ["Муниципалитет", "Проблемных показателей", "ШНОР", "ШНСУ",
                                                    "С признаками необъективности"],
                [[Cell(n), Cell(str(len(f)), len(f), "0"), Cell(str(a), a, "0"), Cell(str(c), c, "0"),
                  Cell(str(d), d, "0")] for n, f, a, c, d in rows], (4, 2, 1, 1, 2))
        for name, found, *_ in rows:
            if found:
                b.doc.add(Heading(name, 2))
                _problem_table(b, f"Проблемные зоны: {name}", found)
                b.doc.add(Bullets(tuple(recommendations_for(texts, found, None, []))))
        b.doc.add(Paragraph("Адресные рекомендации каждой организации приведены в справках муниципалитетов "
                            "(msoko report --scope municipality) и организаций.", "note"))
        return
    entries = []
    for org in s.orgs:
        org_year = b.source.latest_year("organisation", org.code)
        found = problems_of(b, "organisation", org.code, org_year)
        recs = recommendations_for(texts, found, risk_now.get(org.code), flagged.get(org.code, []))
        entries.append((org, found, recs))
    b.table("Проблемные зоны организаций", ["Организация", "Проблемных показателей", "ШНОР", "ШНСУ",
                                            "Признаки необъективности"],
            [[Cell(o.name), Cell(str(len(f)), len(f), "0"), Cell(YES[bool(risk_now.get(o.code, {}).get("shnor"))]),
              Cell(YES[bool(risk_now.get(o.code, {}).get("shnsu"))]), Cell(YES[o.code in flagged])]
             for o, f, r in entries if r], (5, 2, 1, 1, 2))
    quiet = [o.name for o, _, r in entries if not r]
    b.table("Проблемные зоны организаций: все показатели", ["Организация", "Показатель", "Значение", "Регион",
                                                             "Почему проблемная зона"],
            [[Cell(o.name), Cell(p.name), Cell(p.value), Cell(p.reference), Cell("; ".join(p.reasons))]
             for o, f, _ in entries for p in f], (4, 5, 2, 2, 5), appendix=True)
    for org, found, _recs in entries:
        lists = _list_recommendations(texts, risk_now.get(org.code), flagged.get(org.code, []))
        if not (found or lists):
            continue
        b.doc.add(Heading(org.name, 2))
        if found:
            shown_here = found[:TOP_PROBLEMS]
            more = len(found) - len(shown_here)
            b.doc.add(Paragraph("Главные проблемные зоны: " + "; ".join(
                f"{quoted(p.name)} — {p.value} ({'; '.join(p.reasons)})" for p in shown_here)
                + (f"; ещё {ru.count(more, ru.INDICATOR)} — в приложении XLSX." if more else ".")))
        recs = lists + ([texts.recommendations["indicator"]["default"].format(
            indicator=quoted(found[0].name), value=found[0].value, reference=found[0].reference,
            reasons="; ".join(found[0].reasons), groups="")] if found else [])
        b.doc.add(Bullets(tuple(recs)))
    if quiet:
        b.doc.add(Paragraph(f"Для {ru.count(len(quiet), ru.ORGANISATION_GENITIVE)} "
                            "проблемных зон по рассчитанным показателям не выявлено: " + "; ".join(quiet) + ".",
                            "note"))


# ---- management cycle ------------------------------------------------------------------------------
def _day(text: str | None) -> str:
    if not text:
        return "—"
    try:
        return ru.date_ru(date.fromisoformat(text))
    except ValueError:
        return text


VERDICT_RU = {"effective": "эффект есть", "no_evidence": "эффект не подтверждён", "worse": "ухудшение", None: "—"}


def _indicator_name(b: Builder, code: str) -> str:
    ind = b.source.indicators.get(code)
    return quoted(ind.name) if ind else code


def cycle(b: Builder, data: dict | None) -> None:
    """«Управленческий цикл» from the cycle app's plain dict (see docs/reports.ru.md), when given."""
    if not data or not any(data.get(k) for k in ("completeness", "measures", "recommendations", "decisions")):
        return
    b.doc.add(Heading("Управленческий цикл", 1, sheet="Управленческий цикл"))
    completeness = data.get("completeness") or []
    if completeness:
        full = sum(1 for c in completeness if c.get("complete"))
        b.doc.add(Paragraph(f"Систем с полным управленческим циклом: {ru.number(full, 0)} из "
                            f"{ru.number(len(completeness), 0)}."))
        b.table("Полнота управленческого цикла по системам", ["Система", "Заполненные этапы", "Незаполненные этапы",
                                                              "Цикл полон"],
                [[Cell(f"{c.get('system', '')} {c.get('system_name', '')}".strip()),
                  Cell("; ".join(c.get("stages_filled") or []) or "—"),
                  Cell("; ".join(c.get("stages_missing") or []) or "—"), Cell(YES[bool(c.get("complete"))])]
                 for c in completeness], (4, 4, 4, 1))
    measures = data.get("measures") or []
    if measures:
        rows = []
        for m in measures:
            effect = m.get("effect")
            interval = m.get("interval")
            shown_effect = "—" if effect is None else ru.number(effect, 3, signed=True)
            if effect is not None and interval:
                shown_effect += f" ({ru.number(interval[0], 3)} … {ru.number(interval[1], 3)})"
            rows.append([Cell(m.get("title", "")), Cell(m.get("system", "")), Cell(_day(m.get("deadline"))),
                         Cell(m.get("status", "")), Cell(m.get("responsible", "")),
                         Cell(", ".join(_org_name(b, c) for c in m.get("organisations") or []) or "—"),
                         Cell(", ".join(_indicator_name(b, c) for c in m.get("indicators") or []) or "—"),
                         Cell(f"{VERDICT_RU.get(m.get('verdict'), m.get('verdict'))}: {shown_effect}. "
                              f"{m.get('verdict_text') or ''}".strip()) if m.get("verdict") else
                         Cell(m.get("verdict_text") or "—")])
        b.table("Меры и их эффективность", ["Мера", "Система", "Срок", "Состояние", "Ответственный", "Организации",
                                            "Показатели", "Эффективность"], rows, (4, 1, 2, 2, 2, 3, 2, 4))
    recs = data.get("recommendations") or []
    if recs:
        b.table("Адресные рекомендации и их исполнение", ["Организация", "Рекомендация", "Состояние"],
                [[Cell(r.get("organisation_name") or _org_name(b, r.get("organisation", ""))), Cell(r.get("text", "")),
                  Cell(r.get("status", ""))] for r in recs], (3, 6, 2))
    decisions = data.get("decisions") or []
    if decisions:
        b.table("Управленческие решения", ["Номер", "Дата", "Содержание", "Ответственный", "Срок"],
                [[Cell(d.get("number", "")), Cell(_day(d.get("date"))), Cell(d.get("content", "")),
                  Cell(d.get("responsible", "")), Cell(_day(d.get("deadline")))] for d in decisions], (1, 2, 6, 2, 2))


# ---- appendices ------------------------------------------------------------------------------------
def passports(b: Builder, codes: list[str]) -> None:
    """What each indicator used means, in words: what it shows, its unit and direction, where its data come
    from and which document it rests on. Formulas and codes stay in the catalog's passports (for specialists)."""
    b.doc.add(Heading("Приложение 1. Показатели справки", 1, sheet="Паспорта"))
    if not codes:
        b.doc.add(Paragraph("В справке не использованы рассчитанные показатели.", "note"))
        return
    b.doc.add(Paragraph(f"Использовано {ru.count(len(codes), ru.INDICATOR)}. Что показывает каждый из них, откуда "
                        "берутся данные и на каком документе основан показатель — в таблице приложения XLSX к "
                        "справке; формулы расчёта — в паспортах показателей каталога.", "note"))
    rows = []
    for code in codes:
        ind = b.source.indicators.get(code)
        if ind is None:
            continue
        system = b.source.catalog.system(ind.system)
        source = b.source.catalog.source(ind.source)
        unit = "%" if str(ind.kind) == "share" else ind.unit
        rows.append([Cell(ind.name), Cell(f"{ind.system} {system.name}" if system else ind.system),
                     Cell(f"{unit}; {DIRECTION_RU.get(str(ind.direction), '')}"),
                     Cell(dataset_title(b.source.catalog, ind.dataset)),
                     Cell(source.title if source else "—")])
    b.table("Показатели, использованные в справке", ["Показатель", "Система", "Единица и направление",
                                                     "Источник данных", "Нормативный документ"], rows, (5, 3, 2, 3, 4),
            appendix=True)


def signature(b: Builder, texts) -> None:
    """The end of the справка proper: who prepared it and when, and the place to sign (names from texts.yaml;
    without a name a line is left to write it in by hand)."""
    prepared = f"Справку подготовил: {texts.prepared_by}." if texts.prepared_by else "Справку подготовил: ____________________."
    b.doc.add(Paragraph(f"{prepared} Дата: {ru.date_ru(b.source.data_date)}", "signature"))  # «… 2026 г.» ends it
    name = texts.signer_name or "____________________"
    b.doc.add(Paragraph(f"{texts.signer_position}    ____________________ / {name} /", "signature"))


def provenance(b: Builder, digest: str) -> None:
    b.doc.add(Heading("Приложение 2. Для специалиста: сведения о данных", 1, sheet="Версии данных"))
    p = b.source.provenance
    b.doc.add(Paragraph(f"Отпечаток версий данных и каталога: {digest}. Справка, построенная по тому же состоянию "
                        "рабочего пространства, совпадает с этой по содержанию."))
    rows = [[Cell(dataset_title(b.source.catalog, name)), Cell(str(len(parts)), len(parts), "0"),
             Cell(", ".join(sorted(set(parts.values()))))]
            for name, parts in sorted(p.get("warehouse", {}).items())]
    b.table("Версии наборов данных хранилища", ["Набор данных", "Частей", "Действующие версии"], rows, (2, 1, 7))
    catalog = p.get("catalog", {})
    runs = [[Cell("Расчёт показателей"), Cell(", ".join(p.get("result_runs", [])) or "—")],
            [Cell("Проверка объективности, ШНОР/ШНСУ"), Cell(p.get("detection_run") or "—")],
            [Cell("Рейтинг муниципалитетов"), Cell(p.get("ratings_run") or "—")],
            [Cell("Каталог показателей"), Cell(f"{'поставляемый' if catalog.get('source') == 'shipped' else 'региональный'}, "
                                               f"отпечаток {catalog.get('fingerprint', '—')}")],
            [Cell("Дата расчёта"), Cell(ru.date_ru(b.source.data_date))]]
    b.table("Расчёты и каталог", ["Что", "Версия"], runs, (3, 7))
    used = {code: versions for code, versions in p.get("indicator_versions", {}).items()
            if code in b.source.indicators}
    b.table("Версии определений показателей", ["Показатель", "Версия по годам"],
            [[Cell(b.source.indicators[code].name), Cell(", ".join(f"{y}: {v}" for y, v in versions.items()))]
             for code, versions in used.items()], (6, 4), appendix=True)
    if used:
        b.doc.add(Paragraph("Версии определений показателей по годам — в приложении XLSX к справке.", "note"))

