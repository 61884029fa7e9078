"""`msoko compute` — owned by the engine (issue 4); placeholder until the engine lands."""

from __future__ import annotations

from msoko.cli.common import HomeOption, usage_error


def compute(home: HomeOption = None) -> None:
    """Пересчитать показатели (ещё не реализовано)."""
    raise usage_error("расчёт показателей ещё не реализован в этой версии.")
