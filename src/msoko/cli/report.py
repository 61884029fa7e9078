"""`msoko report` — the analytical report (issue 7). Not built yet: the command accepts the documented
options (docs/formats.md) and says so plainly, exit 2, writing nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from msoko.cli.common import HomeOption, usage_error


def report(
    scope: Annotated[str, typer.Option("--scope", help="region | municipality | organisation")] = "region",
    id_: Annotated[str | None, typer.Option("--id", help="Код региона, муниципалитета или организации.")] = None,
    format_: Annotated[str, typer.Option("--format", help="docx | pdf | xlsx")] = "docx",
    output: Annotated[Path | None, typer.Option("-o", help="Файл отчёта.")] = None,
    home: HomeOption = None,
) -> None:
    """Аналитическая справка (ещё не реализована в этой версии)."""
    raise usage_error("формирование аналитической справки ещё не реализовано в этой версии; ничего не записано.")
