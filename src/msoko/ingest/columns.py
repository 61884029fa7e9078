"""Finding the canonical columns in a file's header (case- and space-insensitive)."""

from __future__ import annotations

from collections.abc import Iterable

from msoko.core.issues import Issue
from msoko.ingest.tabular import Table


def normalise_name(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def resolve_columns(
    table: Table, required: Iterable[str], optional: Iterable[str] = ()
) -> tuple[dict[str, str], list[Issue]]:
    """canonical name → header name as written; an error per missing required column."""
    by_norm = {normalise_name(column): column for column in table.header}
    found: dict[str, str] = {}
    issues: list[Issue] = []
    for key in required:
        column = by_norm.get(normalise_name(key))
        if column is None:
            issues.append(
                Issue.error(
                    f"нет обязательного столбца «{key}»",
                    file=table.file,
                    row=table.header_row,
                    column=key,
                )
            )
        else:
            found[key] = column
    for key in optional:
        column = by_norm.get(normalise_name(key))
        if column is not None:
            found[key] = column
    return found, issues
