"""`msoko report` — the analytical report (issue 7); not built yet, and it says so."""

from __future__ import annotations

from msoko.cli.common import HomeOption, usage_error


def report(home: HomeOption = None) -> None:
    """Аналитическая справка (ещё не реализована)."""
    raise usage_error("формирование аналитической справки ещё не реализовано в этой версии.")
