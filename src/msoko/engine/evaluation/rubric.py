"""The rubric: system → track → position (with its maximum score) → parameters (each with its value range).

A rubric is versioned YAML a region edits without code (`default_rubric.yaml` is the shipped one). A campaign
keeps the text it was opened with, so a later edit makes a new version and never rescales an old campaign.
`load_rubric` checks the arithmetic the form states: a position's maximum is reachable by its parameters,
a track's declared maximum is the sum of its positions, a system's the sum of its tracks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from msoko.core.issues import Issue

DEFAULT_RUBRIC = Path(__file__).with_name("default_rubric.yaml")


@dataclass(frozen=True)
class Parameter:
    code: str
    name: str
    min: int
    max: int


@dataclass(frozen=True)
class Position:
    code: str
    name: str
    max_score: int
    parameters: tuple[Parameter, ...]
    system: str
    track: str
    stage: str | None = None  # the cycle stage the position looks at (None: the whole track's cycle)

    def parameter(self, code: str) -> Parameter | None:
        return next((p for p in self.parameters if p.code == code), None)


@dataclass(frozen=True)
class Track:
    code: str
    name: str
    heading: str
    positions: tuple[Position, ...]

    @property
    def max_score(self) -> int:
        return sum(p.max_score for p in self.positions)


@dataclass(frozen=True)
class System:
    code: str
    name: str
    tracks: tuple[Track, ...]
    adjust_by_region: bool  # the shape of seed 000 carried over: the region confirms or changes it

    @property
    def max_score(self) -> int:
        return sum(t.max_score for t in self.tracks)

    @property
    def positions(self) -> list[Position]:
        return [p for t in self.tracks for p in t.positions]


@dataclass(frozen=True)
class LevelBand:
    code: str
    name: str
    from_percent: float


@dataclass(frozen=True)
class Rubric:
    version: str
    title: str
    source: str
    systems: tuple[System, ...]
    levels: tuple[LevelBand, ...]  # highest threshold first
    levels_source: str
    text: str  # the YAML as read: a campaign stores it

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:12]

    @property
    def positions(self) -> list[Position]:
        return [p for s in self.systems for p in s.positions]

    @property
    def max_score(self) -> int:
        return sum(s.max_score for s in self.systems)

    def position(self, code: str) -> Position | None:
        return self._index().get(code)

    def system(self, code: str) -> System | None:
        return next((s for s in self.systems if s.code == code), None)

    def _index(self) -> dict[str, Position]:
        cached = self.__dict__.get("_positions")
        if cached is None:
            cached = {p.code: p for p in self.positions}
            object.__setattr__(self, "_positions", cached)
        return cached


class RubricError(ValueError):
    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(i.message for i in issues))
        self.issues = issues


def _int(value, where: str, issues: list[Issue], file: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        issues.append(Issue.error(f"{where}: ожидается целое число, получено «{value}»", file=file))
        return 0
    return value


def _text(node: dict, key: str, where: str, issues: list[Issue], file: str) -> str:
    value = node.get(key)
    if not isinstance(value, str) or not value.strip():
        issues.append(Issue.error(f"{where}: не указано поле «{key}»", file=file))
        return ""
    return value.strip()


def parse_rubric(text: str, file: str = "rubric.yaml") -> Rubric:
    """The rubric in `text`, or RubricError with every problem found (Russian, located by path in the file)."""
    issues: list[Issue] = []
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RubricError([Issue.error(f"рубрика не читается как YAML: {getattr(exc, 'problem', exc)}", file=file,
                                       row=mark.line + 1 if mark else None)]) from None
    if not isinstance(data, dict):
        raise RubricError([Issue.error("рубрика должна быть словарём (version, systems, levels)", file=file)])
    version = str(data.get("version") or "").strip()
    if not version:
        issues.append(Issue.error("не указана версия рубрики (version)", file=file))
    systems: list[System] = []
    seen: set[str] = set()
    for si, s in enumerate(data.get("systems") or [], 1):
        sw = f"systems[{si}]"
        if not isinstance(s, dict):
            issues.append(Issue.error(f"{sw}: ожидается словарь", file=file))
            continue
        scode = str(s.get("code") or "")
        tracks: list[Track] = []
        for ti, t in enumerate(s.get("tracks") or [], 1):
            tw = f"система {scode}, tracks[{ti}]"
            positions: list[Position] = []
            for pi, p in enumerate(t.get("positions") or [], 1):
                pcode = str(p.get("code") or "")
                pw = f"позиция {pcode or pi} ({tw})"
                if not pcode:
                    issues.append(Issue.error(f"{pw}: не указан код позиции", file=file))
                elif pcode in seen:
                    issues.append(Issue.error(f"{pw}: код позиции повторяется", file=file))
                seen.add(pcode)
                maximum = _int(p.get("max_score"), f"{pw}, max_score", issues, file)
                params: list[Parameter] = []
                for qi, q in enumerate(p.get("parameters") or [], 1):
                    qw = f"{pw}, параметр {q.get('code') or qi}"
                    lo, hi = _int(q.get("min"), f"{qw}, min", issues, file), _int(q.get("max"), f"{qw}, max", issues, file)
                    if lo > hi:
                        issues.append(Issue.error(f"{qw}: min больше max", file=file))
                    params.append(Parameter(_text(q, "code", qw, issues, file), _text(q, "name", qw, issues, file), lo, hi))
                if len({q.code for q in params}) != len(params):
                    issues.append(Issue.error(f"{pw}: коды параметров повторяются", file=file))
                if not params:
                    issues.append(Issue.error(f"{pw}: нет параметров оценивания", file=file))
                reachable = sum(q.max for q in params)
                if maximum <= 0 or reachable < maximum:
                    issues.append(Issue.error(
                        f"{pw}: максимальный балл {maximum} недостижим (сумма максимумов параметров {reachable})",
                        file=file))
                positions.append(Position(pcode, _text(p, "name", pw, issues, file), maximum, tuple(params), scode,
                                          str(t.get("code") or ""), p.get("stage")))
            track = Track(_text(t, "code", tw, issues, file), _text(t, "name", tw, issues, file),
                          str(t.get("heading") or ""), tuple(positions))
            declared = t.get("max_score")
            if declared is not None and declared != track.max_score:
                issues.append(Issue.error(f"{tw}: указан максимум трека {declared}, сумма позиций {track.max_score}",
                                          file=file))
            tracks.append(track)
        system = System(scode, _text(s, "name", sw, issues, file), tuple(tracks), s.get("adjust") == "region")
        if not scode:
            issues.append(Issue.error(f"{sw}: не указан код системы", file=file))
        declared = s.get("max_score")
        if declared is not None and declared != system.max_score:
            issues.append(Issue.error(f"система {scode}: указан максимум {declared}, сумма треков {system.max_score}",
                                      file=file))
        systems.append(system)
    if not systems:
        issues.append(Issue.error("в рубрике нет систем (systems)", file=file))
    levels_node = data.get("levels") or {}
    bands = []
    for b in levels_node.get("bands") or []:
        try:
            bands.append(LevelBand(str(b["code"]), str(b["name"]), float(b["from_percent"])))
        except (KeyError, TypeError, ValueError):
            issues.append(Issue.error(f"levels: уровень {b} должен иметь code, name и from_percent", file=file))
    bands.sort(key=lambda b: -b.from_percent)
    if not bands or bands[-1].from_percent != 0:
        issues.append(Issue.error("levels: нужен уровень с from_percent: 0 (нижний)", file=file))
    levels_source = str(levels_node.get("source") or "").strip()
    if bands and not levels_source:
        issues.append(Issue.error("levels: укажите источник границ уровней (source)", file=file))
    if issues:
        raise RubricError(issues)
    return Rubric(version, str(data.get("title") or ""), str(data.get("source") or "").strip(), tuple(systems),
                  tuple(bands), levels_source, text)


def load_rubric(path: Path | None = None) -> Rubric:
    path = path or DEFAULT_RUBRIC
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RubricError([Issue.error("файл рубрики не в кодировке UTF-8", file=path.name)]) from None
    return parse_rubric(text, path.name)
