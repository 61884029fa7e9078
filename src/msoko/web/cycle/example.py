"""The demo's example management cycle: system 1.2 (ШНОР/ШНСУ) of one municipality with every stage filled.

`msoko demo` calls it for the demo coordinator's municipality, so a first visitor sees what a complete cycle
looks like. The figures in its texts come from the stored results (ШНОР lists, municipal indicator values);
its recommendations and effectiveness conclusion are drafted by the same rules a user triggers (`drafts`),
and the measure's effect is the engine's verdict like any other. Every text says it is an example.
Idempotent: a municipality that already has a system 1.2 cycle is left as it is.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from msoko.engine.detection.explain import count
from msoko.web.cycle.drafts import draft_recommendations, draft_review, risk_rows
from msoko.web.cycle.models import (
    Analysis,
    CollectionMethod,
    Cycle,
    CycleIndicator,
    Decision,
    Goal,
    Level,
    Measure,
    MeasureStatus,
    MonitoringEvent,
)
from msoko.web.cycle.services import organisations_of
from msoko.web.dashboards import marks
from msoko.web.dashboards.data import Snapshot, snapshot

SYSTEM = "1.2"
EXAMPLE = "Пример, созданный демо-режимом msoko: "
SCHOOLS = ("школа", "школы", "школ")
# (code, change wanted by the target year, in the indicator's units) — the effect a municipal programme
# for low-result schools would aim at; targets are an example, not a norm.
TARGETS = (("shnor_vpr_fail_5_8", -0.02), ("shnor_gia_fail_ru_math", -0.02))


def _shnor(snap: Snapshot, year: int, codes: set[str]) -> list[str]:
    return sorted(code for code, row in risk_rows(snap, year, codes).items() if row.get("shnor"))


def _municipal_value(snap: Snapshot, code: str, municipality: str, year: int) -> float | None:
    rows = snap.slice(level="municipality", year=year, indicators=[code], ids=[municipality])
    return rows["value"][0] if rows.height and not rows["under_min_group"][0] else None


def ensure_example_cycle(municipality, snap: Snapshot | None = None) -> Cycle | None:
    """Create the example cycle for `municipality`; None when one exists or the results have fewer than two
    years (a measure's effect needs a year before and a year after). The measure runs through the last
    school year and targets the schools on the ШНОР list of the year before it (the first year of results
    has no list: the standing needs two years)."""
    snap = snap or snapshot()
    if len(snap.years) < 2 or Cycle.objects.filter(municipality=municipality, organisation=None, system=SYSTEM).exists():
        return None
    before, last = snap.years[-2], snap.years[-1]
    schools = {o.code: o for o in organisations_of(municipality)}
    listed_before, listed_last = _shnor(snap, before, set(schools)), _shnor(snap, last, set(schools))
    with transaction.atomic():
        cycle = Cycle.objects.create(level=Level.MUNICIPALITY, region=municipality.region,
                                     municipality=municipality, system=SYSTEM)
        Goal.objects.create(
            cycle=cycle,
            text=f"{EXAMPLE}повысить образовательные результаты школ с низкими результатами обучения (ШНОР) "
                 f"и сократить их число к {last} году.",
            justification=f"По итогам {before} года в списке ШНОР {count(len(listed_before), *SCHOOLS)} муниципалитета "
                          f"(список msoko, раздел «Риски»).",
            realism="Цель опирается на меры, доступные муниципалитету: программы школ, наставничество, "
                    "адресное повышение квалификации учителей.")
        stored = {code: (_municipal_value(snap, code, municipality.code, before),
                         _municipal_value(snap, code, municipality.code, last))
                  for code, _ in TARGETS if code in snap.indicators}
        chosen = [code for code, _ in TARGETS if code in stored and stored[code][0] is not None]
        for code, wanted in TARGETS:
            if code in chosen:
                CycleIndicator.objects.create(cycle=cycle, indicator=code, year=last,
                                              target=round(min(1.0, max(0.0, stored[code][0] + wanted)), 3))
        CollectionMethod.objects.create(
            cycle=cycle, dataset="vpr",
            method=f"{EXAMPLE}выгрузки ФИС ОКО (ВПР) и РЦОИ (ОГЭ, ЕГЭ) загружаются в msoko; показатели и списки "
                   f"ШНОР/ШНСУ рассчитываются командой «msoko compute».",
            periodicity="ежегодно, июнь–июль", responsible="муниципальный координатор оценки качества")
        MonitoringEvent.objects.create(
            cycle=cycle, what=f"{EXAMPLE}результаты ВПР и ОГЭ школ из списка ШНОР в сравнении с регионом",
            when=date(last, 7, 15), who="муниципальный координатор оценки качества")
        values = []
        for code in chosen:
            ind = snap.indicators[code]
            then, now = stored[code]
            values.append(f"{ind.name}: {marks.fmt(then, ind)} в {before} г., {marks.fmt(now, ind)} в {last} г.")
        Analysis.objects.create(
            cycle=cycle, year=last, indicators=chosen, report="Аналитическая справка по ШНОР (пример)",
            date=date(last, 8, 20),
            conclusions=f"{EXAMPLE}в списке ШНОР {count(len(listed_before), *SCHOOLS)} в {before} г. и "
                        f"{count(len(listed_last), *SCHOOLS)} в {last} г. " + "; ".join(values))
        measure = Measure.objects.create(
            cycle=cycle, title="Антирисковые программы и наставничество школ-партнёров для школ из списка ШНОР (пример)",
            start=date(before, 9, 1), deadline=date(last, 5, 31), before_year=before, after_year=last,
            responsible="муниципальный координатор оценки качества", status=MeasureStatus.DONE,
            participants="школы из списка ШНОР, школы-наставники", indicators=chosen,
            evidence="программы школ утверждены, наставники закреплены (пример)")
        measure.organisations.set([schools[c] for c in listed_before])
        Decision.objects.create(
            cycle=cycle, number="17-од (пример)", date=date(before, 8, 28),
            content="Утвердить муниципальную программу поддержки школ с низкими результатами обучения и закрепить "
                    "школы-наставники (пример).",
            responsible="руководитель органа управления образованием", deadline=date(last, 5, 31))
        for rec in draft_recommendations(cycle, snap):
            if rec.rule == "shnor":  # the coordinator sends the ШНОР ones; the rest stay drafts to review
                rec.issue()
        draft_review(cycle, snap)
    return cycle
