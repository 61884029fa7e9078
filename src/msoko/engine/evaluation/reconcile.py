"""Reconciliation of the experts' scores of one position (declared rule, docs/rubric-reference.md).

With two experts «closest to the mean» tells nothing (both are), so the rule is an explicit tolerance: the
position is agreed when, for every parameter, the experts' scores differ by at most `tolerance`; its score is
then the mean of the experts' position scores. Otherwise it is disputed and the chair decides it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from msoko.engine.evaluation.rubric import Position
from msoko.engine.evaluation.scoring import position_score

AGREED, DISPUTED, DECIDED = "agreed", "disputed", "decided"


@dataclass(frozen=True)
class Outcome:
    status: str  # AGREED or DISPUTED
    score: float | None  # the agreed score; None when disputed
    spread: int  # the largest difference between experts on one parameter
    expert_scores: dict[str, int]  # each expert's position score


def reconcile_position(position: Position, by_expert: Mapping[str, Mapping[str, int]], tolerance: int = 0) -> Outcome:
    """`by_expert`: expert → parameter code → raw score (at least two experts)."""
    if len(by_expert) < 2:
        raise ValueError("для сверки нужны оценки не менее двух экспертов")
    spread = 0
    for parameter in position.parameters:
        values = [scores.get(parameter.code, 0) for scores in by_expert.values()]
        spread = max(spread, max(values) - min(values))
    expert_scores = {expert: position_score(position, scores) for expert, scores in by_expert.items()}
    if spread <= tolerance:
        mean = sum(expert_scores.values()) / len(expert_scores)
        return Outcome(AGREED, round(mean, 2), spread, expert_scores)
    return Outcome(DISPUTED, None, spread, expert_scores)
