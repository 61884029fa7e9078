"""Filters kept in the URL query string (year, subject, grade, indicators, sort), so a view can be bookmarked.

Unknown or malformed values are ignored, never an error page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from msoko.reports.labels import dataset_title
from msoko.web.dashboards.data import Snapshot

PROCEDURES = {"vpr": "ВПР", "oge": "ОГЭ", "ege": "ЕГЭ"}
KINDS = {"school": "школы", "kindergarten": "детские сады", "additional": "дополнительное образование"}
PREFERRED = ("vpr_base", "vpr_quality", "vpr_fail", "vpr4_base", "oge_quality", "ege_mean")
DEFAULT_COUNT = 4


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text not in (None, "") else None
    except ValueError:
        return None


@dataclass
class Filters:
    year: int | None
    subject: str | None
    grade: int | None
    indicators: list[str] = field(default_factory=list)
    sort: str | None = None
    procedure: str | None = None
    kind: str | None = None
    procedures: list[tuple[str, str]] = field(default_factory=list)
    kinds: list[tuple[str, str]] = field(default_factory=lambda: list(KINDS.items()))
    years: list[int] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    grades: list[int] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)
    decimal_comma: bool = False  # CSV exports: numbers with a decimal comma (?decimal=comma)

    @property
    def previous_year(self) -> int | None:
        earlier = [y for y in self.years if self.year is not None and y < self.year]
        return max(earlier) if earlier else None

    def params(self, **override) -> dict:
        data = {"year": self.year, "procedure": self.procedure, "subject": self.subject, "grade": self.grade,
                "kind": self.kind, "ind": self.indicators, "sort": self.sort}
        data.update(override)
        return {k: v for k, v in data.items() if v not in (None, "", [])}

    def query(self, **override) -> str:
        return urlencode(self.params(**override), doseq=True)

    def sort_links(self) -> dict[str, str]:
        return {code: self.query(sort=code) for code in self.indicators}


def parse(get, snap: Snapshot, *, many: bool = True) -> Filters:
    years = snap.years
    year = _int(get.get("year"))
    if year not in years:
        year = years[-1] if years else None
    subject = get.get("subject") or None
    if subject not in snap.subjects:
        subject = None
    grade = _int(get.get("grade"))
    if grade not in snap.grades:
        grade = None
    computed = snap.computed

    def dataset(code: str) -> str | None:
        return snap.indicators[code].dataset if code in snap.indicators else None

    datasets = sorted({dataset(code) for code in computed if dataset(code)})
    procedures = [(d, PROCEDURES.get(d) or _dataset_title(snap, d)) for d in datasets]
    procedure = get.get("procedure") if get.get("procedure") in datasets else None
    if procedure:
        computed = [code for code in computed if dataset(code) == procedure]
    kind = get.get("kind") if get.get("kind") in KINDS else None
    chosen = [code for code in get.getlist("ind") if code in computed]
    if not chosen:
        chosen = [code for code in PREFERRED if code in computed][:DEFAULT_COUNT] or computed[:DEFAULT_COUNT]
    if not many:
        chosen = chosen[:1]
    sort = get.get("sort") if get.get("sort") in chosen else None
    choices = [(code, snap.indicators[code].name if code in snap.indicators else code) for code in computed]
    return Filters(year, subject, grade, list(dict.fromkeys(chosen)), sort, procedure, kind, procedures,
                   years=years, subjects=snap.subjects, grades=snap.grades, choices=choices,
                   decimal_comma=get.get("decimal") == "comma")


def _dataset_title(snap: Snapshot, name: str) -> str:
    return dataset_title(snap.catalog, name)
