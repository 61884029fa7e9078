"""The subject of one report (region, municipality or organisation) and the numbering of its figures."""

from __future__ import annotations

from dataclasses import dataclass, field

from msoko.reports.data import ReportError, ReportSource
from msoko.reports.figures import Reference
from msoko.reports.model import Chart, Document, Table

LEVEL_RU = {"region": "регион", "municipality": "муниципалитет", "organisation": "образовательная организация"}
REF_LABEL = {"municipality": "по муниципалитету", "region": "по региону"}


@dataclass
class Subject:
    level: str
    code: str
    name: str
    region: tuple[str, str]
    municipality: tuple[str, str] | None = None
    orgs: list = field(default_factory=list)  # organisations covered (all of the region, of the municipality, or one)

    @property
    def org_codes(self) -> set[str]:
        return {o.code for o in self.orgs}

    def parents(self) -> list[tuple[str, str]]:
        """(level, code) of the references, nearest first."""
        out = []
        if self.level == "organisation" and self.municipality:
            out.append(("municipality", self.municipality[0]))
        if self.level != "region":
            out.append(("region", self.region[0]))
        return out


def resolve(source: ReportSource, level: str, code: str) -> Subject:
    reg = source.registry
    region = (reg.region_code, reg.region_name)
    if level == "region":
        if code != reg.region_code:
            raise ReportError(f"регион с кодом «{code}» не найден в реестре (известен «{reg.region_code}»).", usage=True)
        return Subject(level, code, reg.region_name, region, None, sorted(reg.organisations.values(),
                                                                         key=lambda o: o.name))
    if level == "municipality":
        if code not in reg.municipalities:
            raise ReportError(f"муниципалитет с кодом «{code}» не найден в реестре.", usage=True)
        return Subject(level, code, reg.municipalities[code], region, (code, reg.municipalities[code]),
                       reg.in_municipality(code))
    if level == "organisation":
        org = reg.organisations.get(code)
        if org is None:
            raise ReportError(f"организация с кодом «{code}» не найдена в реестре.", usage=True)
        muni = (org.municipality, reg.municipalities.get(org.municipality, org.municipality))
        return Subject(level, code, org.name, region, muni, [org])
    raise ReportError(f"неизвестный уровень справки «{level}»: ожидается region, municipality или organisation.", usage=True)


@dataclass
class Builder:
    """A document under construction with its numbered tables and figures."""

    source: ReportSource
    subject: Subject
    doc: Document
    charts: bool = True
    tables: int = 0
    appendix_tables: int = 0
    figures: int = 0

    def table(self, caption: str, columns: list[str], rows: list, widths: tuple = (), *, appendix: bool = False) -> None:
        """A numbered table; `appendix=True`: a detail table, in the XLSX appendix only (numbered «П»)."""
        if not rows:
            return
        if appendix:
            self.appendix_tables += 1
            self.doc.add(Table(tuple(columns), tuple(tuple(r) for r in rows),
                               f"Таблица П{self.appendix_tables}. {caption}", tuple(widths), appendix=True))
            return
        self.tables += 1
        self.doc.add(Table(tuple(columns), tuple(tuple(r) for r in rows), f"Таблица {self.tables}. {caption}",
                           tuple(widths)))

    def chart(self, caption: str, render) -> None:
        """Add a chart made by `render()` (skipped when charts are off, e.g. in fast tests)."""
        if not self.charts:
            return
        self.figures += 1
        self.doc.add(Chart(render(), f"Рисунок {self.figures}. {caption}"))

    def references(self, indicator: str, year: int) -> list[Reference]:
        return [Reference(REF_LABEL[level], self.source.value(level, code, indicator, year))
                for level, code in self.subject.parents()]
