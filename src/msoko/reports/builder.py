"""Build the справка of one region, municipality or organisation as a document tree (`model.Document`).

Order: title page fields, contents, general facts, one section per system of the framework (1.1 … 2.4),
ШНОР/ШНСУ, the municipal rating (not for a school), objectivity, problem zones with targeted recommendations, the management cycle (when the
caller passes its data), then the passports of the indicators used and the data versions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from msoko.reports import ru, sections
from msoko.reports.context import LEVEL_RU, Builder, resolve
from msoko.reports.data import ReportSource
from msoko.reports.model import Contents, Document
from msoko.reports.systems import indicator_names, system_section
from msoko.reports.templates import Texts

Progress = Callable[[str, int, int | None], None]


def digest(source: ReportSource) -> str:
    return hashlib.sha256(source.provenance_json().encode("utf-8")).hexdigest()[:12]


def build_report(source: ReportSource, level: str, code: str, texts: Texts, *, cycle: dict | None = None,
                 charts: bool = True, progress: Progress | None = None) -> Document:
    subject = resolve(source, level, code)
    year = source.latest_year(level, code)
    short = digest(source)
    fields = {
        "заголовок": texts.title,
        "объект": subject.name,
        "уровень": LEVEL_RU[level],
        "регион": subject.region[1],
        "муниципалитет": subject.municipality[1] if subject.municipality else "",
        "учебный_год": ru.school_year_genitive(year) if year else "",
        "дата_данных": ru.date_ru(source.data_date),
        "версия_данных": short,
        "орган": texts.issuer,
        "подготовил": texts.prepared_by,
        "подписант": texts.signer_position,
        "подписант_фио": texts.signer_name,
    }
    doc = Document(texts.title, fields, provenance={**source.provenance, "digest": short, "scope": level,
                                                    "id": code, "data_date": source.data_date.isoformat()})
    b = Builder(source, subject, doc, charts=charts)
    systems = list(source.catalog.systems)
    total = len(systems) + 5
    step = 0

    def done(stage: str) -> None:
        nonlocal step
        step += 1
        if progress:
            progress(stage, step, total)

    doc.add(Contents())
    sections.general(b, texts, year)
    done("Общие сведения")
    for system in systems:
        system_section(b, system, year)
        done(f"Система {system.code}")
    sections.risk(b)
    done("ШНОР и ШНСУ")
    sections.rating(b)
    sections.objectivity(b)
    done("Объективность")
    sections.recommendations(b, texts, year)
    done("Рекомендации")
    sections.cycle(b, cycle)
    sections.signature(b, texts)
    sections.passports(b, indicator_names(b, year))
    done("Паспорта показателей")
    sections.provenance(b, short)
    done("Сведения о данных")
    return doc
