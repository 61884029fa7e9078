"""The catalog as typed, immutable objects: mechanisms → systems → tracks → indicators.

The engine depends on these models, never on YAML. Each indicator is a passport: what it measures, how it
is computed (one SQL aggregate expression over one declared dataset), which way is better, the targets and
the normative source. `definition_hash()` fingerprints what changes a computed value; the result store
turns a new fingerprint into a new version, so values already stored keep the version they were made with.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from msoko.engine.datasets import ColumnType, Grain


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Kind(StrEnum):
    SHARE = "share"  # numerator / denominator, both counts; value in 0..1
    MEAN = "mean"  # sum / count (or a weighted mean)
    COUNT = "count"  # a count or a sum, no denominator
    RATIO = "ratio"  # numerator / denominator of any additive quantities (per teacher, per 1000)
    FORM_VALUE = "form_value"  # a value reported by a form (yes/no, a number), rolled up by summing


class Direction(StrEnum):
    HIGHER = "higher_is_better"
    LOWER = "lower_is_better"
    NEUTRAL = "neutral"


class Level(StrEnum):
    ORGANISATION = "organisation"
    MUNICIPALITY = "municipality"
    REGION = "region"
    TOTAL = "total"


DIRECTION_RU = {Direction.HIGHER: "чем больше, тем лучше", Direction.LOWER: "чем меньше, тем лучше",
                Direction.NEUTRAL: "без оценки направления"}
KIND_RU = {Kind.SHARE: "доля", Kind.MEAN: "среднее", Kind.COUNT: "количество", Kind.RATIO: "отношение",
           Kind.FORM_VALUE: "значение из формы"}
LEVEL_RU = {Level.ORGANISATION: "организация", Level.MUNICIPALITY: "муниципалитет", Level.REGION: "регион",
            Level.TOTAL: "всего"}


class Origin(Frozen):
    """Where a definition was written: the file and the line of each field (for located issues)."""

    file: str
    line: int | None = None
    fields: dict[str, int] = Field(default_factory=dict)

    def line_of(self, name: str | None) -> int | None:
        return self.fields.get(name, self.line) if name else self.line


Where = Annotated[Origin | None, SkipJsonSchema()]


class Mechanism(Frozen):
    code: Annotated[str, Field(pattern=r"^[0-9]+$")]
    name: str
    origin: Where = Field(default=None, exclude=True)


class Track(Frozen):
    code: Annotated[str, Field(min_length=1)]
    name: str


class System(Frozen):
    code: Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]+$", description="Номер системы: 1.1 … 2.4")]
    name: str
    mechanism: str
    tracks: tuple[Track, ...] = ()
    origin: Where = Field(default=None, exclude=True)


class Source(Frozen):
    """A normative document an indicator rests on."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    title: str
    origin: Where = Field(default=None, exclude=True)


class DatasetDecl(Frozen):
    """A dataset declared by the catalog (a form, data from another system)."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: str
    grain: Grain = Grain.ORGANISATION
    columns: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], ColumnType]
    # Russian label of each column: the one place a code gets its wording (forms, templates, lists reuse it)
    labels: dict[str, str] = Field(default_factory=dict)
    origin: Where = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _labels_name_columns(self) -> DatasetDecl:
        unknown = sorted(set(self.labels) - set(self.columns))
        if unknown:
            raise ValueError(f"подписи к столбцам, которых нет в наборе: {', '.join(unknown)}")
        return self

    def label(self, column: str) -> str:
        return self.labels.get(column, column)


class Filters(Frozen):
    procedure: tuple[str, ...] = ()
    subject: tuple[str, ...] = ()
    grade: tuple[int, ...] = ()
    org_kind: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.procedure or self.subject or self.grade or self.org_kind)


class Target(Frozen):
    """A target value, in the indicator's own scale (a share is written 0.8 for 80 %)."""

    value: float
    year: int | None = None
    level: Level | None = None


class Indicator(Frozen):
    code: Annotated[str, Field(description="Стабильный код показателя (латиница, snake_case)")]
    name: str
    system: str
    track: str
    kind: Kind
    unit: str
    formula: str
    dataset: str
    direction: Direction
    source: str
    filters: Filters = Filters()
    min_group_size: Annotated[int, Field(ge=0)] = 0
    targets: tuple[Target, ...] = ()
    version: Annotated[int, Field(ge=1)] = 1
    description: str = ""
    programmes: tuple[str, ...] = ()  # e.g. motivating_monitoring, shnor
    seed: str = ""  # the wording in the source document, when it differs from `name`
    origin: Where = Field(default=None, exclude=True)

    @property
    def datasets(self) -> tuple[str, ...]:
        return (self.dataset,)

    def definition_hash(self) -> str:
        """Fingerprint of what decides the computed value (formula, dataset, filters, kind)."""
        payload = {
            "formula": " ".join(self.formula.split()),
            "dataset": self.dataset,
            "filters": self.filters.model_dump(mode="json"),
            "kind": str(self.kind),
        }
        raw = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]

    def target_for(self, year: int, level: Level | str) -> float | None:
        """The most specific target: year and level, then year, then level, then a general one."""
        best, best_rank = None, -1
        for target in self.targets:
            if target.year not in (None, year) or target.level not in (None, level):
                continue
            rank = (target.year is not None) * 2 + (target.level is not None)
            if rank > best_rank:
                best, best_rank = target.value, rank
        return best


class Catalog(Frozen):
    mechanisms: tuple[Mechanism, ...]
    systems: tuple[System, ...]
    sources: tuple[Source, ...] = ()
    datasets: tuple[DatasetDecl, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    # dataset → further columns the workspace's data hold (extensible built-in datasets; see
    # sources.data_columns): not part of the YAML, attached when a workspace's catalog is loaded
    data_columns: SkipJsonSchema[dict[str, dict[str, ColumnType]]] = Field(default_factory=dict, exclude=True)

    def indicator(self, code: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    def system(self, code: str) -> System | None:
        return next((s for s in self.systems if s.code == code), None)

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)
