"""The scoring arithmetic, one declared rule (RULE) used by the web pages, the exports and the conclusion.

Only raw parameter scores are stored. A position's score is the sum of its parameters kept within 0 and the
position's maximum; track, system and total scores are sums of position scores; the percentage is
100 · score / maximum; the level is the highest band whose threshold the percentage reaches. Levels are
never added up (Pacific EMIS added levels as if they were scores and got wrong percentages).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from msoko.engine.evaluation.rubric import LevelBand, Position, Rubric

RULE = ("балл позиции = сумма баллов параметров, но не меньше 0 и не больше максимума позиции; "
        "баллы трека, системы и итог — суммы баллов позиций; доля = 100 · балл / максимум; "
        "уровень — высший из уровней, порог которого доля достигает")


class ScoreRangeError(ValueError):
    pass


def check_parameter(position: Position, code: str, value: int) -> str | None:
    """A Russian message when `value` is not allowed for parameter `code` of `position`, else None."""
    parameter = position.parameter(code)
    if parameter is None:
        return f"в позиции {position.code} нет параметра «{code}»"
    if not parameter.min <= value <= parameter.max:
        return (f"позиция {position.code}, параметр «{code}»: балл {value} вне диапазона "
                f"от {parameter.min} до {parameter.max}")
    return None


def position_score(position: Position, parameters: Mapping[str, int]) -> int:
    """Sum of the parameter scores clipped to [0, max]; an unscored parameter counts 0."""
    for code, value in parameters.items():
        message = check_parameter(position, code, value)
        if message:
            raise ScoreRangeError(message)
    return max(0, min(position.max_score, sum(parameters.values())))


def percent(score: float, maximum: float) -> float | None:
    return None if maximum <= 0 else 100.0 * score / maximum


def level_of(pct: float | None, bands: tuple[LevelBand, ...]) -> LevelBand | None:
    if pct is None:
        return None
    return next((b for b in bands if pct >= b.from_percent), None)


@dataclass(frozen=True)
class Total:
    key: str  # a system code, or "total"
    score: float | None  # None when a position is still disputed or unscored
    max_score: int
    percent: float | None
    level: LevelBand | None


def totals(rubric: Rubric, positions: Mapping[str, float | None]) -> list[Total]:
    """Per system and overall, from final position scores (None = not final yet: the sum is not known)."""
    out: list[Total] = []
    grand: float | None = 0.0
    for system in rubric.systems:
        values = [positions.get(p.code) for p in system.positions]
        score = None if any(v is None for v in values) else float(sum(values))
        out.append(_total(system.code, score, system.max_score, rubric))
        grand = None if grand is None or score is None else grand + score
    out.append(_total("total", grand, rubric.max_score, rubric))
    return out


def _total(key: str, score: float | None, maximum: int, rubric: Rubric) -> Total:
    pct = None if score is None else percent(score, maximum)
    return Total(key, score, maximum, pct, level_of(pct, rubric.levels))


def competition_ranks(scores: Mapping[str, float | None]) -> dict[str, int | None]:
    """Ranks by score, highest first, ties sharing the best place («1, 2, 2, 4»); no score → no rank."""
    ranked = sorted((v for v in scores.values() if v is not None), reverse=True)
    first = {}
    for i, v in enumerate(ranked, 1):
        first.setdefault(v, i)
    return {k: (None if v is None else first[v]) for k, v in scores.items()}
