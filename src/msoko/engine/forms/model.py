"""A form: what one respondent (an organisation of some kinds, or a municipality) reports for one year.

A form names the catalog dataset it fills; each field is one column of that dataset (its label comes from
the catalog unless the form words it itself). A roster is a list inside the form (olympiad winners by
subject and stage, courses taken by staff) whose rows carry a pseudonymous code, never a name; it fills
dataset columns by counting its rows (`fills: {column: "count_if(stage = 'regional')"}`).
Checks are expressions of the catalog's formula language over the fields and `prev(field)` (last
period's accepted value): `hard` ones block submission, `soft` ones ask for a written justification.

A published version is never edited: a change is a new file with `version: N+1` and a `replaces` block
mapping each old field to its new code (or to null when it is dropped), so a submission made under any
version can be read in the terms of any later one (`migrate.py`).
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldType(StrEnum):
    INT = "int"
    NUMBER = "number"
    FLAG = "flag"  # да/нет, stored 0/1
    TEXT = "text"


FIELD_TYPE_RU = {FieldType.INT: "целое число", FieldType.NUMBER: "число", FieldType.FLAG: "да/нет",
                 FieldType.TEXT: "текст"}


class Level(StrEnum):
    ORGANISATION = "organisation"
    MUNICIPALITY = "municipality"


LEVEL_RU = {Level.ORGANISATION: "организация", Level.MUNICIPALITY: "муниципалитет"}


class Respondent(Frozen):
    level: Level = Level.ORGANISATION
    kinds: tuple[str, ...] = ()  # organisation kinds (school, kindergarten, additional); empty = all


class FormField(Frozen):
    code: Code  # the dataset column it fills
    label: str = ""  # empty: the catalog's label of the column
    help: str = ""
    unit: str = ""
    type: FieldType | None = None  # None: the dataset column's type
    required: bool = False
    min: float | None = None
    max: float | None = None
    choices: tuple[str | int, ...] = ()


class Section(Frozen):
    title: str
    fields: tuple[FormField, ...] = ()


class RosterColumn(Frozen):
    code: Code
    label: str
    type: FieldType = FieldType.TEXT
    choices: tuple[str | int, ...] = ()
    min: float | None = None
    max: float | None = None


class Roster(Frozen):
    code: Code
    title: str
    key_label: str = "Код (псевдоним, не ФИО)"
    columns: tuple[RosterColumn, ...] = ()
    fills: dict[Code, str] = Field(default_factory=dict)  # dataset column → aggregate over the rows
    fill_labels: dict[Code, str] = Field(default_factory=dict)  # Russian label of each filled column (catalog)

    def fill_label(self, column: str) -> str:
        return self.fill_labels.get(column) or column


class CheckKind(StrEnum):
    HARD = "hard"
    SOFT = "soft"


class Check(Frozen):
    code: Code
    rule: str  # must hold; e.g. "olymp_winners <= olymp_participants"
    message: str  # Russian, shown beside the fields it names
    kind: CheckKind = CheckKind.HARD


class Replaces(Frozen):
    version: Annotated[int, Field(ge=1)]
    fields: dict[Code, Code | None] = Field(default_factory=dict)  # old code → new code (None: dropped)


class Form(Frozen):
    code: Code
    version: Annotated[int, Field(ge=1)]
    title: str
    dataset: Code
    respondent: Respondent = Respondent()
    description: str = ""
    sections: tuple[Section, ...] = ()
    rosters: tuple[Roster, ...] = ()
    checks: tuple[Check, ...] = ()
    replaces: Replaces | None = None
    file: str = Field(default="", exclude=True)

    @property
    def fields(self) -> tuple[FormField, ...]:
        return tuple(f for section in self.sections for f in section.fields)

    def field(self, code: str) -> FormField | None:
        return next((f for f in self.fields if f.code == code), None)

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"

    def columns_filled(self) -> set[str]:
        """Dataset columns this form writes: its fields and what its rosters count."""
        return {f.code for f in self.fields} | {c for r in self.rosters for c in r.fills}

    def digest(self) -> str:
        """Fingerprint of the definition: a published version whose file changes is refused."""
        raw = json.dumps(self.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]
