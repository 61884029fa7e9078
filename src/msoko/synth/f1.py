"""Выгрузка ФИС ОКО «Ф1 Индивидуальные результаты» (XLSX) — для тестов импорта.

Writes the native ФИС ОКО export «Ф1 Индивидуальные результаты» for one school × subject × grade × year,
in the layout `docs/formats.md` describes: a sheet whose name contains «Индивидуальные результаты»; the
title «ВПР 2024 Русский язык 4 класс»; meta rows «Предмет», «Максимальный первичный балл», «Дата»; a
line with the school, its login in brackets and «Кол-во участников: N»; the Б/П row above the header; the
header «ОО», «Муниципалитет», «Название ОО», «Код участника», «Класс», «Вариант», [«Пол»], task columns
like `1 (2б)`, «Первичный балл», «Отметка», «Отметка по журналу». Missing values are written the way
real files write them (`X` for a task not attempted, «нет отметки» or `-` for no journal mark).
`with_names=True` adds a column of (fake) pupils' names, which the importer must refuse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from openpyxl import Workbook

from msoko.synth.frames import task_sort_key
from msoko.synth.tasks import tasks_for

SHEET = "Индивидуальные результаты"
_FAKE_NAMES = ("Иванов Иван", "Петрова Мария", "Сидоров Алексей", "Кузнецова Анна", "Смирнов Дмитрий")


@dataclass
class F1Row:
    participant: str
    class_label: str
    variant: int | None
    scores: Sequence[int | None]  # one per task, None for «X»
    primary: int
    mark: int
    journal_mark: int | None
    sex: str | None = None


def write_f1_xlsx(
    path: str | Path,
    *,
    year: int,
    subject: str,
    grade: int,
    org_id: str,
    org_name: str,
    municipality_name: str,
    tasks: Sequence[tuple[str, int, str]],
    rows: Sequence[F1Row],
    date: dt.date | None = None,
    with_sex: bool = False,
    with_names: bool = False,
    no_journal_text: str = "нет отметки",
) -> Path:
    """Write one Ф1 file. `tasks` are `(code, max_score, level)`; each row's `scores` follow them."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    wb.properties.creator = "ФИС ОКО"
    fixed = dt.datetime(year, 5, 20, 12, 0, 0)
    wb.properties.created = wb.properties.modified = fixed
    max_primary = sum(t[1] for t in tasks)
    ws.append([f"ВПР {year} {subject} {grade} класс"])
    ws.append(["Предмет:", subject])
    ws.append(["Максимальный первичный балл:", max_primary])
    ws.append(["Дата:", (date or dt.date(year, 4, 16)).strftime("%d.%m.%Y")])
    ws.append([f"{org_name} ({org_id})", None, None, None, f"Кол-во участников: {len(rows)}"])
    ws.append([])

    lead = ["ОО", "Муниципалитет", "Название ОО", "Код участника"]
    if with_names:
        lead.append("ФИО")
    lead += ["Класс", "Вариант"]
    if with_sex:
        lead.append("Пол")
    ws.append([None] * len(lead) + [t[2] for t in tasks])
    ws.append(
        lead
        + [f"{code} ({mx}б)" for code, mx, _ in tasks]
        + ["Первичный балл", "Отметка", "Отметка по журналу"]
    )
    for i, r in enumerate(rows):
        cells = [org_id, municipality_name, org_name, r.participant]
        if with_names:
            cells.append(_FAKE_NAMES[i % len(_FAKE_NAMES)])
        cells += [r.class_label, r.variant if r.variant is not None else "-"]
        if with_sex:
            cells.append(r.sex or "-")
        cells += ["X" if s is None else int(s) for s in r.scores]
        cells += [
            int(r.primary),
            int(r.mark),
            no_journal_text if r.journal_mark is None else int(r.journal_mark),
        ]
        ws.append(cells)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def f1_rows_from_vpr(vpr: pl.DataFrame, year: int, grade: int, seed: int = 0) -> tuple[list, list[F1Row]]:
    """Rows of the canonical `vpr.csv` of one school × subject × grade × year → tasks and Ф1 rows.

    Pupils are split into classes of up to 25 (`4А`, `4Б`, …); about 5 % of zero task scores are shown
    as `X`; the journal's missing marks alternate between «нет отметки» and `-` at the writer.
    """
    subject = vpr["subject"][0]
    tasks = [(t.code, t.max_score, t.level) for t in tasks_for(year, subject, grade)]
    tasks.sort(key=lambda t: task_sort_key(t[0]))
    rng = np.random.default_rng([seed, year, grade, len(vpr)])
    vpr = vpr.sort("participant")
    n = len(vpr)
    n_classes = max(1, -(-n // 25))
    letters = "АБВГДЕЖИКЛМН"
    rows = []
    for i, rec in enumerate(vpr.iter_rows(named=True)):
        scores = []
        for code, _, _ in tasks:
            s = rec.get(f"task:{code}")
            s = None if s is None else int(s)
            scores.append(None if s == 0 and rng.random() < 0.05 else s)
        jm = rec.get("journal_mark")
        rows.append(
            F1Row(
                participant=str(rec["participant"]),
                class_label=f"{grade}{letters[min(i * n_classes // n, len(letters) - 1)]}",
                variant=None if rec.get("variant") is None else int(rec["variant"]),
                scores=scores,
                primary=int(rec["primary_score"]),
                mark=int(rec["mark"]),
                journal_mark=None if jm in (None, "") else int(jm),
                sex="М" if rng.random() < 0.5 else "Ж",
            )
        )
    return tasks, rows


def write_f1_from_region(
    region_dir: str | Path,
    path: str | Path,
    org_id: str,
    year: int,
    subject: str,
    grade: int,
    **options,
) -> Path:
    """Write the Ф1 file of one school's work from a generated region's `vpr.csv` and `organisations.csv`."""
    region_dir = Path(region_dir)
    orgs = pl.read_csv(region_dir / "organisations.csv", infer_schema_length=0).filter(
        pl.col("org_id") == org_id
    )
    vpr = pl.read_csv(region_dir / "vpr.csv", infer_schema_length=0).filter(
        (pl.col("org_id") == org_id)
        & (pl.col("year") == str(year))
        & (pl.col("subject") == subject)
        & (pl.col("grade") == str(grade))
    )
    if vpr.is_empty():
        raise ValueError(f"no ВПР {year} {subject} {grade} for {org_id} in {region_dir}")
    tasks, rows = f1_rows_from_vpr(vpr, year, grade)
    return write_f1_xlsx(
        path,
        year=year,
        subject=subject,
        grade=grade,
        org_id=org_id,
        org_name=orgs["name"][0],
        municipality_name=orgs["municipality_name"][0],
        tasks=tasks,
        rows=rows,
        **options,
    )


def write_f1_examples(region, out_dir: str | Path, n: int) -> list[Path]:
    """Ф1 files for `n` works of the region (the biggest school's works first, planted ones included)."""
    out_dir = Path(out_dir)
    vpr = pl.read_csv(region.files["vpr"], infer_schema_length=0)
    keys = (
        vpr.group_by(["org_id", "year", "subject", "grade"])
        .len()
        .sort(["len", "org_id", "year", "subject", "grade"], descending=[True, False, False, False, False])
    )
    planted = {o["org_id"] for o in region.ground_truth.get("non_objective", [])}
    picked = keys.filter(pl.col("org_id").is_in(sorted(planted))).head(max(1, n // 3))
    picked = pl.concat([picked, keys]).unique(maintain_order=True).head(n)
    paths = []
    for org_id, year, subject, grade, _ in picked.iter_rows():
        code = "rus" if subject == "Русский язык" else "mat"
        paths.append(
            write_f1_from_region(
                region.out_dir,
                out_dir / f"f1_{year}_{org_id}_{code}_{grade}.xlsx",
                org_id,
                int(year),
                subject,
                int(grade),
            )
        )
    return paths
