"""Reading and checking `organisations.csv`, the registry (docs/formats.md).

`read_registry(path)` returns typed rows with exactly the canonical keys, plus every located issue.
The caller (CLI or web view) decides: any error → nothing is stored.
"""

from __future__ import annotations

from pathlib import Path

from msoko.core.issues import Issue
from msoko.ingest.columns import resolve_columns
from msoko.ingest.tabular import read_table

REQUIRED = ("org_id", "name", "kind", "municipality_id", "municipality_name", "region_id", "region_name")
FLAGS = ("small_school", "remote", "advanced", "correctional")
COUNTS = ("students", "teachers")
OPTIONAL = ("locality", *FLAGS, *COUNTS)
KEYS = (*REQUIRED, *OPTIONAL)

KINDS = {"school": "школа", "kindergarten": "детский сад", "additional": "дополнительное образование"}
LOCALITIES = ("urban", "rural")


def parse_flag(text: str) -> int | None | str:
    """0/1 → int; '' → None; anything else → the error text."""
    value = text.strip()
    if value == "":
        return None
    if value in ("0", "1"):
        return int(value)
    return f"ожидается 0 или 1, а указано «{value}»"


def parse_count(text: str) -> int | None | str:
    """A non-negative integer (spaces as thousands separators allowed); '' → None; else the error text."""
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if value == "":
        return None
    if value.endswith(".0"):
        value = value[:-2]
    if not value.lstrip("-").isdigit() or not value.isascii():
        return f"ожидается целое число, а указано «{text.strip()}»"
    number = int(value)
    if number < 0:
        return f"ожидается целое число не меньше 0, а указано «{text.strip()}»"
    if number > 10_000_000:
        return f"число «{text.strip()}» слишком велико"
    return number


def read_registry(path: Path, *, name: str | None = None) -> tuple[list[dict], list[Issue]]:
    """Read and check a registry file; rows come back typed even when some rows have errors."""
    table, issues = read_table(Path(path), name=name)
    if table is None:
        return [], issues
    file = table.file
    columns, column_issues = resolve_columns(table, REQUIRED, OPTIONAL)
    issues += column_issues
    if any(issue.is_error for issue in column_issues):
        return [], issues

    rows: list[dict] = []
    seen_org: dict[str, int] = {}
    municipality_region: dict[str, tuple[str, int]] = {}
    municipality_name: dict[str, tuple[str, int]] = {}

    def where(line: int, key: str) -> dict:
        return {"file": file, "row": line, "column": columns[key]}

    for line, record in table.records():
        row: dict = {key: None for key in KEYS}
        for key in REQUIRED:
            row[key] = record[columns[key]].strip()
        for key in REQUIRED:
            if row[key] == "":
                issues.append(Issue.error("обязательное поле не заполнено", **where(line, key)))

        org_id = row["org_id"]
        if org_id:
            if org_id in seen_org:
                issues.append(
                    Issue.error(
                        f"код организации «{org_id}» повторяется: он уже есть в строке {seen_org[org_id]} "
                        f"(и в строке {line})",
                        **where(line, "org_id"),
                    )
                )
            else:
                seen_org[org_id] = line

        kind = row["kind"]
        if kind:
            lowered = kind.lower()
            if lowered in KINDS:
                row["kind"] = lowered
            else:
                allowed = ", ".join(f"{k} ({ru})" for k, ru in KINDS.items())
                issues.append(
                    Issue.error(
                        f"неизвестный тип организации «{kind}»; допустимо: {allowed}", **where(line, "kind")
                    )
                )

        mun = row["municipality_id"]
        if mun and row["region_id"]:
            known = municipality_region.setdefault(mun, (row["region_id"], line))
            if known[0] != row["region_id"]:
                issues.append(
                    Issue.error(
                        f"муниципалитет «{mun}» отнесён к региону «{row['region_id']}», "
                        f"а в строке {known[1]} — к региону «{known[0]}»",
                        **where(line, "region_id"),
                    )
                )
        if mun and row["municipality_name"]:
            known = municipality_name.setdefault(mun, (row["municipality_name"], line))
            if known[0] != row["municipality_name"]:
                issues.append(
                    Issue.error(
                        f"у муниципалитета «{mun}» другое название: «{row['municipality_name']}», "
                        f"а в строке {known[1]} — «{known[0]}»",
                        **where(line, "municipality_name"),
                    )
                )

        if "locality" in columns:
            value = record[columns["locality"]].strip()
            if value:
                if value.lower() in LOCALITIES:
                    row["locality"] = value.lower()
                else:
                    issues.append(
                        Issue.error(
                            f"тип местности «{value}» не распознан; допустимо: urban (город) или rural (село)",
                            **where(line, "locality"),
                        )
                    )
        for key in FLAGS:
            if key in columns:
                parsed = parse_flag(record[columns[key]])
                if isinstance(parsed, str):
                    issues.append(Issue.error(parsed, **where(line, key)))
                else:
                    row[key] = parsed
        for key in COUNTS:
            if key in columns:
                parsed = parse_count(record[columns[key]])
                if isinstance(parsed, str):
                    issues.append(Issue.error(parsed, **where(line, key)))
                else:
                    row[key] = parsed
        rows.append(row)

    if not rows:
        issues.append(
            Issue.error(
                "в файле есть заголовок, но нет ни одной организации", file=file, row=table.header_row
            )
        )
    return rows, issues
