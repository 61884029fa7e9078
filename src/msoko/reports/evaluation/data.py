"""The plain data the evaluation documents are drawn from (no Django: the web app fills these)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PositionLine:
    system: str
    system_name: str
    track_name: str
    code: str
    name: str
    max_score: int
    score: float | None
    status: str  # agreed / decided / disputed / pending
    comments: tuple[str, ...] = ()  # the experts' comments
    evidence: tuple[str, ...] = ()  # what the position's score rests on (cycle records, documents)
    missed: tuple[str, ...] = ()  # parameters not fully met, by the experts' scores
    decision_reason: str = ""


@dataclass(frozen=True)
class TotalLine:
    key: str  # system code or "total"
    name: str
    score: float | None
    max_score: int
    percent: float | None
    level: str  # level name, "" when not known


@dataclass
class ConclusionData:
    region: str
    municipality: str
    municipality_code: str
    year: int
    rubric_version: str
    rubric_digest: str
    rule: str
    levels_source: str
    positions: list[PositionLine]
    totals: list[TotalLine]
    experts: list[str]
    chair: str
    decisions: list[tuple[str, str, int]] = field(default_factory=list)  # (position, reason, round)
    appeals: list[tuple[int, str]] = field(default_factory=list)  # (round, text)
    dated: str = ""


@dataclass
class CampaignData:
    region: str
    year: int
    rubric_version: str
    systems: list[tuple[str, str, int]]  # (code, name, max)
    municipalities: list[ConclusionData]
    ranks: dict[str, int | None]  # municipality code → rank by total
    previous: dict[str, TotalLine] | None = None  # municipality code → last year's total line
    previous_year: int | None = None
    outcomes: dict[str, dict[str, float]] = field(default_factory=dict)  # system → municipality → outcome index
    outcome_note: str = ""
    agreement: list[tuple[str, int, int, float | None]] = field(default_factory=list)  # system, items, experts, α
    dated: str = ""
