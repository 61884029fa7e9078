"""Located validation issues.

Every validator in msoko (registry, ingest, catalog) returns a list of `Issue` instead of raising, so a
user gets the whole list of what is wrong in one go, each problem pinned to a file, a row and a column.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


SEVERITY_RU = {Severity.ERROR: "ошибка", Severity.WARNING: "предупреждение"}


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in an input: where it is and what is wrong, in Russian.

    `row` is the line number a person sees when opening the file (1 = the first line, header included);
    `column` is the column's name as written in the file.
    """

    severity: Severity
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None

    @classmethod
    def error(cls, message: str, **where) -> Issue:
        return cls(Severity.ERROR, message, **where)

    @classmethod
    def warning(cls, message: str, **where) -> Issue:
        return cls(Severity.WARNING, message, **where)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(f"файл «{self.file}»")
        if self.row is not None:
            parts.append(f"строка {self.row}")
        if self.column:
            parts.append(f"столбец «{self.column}»")
        return ", ".join(parts)

    def format(self) -> str:
        where = self.location()
        head = SEVERITY_RU[self.severity].capitalize()
        return f"{head}: {where}: {self.message}" if where else f"{head}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "severity": str(self.severity),
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


def has_errors(issues: list[Issue]) -> bool:
    return any(issue.is_error for issue in issues)


class RejectedInput(Exception):
    """Raised at a boundary (CLI, web) when validation found errors; carries the full list."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("; ".join(issue.format() for issue in issues[:5]))
