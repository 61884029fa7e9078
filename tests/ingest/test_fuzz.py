"""Fuzzing every reader with hypothesis: whatever the bytes, the answer is a list of clean issues, never a
crash (the pipeline's last-resort conversion of an exception into an issue counts as a crash here)."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msoko.core.issues import Issue
from msoko.core.workspace import Workspace
from msoko.ingest import import_file, read_registry
from msoko.ingest.f1 import prepare_f1
from msoko.ingest.frames import iter_frames, open_source
from msoko.ingest.profiles import prepare_with_profile, shipped_profiles
from msoko.ingest.tabular import read_grid
from tests.ingest.helpers import VPR_HEADER, VPR_ROWS

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_counter = itertools.count()

CELLS = st.one_of(
    st.sampled_from(
        ["", "X", "Х", "-", "—", "нет отметки", "2024", "edu1", "4", "3,5", "1e9", '"', ";", ",", "\n"]
    ),
    st.text(max_size=12),
    st.integers(-10, 10**6).map(str),
)
HEADERS = st.lists(
    st.sampled_from(
        [
            *VPR_HEADER.split(","),
            "exam",
            "test_score",
            "procedure",
            "participants",
            "mean_score",
            "ФИО",
            "a",
            "",
        ]
    ),
    min_size=1,
    max_size=12,
)


@st.composite
def csv_texts(draw) -> bytes:
    header = draw(HEADERS)
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    rows = draw(st.lists(st.lists(CELLS, max_size=len(header) + 2), max_size=8))
    text = delimiter.join(header) + "\n" + "\n".join(delimiter.join(r) for r in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):  # damage a few bytes
        position = draw(st.integers(0, max(0, len(data) - 1)))
        data = data[:position] + draw(st.binary(max_size=6)) + data[position + 1 :]
    return data


FILES = st.one_of(csv_texts(), st.binary(max_size=300), st.just(b"PK\x03\x04" + b"\x00" * 30))


def _write(folder: Path, data: bytes, suffix: str = ".csv") -> Path:
    path = folder / f"fuzz-{next(_counter)}{suffix}"
    path.write_bytes(data)
    return path


def _clean(issues: list[Issue]) -> None:
    for issue in issues:
        assert isinstance(issue, Issue) and issue.message
        assert "не удалось прочитать (" not in issue.message, issue.message
        assert "не удалось обработать (" not in issue.message, issue.message


@FUZZ
@given(data=FILES)
def test_the_tabular_reader_never_crashes(tmp_path, data):
    grid, issues = read_grid(_write(tmp_path, data))
    assert grid is not None or issues
    _clean(issues)


@FUZZ
@given(data=FILES)
def test_the_streaming_reader_never_crashes(tmp_path, data):
    source = open_source(_write(tmp_path, data))
    if isinstance(source, list):
        _clean(source)
        return
    issues: list[Issue] = []
    for frame in iter_frames(source, issues):
        assert "_line" in frame.columns
    _clean(issues)


@FUZZ
@given(data=FILES)
def test_the_registry_reader_never_crashes(tmp_path, data):
    rows, issues = read_registry(_write(tmp_path, data))
    assert rows or issues
    _clean(issues)


@FUZZ
@given(data=FILES, kind=st.sampled_from(["results", "context", "scales"]))
def test_import_of_any_bytes_gives_clean_issues(tmp_path, data, kind):
    ws = Workspace.resolve(tmp_path / "ws").ensure()
    outcome = import_file(ws, _write(tmp_path, data), kind=kind, dry_run=True)
    assert outcome.status in ("dry_run", "rejected")
    _clean(outcome.issues)


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=9, max_size=11), max_size=6))
def test_import_of_canonical_vpr_with_random_values_gives_clean_issues(tmp_path, rows):
    ws = Workspace.resolve(tmp_path / "ws").ensure()
    lines = [VPR_HEADER, VPR_ROWS[0], *(",".join(f'"{c}"' for c in r) for r in rows)]
    outcome = import_file(ws, _write(tmp_path, "\n".join(lines).encode()), dry_run=True)
    _clean(outcome.issues)


@FUZZ
@given(
    title=st.sampled_from(
        ["ВПР 2024 Русский язык 4 класс", "ВПР 20 класс", "", "ВПР 2024 Математика 11 кл."]
    ),
    tasks=st.lists(st.sampled_from(["1 (2б)", "9.1 (1б)", "4K1 (1б)", "1 (б)", "X"]), max_size=4),
    levels=st.lists(st.sampled_from(["Б", "П", "", "Z"]), max_size=4),
    rows=st.lists(st.lists(CELLS, max_size=10), max_size=5),
)
def test_the_f1_reader_never_crashes(tmp_path, title, tasks, levels, rows):
    header = [
        "ОО",
        "Код участника",
        "Класс",
        "Вариант",
        *tasks,
        "Первичный балл",
        "Отметка",
        "Отметка по журналу",
    ]
    lines = [
        [title],
        ["Максимальный первичный балл:", "10"],
        ["Школа (edu123456)", "Кол-во участников: 3"],
        ["", "", "", "", *levels],
        header,
        *rows,
    ]
    text = "\n".join(";".join(c.replace(";", ",").replace("\n", " ") for c in line) for line in lines)
    path = _write(tmp_path, text.encode())
    prepared, issues = prepare_f1(path, path.name, [])
    _clean(issues)
    if prepared is not None:
        ws = Workspace.resolve(tmp_path / "ws").ensure()
        outcome = import_file(ws, path, dry_run=True)
        _clean(outcome.issues)


PROFILES = sorted(shipped_profiles())  # every shipped profile, new ones included


@FUZZ
@given(data=FILES, profile=st.sampled_from(PROFILES))
def test_the_profile_reader_never_crashes(tmp_path, data, profile):
    path = _write(tmp_path, data)
    prepared, issues = prepare_with_profile(path, path.name, profile, "results")
    _clean(issues)
    if prepared is not None:
        ws = Workspace.resolve(tmp_path / "ws").ensure()
        _clean(import_file(ws, path, profile=profile, dry_run=True).issues)
