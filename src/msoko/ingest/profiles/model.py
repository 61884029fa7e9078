"""The profile model (pydantic) and its loading with located issues."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from msoko.core.issues import Issue

SHIPPED = Path(__file__).parent


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"неверное регулярное выражение «{value}»: {exc}") from exc
    return value


class Header(Strict):
    find: str | None = None  # regex a cell of the header's first row matches (default: first non-empty row)
    rows: int | Literal["auto"] = "auto"  # auto: rows below whose first cell is empty belong to the header

    _v = field_validator("find")(lambda cls, v: v if v is None else _check_regex(v))


class Read(Strict):
    format: Literal["auto", "csv", "xlsx", "json"] = "auto"
    encoding: str | None = None  # default: detect UTF-8 / cp1251
    delimiter: str | None = None  # default: detect
    sheet: str | None = None
    skip_rows: int = 0
    header: Header = Header()


class Source(Strict):
    """Where a value comes from: a column (by names or a regex), the file name, the title, or a constant."""

    column: list[str] | str | None = None  # names as written (case/space-insensitive); first present wins
    pattern: str | None = None  # a regex a column name must match (instead of names)
    filename: bool = False
    title: bool = False  # the first rows above the header
    value: str | int | float | None = None
    regex: str | None = None  # applied to the raw text; group 1 (or the whole match) is the value
    map: dict[str, str] | None = None  # applied after regex (exact, case-insensitive)
    default: str | int | None = None
    required: bool = True

    @field_validator("pattern", "regex")
    @classmethod
    def _regex(cls, value):
        return value if value is None else _check_regex(value)

    @property
    def columns(self) -> list[str]:
        if self.column is None:
            return []
        return [self.column] if isinstance(self.column, str) else list(self.column)


class Normalise(Strict):
    pattern: str
    replace: str = ""

    _v = field_validator("pattern")(lambda cls, v: _check_regex(v))


class OrgId(Strict):
    normalise: list[Normalise] = []
    hash_prefix: str | None = None  # when set: org_id = prefix + sha1(normalised text)[:10]
    prefix: str = ""


class WideToLong(Strict):
    """Columns holding one measure of one subject become rows (subject + measures)."""

    measures: dict[str, list[str]]  # canonical measure → regexes with a named group `subject`
    cleanup: list[str] = []  # regexes removed from the subject text
    skip_subjects: list[str] = []  # subjects (after cleanup, case-insensitive) to ignore
    skip_when_empty: str | None = None  # measure whose empty/0 value drops the row (nobody sat)
    # a regex with a group (?P<max>…) found in a measure column's own header, e.g. «(мах 65 т.)»: the maximum
    # of the scale its values are on, kept as `max_score` so a mean is never compared across scales
    scale: str | None = None

    @field_validator("scale")
    @classmethod
    def _scale(cls, value):
        if value is not None:
            _check_regex(value)
            if "(?P<max>" not in value:
                raise ValueError(f"в выражении «{value}» нет группы (?P<max>…)")
        return value

    @field_validator("measures")
    @classmethod
    def _measures(cls, value):
        for patterns in value.values():
            for pattern in patterns:
                _check_regex(pattern)
                if "(?P<subject>" not in pattern:
                    raise ValueError(f"в выражении «{pattern}» нет группы (?P<subject>…)")
        return value


class Locality(Strict):
    column: str
    rules: list[dict[str, str]]  # [{pattern, value}] → urban / rural


class Registry(Strict):
    """Derive organisations (region / municipality / organisation) from the file's own columns."""

    name: Source
    municipality_name: Source
    region_name: Source
    municipality_id: Source | None = None  # default: region + municipality name
    region_id: Source | None = None  # default: region name
    kind: str = "school"
    locality: Locality | None = None


class Check(Strict):
    column: str  # canonical column
    min: float | None = None
    max: float | None = None
    when: dict[str, str] = {}  # canonical column → value the row must have for the check to apply
    date_like: bool = False  # values a spreadsheet turned into dates (04.01, 2023-01-04)
    equals: float | None = None  # a value that stands for «missing» or is impossible (e.g. 0)
    message: str | None = None


class Skip(Strict):
    """Rows a layout holds that are not results to load (a second table of the same year, a subtotal): the
    raw text of `column` matching `pattern` skips the row, with one located warning giving `reason`."""

    column: str  # canonical column, as the profile maps it
    pattern: str
    reason: str

    _v = field_validator("pattern")(lambda cls, v: _check_regex(v))


class Order(Strict):
    """Counts that must not decrease along the list (e.g. 220+ ≤ 160+ ≤ participants)."""

    columns: list[str]
    message: str | None = None


class Profile(Strict):
    name: str
    description: str = ""
    dataset: Literal["vpr", "gia", "results_by_org", "context"]
    read: Read = Read()
    columns: dict[str, Source] = {}
    constants: dict[str, Source] = {}
    wide_to_long: WideToLong | None = None
    values: dict[str, dict[str, str]] = {}  # canonical column → {from: to}
    org_id: OrgId = OrgId()
    registry: Registry | None = None
    checks: list[Check] = []
    order: list[Order] = []
    skip: list[Skip] = []  # rows not to load, each rule with its reason
    ratios: dict[str, list[str]] = {}  # new column → [numerator, denominator]
    allow: dict[str, list[str]] = {}  # canonical column → extra allowed values (e.g. exam: [Saber 11])
    round: list[str] = []  # canonical columns rounded to integers (half up), with one warning per column
    keep: list[str] = []  # further source columns kept as extra numeric columns (renamed by `columns`)
    source: str = Field("", description="where the layout was seen (for people)")


def load_profile(spec: str | Path) -> tuple[Profile | None, list[Issue]]:
    """A shipped profile name or a YAML path → (Profile, issues)."""
    text_spec = str(spec)
    path = Path(text_spec)
    if not path.suffix and (SHIPPED / f"{text_spec}.yaml").exists():
        path = SHIPPED / f"{text_spec}.yaml"
    name = path.name
    if not path.is_file():
        from msoko.ingest.profiles import shipped_profiles

        known = ", ".join(shipped_profiles()) or "нет"
        return None, [
            Issue.error(f"профиль «{text_spec}» не найден; поставляемые профили: {known}", file=name)
        ]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        return None, [
            Issue.error(
                f"профиль не читается как YAML: {exc}", file=name, row=None if line is None else line + 1
            )
        ]
    if not isinstance(data, dict):
        return None, [Issue.error("профиль должен быть словарём YAML (ключ: значение)", file=name)]
    try:
        return Profile.model_validate(data), []
    except ValidationError as exc:
        issues = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            issues.append(Issue.error(f"ключ «{where}»: {error['msg']}", file=name, column=where))
        return None, issues
