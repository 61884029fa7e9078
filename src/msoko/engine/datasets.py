"""The datasets a formula may read, and the columns each exposes.

Built-in datasets are views the engine builds over the warehouse (ВПР, ОГЭ and ЕГЭ with that year's scale
joined, `gia` as it is — any exam, aggregated results). The extensible ones (`context`, `results_by_org`)
also expose every further numeric column the imported data hold, typed from the data
(`sources.data_columns`), so a catalog may use Moscow's `count_220_plus` or a region's own context variable. Form datasets (what schools and municipalities report through forms, staff
lists, data from other systems) are declared in the catalog itself: a name, a grain and typed columns, so
an analyst adds a form without touching code. A dataset is *available* when the warehouse holds data for
it; indicators over an unavailable dataset are listed as «ожидает набор данных X» and compute as soon as
the data exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ColumnType(StrEnum):
    INT = "int"
    NUMBER = "number"
    TEXT = "text"
    FLAG = "flag"  # 0/1


class Grain(StrEnum):
    ORGANISATION = "organisation"
    MUNICIPALITY = "municipality"


@dataclass(frozen=True)
class DatasetSpec:
    """What a formula sees: `columns` (name → type); `source` is the warehouse dataset it is read from."""

    name: str
    title: str
    source: str
    columns: dict[str, ColumnType]
    grain: Grain = Grain.ORGANISATION
    breakdowns: tuple[str, ...] = ()  # subject / grade: result indicators are also computed per value
    group_size: str = "count(*)"  # how many results a value rests on
    builtin: bool = True
    procedure: str | None = None  # the assessment procedure it holds (ВПР, ОГЭ, ЕГЭ), if one
    keys: tuple[str, ...] = field(default=("year", "org_id"))
    aliases: dict[str, str] = field(default_factory=dict)  # column → the stored column it is read from
    extensible: bool = False  # further numeric columns of the data become columns (typed from the data)


_I, _N, _T = ColumnType.INT, ColumnType.NUMBER, ColumnType.TEXT

BUILTIN: dict[str, DatasetSpec] = {
    "vpr": DatasetSpec(
        name="vpr",
        title="ВПР: результаты участников",
        source="vpr",
        columns={
            "year": _I, "org_id": _T, "subject": _T, "grade": _I, "variant": _I,
            "primary_score": _I, "mark": _I, "journal_mark": _I,
        },
        breakdowns=("subject", "grade"),
        procedure="ВПР",
    ),
    "oge": DatasetSpec(
        name="oge",
        title="ОГЭ: результаты участников (отметка по шкале года)",
        source="gia",
        columns={
            "year": _I, "org_id": _T, "subject": _T, "primary_score": _I,
            "mark": _I, "file_mark": _I,
        },
        breakdowns=("subject",),
        procedure="ОГЭ",
    ),
    "ege": DatasetSpec(
        name="ege",
        title="ЕГЭ: результаты участников (минимальный балл года)",
        source="gia",
        columns={
            "year": _I, "org_id": _T, "subject": _T, "primary_score": _I, "test_score": _I,
            "mark": _I, "min_score": _I,
        },
        breakdowns=("subject",),
        procedure="ЕГЭ",
    ),
    "gia": DatasetSpec(
        name="gia",
        title="ГИА: результаты участников (любой экзамен; процедура — столбец exam)",
        source="gia",
        columns={
            "year": _I, "org_id": _T, "subject": _T, "exam": _T, "procedure": _T, "primary_score": _I,
            "test_score": _I, "mark": _I,
        },
        breakdowns=("subject",),
        aliases={"procedure": "exam"},
    ),
    "results_by_org": DatasetSpec(
        name="results_by_org",
        title="Результаты, агрегированные по организациям",
        source="results_by_org",
        columns={
            "year": _I, "org_id": _T, "procedure": _T, "subject": _T, "grade": _I,
            "participants": _I, "mean_score": _N, "share_2": _N, "share_3": _N, "share_4": _N,
            "share_5": _N, "below_min": _N, "max_score": _N,
        },
        breakdowns=("subject", "grade"),
        group_size="sum(participants)",
        extensible=True,
    ),
    "context": DatasetSpec(
        name="context",
        title="Контекстные данные школ",
        source="context",
        columns={
            "year": _I, "org_id": _T, "students": _I, "pdn_kdn": _I, "migrant_or_low_russian": _I,
            "not_attested": _I, "chronic_absence": _I, "ovz": _I, "remote": _I, "small_school": _I,
            "infra_deficit": _I, "internet_deficit": _I, "staff_vacancies": _I,
        },
        extensible=True,
    ),
}

ORG_KINDS = ("school", "kindergarten", "additional")
PROCEDURES = ("ВПР", "ОГЭ", "ЕГЭ", "ГВЭ", "НИКО", "РДР")
LEVELS = ("organisation", "municipality", "region", "total")
