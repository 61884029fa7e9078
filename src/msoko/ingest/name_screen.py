"""The name screen: every text cell of a file is checked for a Russian personal name, whatever its header.

Header rules (`pseudo.refuse_names`) catch a «ФИО» column; this catches names under a neutral header
(`name`, `comment`, inside `participant`). A hit refuses the file before anything is written (the archive
included). Forms recognised (nominative — pupil lists are written so):

- surname, name, patronymic in either order: «Иванов Иван Иванович», «Мария Петровна Сидорова»;
- surname with initials at the start of a cell: «Иванов И.И.», «Иванов И. И.», «И.И. Иванов» (inside a
  cell such initials mostly name a school's patron: Bulgarian «ОУ Н.Й.Вапцаров»).

Organisations named after a person are not names of pupils: a cell with «им.»/«имени» or with quotation
marks («…», „…“, "…") is exempt (Russian «СОШ им. А.С. Пушкина», Bulgarian «СУ „П. Р. Славейков“»);
organisation and place names have no patronymic, and all-capital words (БЛАГОЕВГРАД) are not words here.
Vectorised (polars, Rust `regex`): per text column, a scan for a space or a dot, then the pattern over the
distinct candidates only.
"""

from __future__ import annotations

import polars as pl

from msoko.core.issues import Severity
from msoko.ingest.canonical import Reporter
from msoko.ingest.frames import LINE, unique_names

_WORD = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_PATRONYMIC = r"[А-ЯЁ][а-яё]+(?:ич|овна|евна|ична)"
_INITIALS = r"[А-ЯЁ]\.\s*[А-ЯЁ]\."
PATTERN = "|".join(
    [
        rf"\b{_WORD}\s+{_WORD}\s+{_PATRONYMIC}\b",
        rf"\b{_WORD}\s+{_PATRONYMIC}\s+{_WORD}\b",
        rf"^\s*{_WORD}\s+{_INITIALS}",
        rf"^\s*{_INITIALS}\s*{_WORD}\b",
    ]
)
EXEMPT = r"(?i)\bим\.|имени|[«»„“”\"]"
LABEL = "значение похоже на фамилию, имя и отчество"


def looks_like_a_name(text: str) -> bool:
    """The screen for one value (tests, messages); `screen_frame` applies it vectorised."""
    series = pl.Series([text], dtype=pl.String)
    return bool(_hits(series)[0])


def _hits(column: pl.Series) -> pl.Series:
    return column.str.contains(PATTERN) & ~column.str.contains(EXEMPT)


def _named_values(column: pl.Series) -> pl.Series:
    """The distinct values of `column` that look like a name. Every form of `PATTERN` has a space or a dot,
    so a cheap scan for those leaves few candidates, and each distinct value is matched once: the full
    pattern over a million participant codes and subjects took 1.5 s of a 1-million-row import, this 0.15 s."""
    candidates = column.filter(column.str.contains(r"[\s.]")).unique()
    return candidates.filter(_hits(candidates))


def screen_frame(frame: pl.DataFrame, report: Reporter, skip: set[str] = frozenset()) -> None:
    """Report (error) every row of `frame` whose text cell looks like a personal name, per column."""
    columns = [c for c, t in frame.schema.items() if t == pl.String and c != LINE and c not in skip]
    if not columns:
        return
    for column in columns:
        named = _named_values(frame[column])
        if named.is_empty():
            continue
        rows = frame.filter(pl.col(column).is_in(named)).select(LINE, pl.lit("").alias("value"))
        report.rows(
            Severity.ERROR, (Severity.ERROR, column, LABEL), rows, column, lambda _, c=column: _message(c)
        )


def _message(column: str) -> str:
    return (
        f"{LABEL} (персональные данные не загружаются, значение не показано). Удалите имена из файла "
        f'или, если весь столбец лишний, загрузите файл с параметром --drop-columns "{column}" '
        "(столбец будет отброшен, в том числе из архивной копии)"
    )


def screen_grid(
    rows: list[tuple[int, list[str]]],
    header: list[str],
    header_line: int | None,
    report: Reporter,
    skip: set[str] = frozenset(),
) -> None:
    """The same screen over rows read whole (XLSX, Ф1, profiles): the data rows below the header."""
    data = [(line, cells) for line, cells in rows if header_line is None or line > header_line]
    if not data:
        return
    width = max(len(header), *(len(cells) for _, cells in data))
    names = unique_names(list(header) + [""] * (width - len(header)))
    frame = pl.DataFrame(
        {
            **{
                name: pl.Series(
                    name, [cells[i] if i < len(cells) else "" for _, cells in data], dtype=pl.String
                )
                for i, name in enumerate(names)
            },
            LINE: pl.Series(LINE, [line for line, _ in data], dtype=pl.Int64),
        }
    )
    screen_frame(frame, report, skip)
