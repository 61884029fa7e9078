"""A canonical file (CSV or XLSX) as a stream of string-typed polars frames carrying each row's file line.

CSV goes through pyarrow's streaming reader (C++, batches of ~1 MB … 64 MB), so a 10-million-row file is
never held in memory whole; XLSX and odd CSV (quoted line breaks) go through `tabular` and come out as
one frame. Every frame has the file's columns as strings plus `_line` (the line a person sees).
"""

from __future__ import annotations

import codecs
import csv
import io
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from msoko.core.issues import Issue
from msoko.ingest.tabular import (
    MAX_TEXT_BYTES,
    TRUNCATED,
    Table,
    decode_text,
    detect_delimiter,
    is_xlsx,
    read_grid,
    table_from_grid,
)

LINE = "_line"
SAMPLE_BYTES = 4 << 20
BLOCK_BYTES = 1 << 20


@dataclass
class Source:
    """What was learnt about a file before streaming it."""

    file: str
    path: Path
    header: list[str]
    header_line: int
    encoding: str | None = None
    delimiter: str | None = None
    table: Table | None = None  # set when the file was read whole (XLSX, irregular CSV)
    issues: list[Issue] = field(default_factory=list)
    size: int = 0


def _sniff_csv(path: Path, name: str) -> Source | None | list[Issue]:
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    bom = sample.startswith(b"\xef\xbb\xbf")
    body = sample[3:] if bom else sample
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
        encoding = "utf-8"
    except UnicodeDecodeError:
        text, encoding, issues = decode_text(body, name)
        if text is None:
            return issues
    if "\x00" in text:
        return decode_text(b"\x00", name)[2]
    lines = text.splitlines()
    header_index = next((i for i, line in enumerate(lines[:50]) if line.strip()), None)
    if header_index is None:
        return [Issue.error("файл пуст: в нём нет ни одной строки с данными", file=name)]
    delimiter = detect_delimiter("\n".join(lines[header_index : header_index + 1]))
    try:
        header = next(csv.reader([lines[header_index]], delimiter=delimiter))
    except csv.Error:
        return None
    if any('"' in line for line in lines[header_index + 1 : header_index + 200]) and _has_multiline(
        text, delimiter
    ):
        return None
    truncated = _truncated_last_line(path, encoding)
    if truncated is not None:
        return [Issue.error(TRUNCATED, file=name, row=truncated)]
    return Source(
        file=name,
        path=path,
        header=[h.strip().lstrip("\ufeff").strip() for h in header],
        header_line=header_index + 1,
        encoding=encoding,
        delimiter=delimiter,
        size=path.stat().st_size,
    )


def _truncated_last_line(path: Path, encoding: str) -> int | None:
    """The last line's number when it opens a quote it never closes (a file cut off while written); the
    streamed reader has no line breaks inside values, so every line must hold an even number of quotes."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - (1 << 16)))
        tail = handle.read()
    last = tail.rstrip(b"\r\n").rsplit(b"\n", 1)[-1]
    if last.count(b'"') % 2 == 0:
        return None
    with path.open("rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return lines + (0 if tail.endswith(b"\n") else 1)


def _has_multiline(text: str, delimiter: str) -> bool:
    reader = csv.reader(io.StringIO(text[: 1 << 20], newline=""), delimiter=delimiter)
    previous = 0
    try:
        for _ in reader:
            if reader.line_num - previous > 1:
                return True
            previous = reader.line_num
    except csv.Error:
        return True
    return False


def open_source(path: Path, name: str | None = None, sheet: str | None = None) -> Source | list[Issue]:
    """Look at a file: its header, encoding and delimiter; issues when it cannot be read at all."""
    path = Path(path)
    name = name or path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        return [Issue.error(f"файл не найден или не читается: {exc.strerror or exc}", file=name)]
    if size == 0:
        return [Issue.error("файл пуст", file=name)]
    if not is_xlsx(path):
        sniffed = _sniff_csv(path, name)
        if isinstance(sniffed, list):
            return sniffed
        if sniffed is not None:
            issues = _header_issues(sniffed.header, name, sniffed.header_line)
            sniffed.issues = issues
            sniffed.header = unique_names(sniffed.header)
            return sniffed
        if size > MAX_TEXT_BYTES:
            return [Issue.error("файл CSV с переносами строк внутри значений слишком велик", file=name)]
    grid, issues = read_grid(path, name=name, sheet=sheet)
    if grid is None:
        return issues
    start = next((i for i, (_, cells) in enumerate(grid.rows) if any(c.strip() for c in cells)), 0)
    table, more = table_from_grid(grid, start)
    if table is None:
        return issues + more
    return Source(
        file=name,
        path=path,
        header=unique_names(table.header),
        header_line=table.header_row,
        encoding=grid.encoding,
        delimiter=grid.delimiter,
        table=table,
        issues=issues + more,
        size=size,
    )


def _header_issues(header: list[str], name: str, line: int) -> list[Issue]:
    issues = []
    seen: dict[str, int] = {}
    for position, column in enumerate(header):
        key = column.casefold()
        if key and key in seen:
            issues.append(
                Issue.error(
                    f"столбец «{column}» встречается в заголовке дважды (столбцы {seen[key] + 1} и {position + 1})",
                    file=name,
                    row=line,
                    column=column,
                )
            )
        seen.setdefault(key, position)
    return issues


def unique_names(header: list[str]) -> list[str]:
    """Column names usable as frame columns: empty ones numbered, repeated ones suffixed."""
    names: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(header):
        name = h if h else f"столбец {i + 1}"
        while name in seen:
            name = f"{name} ({i + 1})"
        seen.add(name)
        names.append(name)
    return names


def table_frame(table: Table) -> pl.DataFrame:
    """A whole `Table` as one string frame with `_line` (empty rows dropped)."""
    lines: list[int] = []
    columns: list[list[str]] = [[] for _ in table.header]
    width = len(table.header)
    for line, cells in table.rows:
        if not any(cell.strip() for cell in cells):
            continue
        lines.append(line)
        padded = cells + [""] * (width - len(cells))
        for index in range(width):
            columns[index].append(padded[index])
    data = {
        name: pl.Series(name, values, dtype=pl.String)
        for name, values in zip(unique_names(table.header), columns, strict=True)
    }
    data[LINE] = pl.Series(LINE, lines, dtype=pl.Int64)
    return pl.DataFrame(data)


def _locate_bad_rows(source: Source, limit: int = 20) -> list[Issue]:
    """Slow scan for rows whose number of fields differs from the header (only after pyarrow refused)."""
    issues: list[Issue] = []
    width = len(source.header)
    with source.path.open("r", encoding=source.encoding or "utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=source.delimiter or ",")
        start = 1
        try:
            for cells in reader:
                line = start
                start = reader.line_num + 1
                if line <= source.header_line or not any(c.strip() for c in cells):
                    continue
                if len(cells) != width:
                    issues.append(
                        Issue.error(
                            f"в строке {len(cells)} знач., а в заголовке {width} столбцов",
                            file=source.file,
                            row=line,
                        )
                    )
                    if len(issues) >= limit:
                        break
        except csv.Error as exc:
            issues.append(Issue.error(f"файл CSV повреждён: {csv_error_ru(exc)}", file=source.file, row=start))
    return issues or [
        Issue.error("файл CSV не разбирается: число значений в строках не совпадает", file=source.file)
    ]


def csv_error_ru(exc: Exception) -> str:
    """The Python csv module's messages in Russian (they are shown to users)."""
    text = str(exc).lower()
    if "unexpected end of data" in text or "eof" in text:
        return "файл оборван: кавычка в последней строке не закрыта"
    if "field larger than field limit" in text:
        return "значение слишком длинное"
    if "new-line character" in text:
        return "перенос строки внутри значения без кавычек"
    return "строка не разбирается как CSV (проверьте кавычки и разделители)"


class TypedReadFailed(Exception):
    """A value did not parse as the requested type: the caller re-reads the file as text to locate it."""


def iter_frames(
    source: Source,
    issues: list[Issue],
    *,
    block_bytes: int = BLOCK_BYTES,
    progress=None,
    types: dict[str, pa.DataType] | None = None,
    null_values: list[str] | None = None,
    batch_rows: int = 250_000,
) -> Iterator[pl.DataFrame]:
    """Frames with `_line`; reading problems are appended to `issues` (then iteration stops).

    pyarrow reads small blocks (low memory); frames are glued into batches of about `batch_rows` rows so
    that per-batch work and Parquet row groups stay large. Columns are text, except those in `types` (column as written → Arrow type), which pyarrow parses
    itself (values in `null_values` become null); when such a value does not parse, `TypedReadFailed`
    is raised so the caller can fall back to text and report each bad value with its row.
    """
    if source.table is not None:
        frame = table_frame(source.table)
        if progress:
            progress(source.size, source.size)
        if frame.height:
            yield frame
        return
    bad_rows: list[int] = []

    def on_invalid(row) -> str:
        bad_rows.append(1)
        return "skip"

    names = unique_names(source.header)
    try:
        reader = pacsv.open_csv(
            source.path,
            read_options=pacsv.ReadOptions(
                encoding="utf8" if source.encoding in ("utf-8", "utf-8-sig") else (source.encoding or "utf8"),
                skip_rows=source.header_line,
                column_names=names,
                block_size=block_bytes,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=source.delimiter or ",",
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: (types or {}).get(name, pa.string()) for name in names},
                strings_can_be_null=types is not None,
                quoted_strings_can_be_null=types is not None,
                null_values=null_values if types is not None else [],
            ),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        if types is not None and "conversion error" in str(exc).lower():
            raise TypedReadFailed(str(exc)) from exc
        issues.append(_arrow_issue(source, exc))
        return
    next_line = source.header_line + 1
    done_bytes = 0
    held: list[pa.RecordBatch] = []
    held_rows = 0

    def glue() -> pl.DataFrame:
        """The held blocks as one frame with `_line`, blank lines (every field empty) dropped."""
        nonlocal next_line
        frame = pl.from_arrow(pa.Table.from_batches(held), rechunk=True)
        assert isinstance(frame, pl.DataFrame)
        frame = frame.with_columns(
            pl.int_range(next_line, next_line + frame.height, dtype=pl.Int64).alias(LINE)
        )
        next_line += frame.height
        # cheap test on the first column first
        first = frame[names[0]]
        maybe_blank = (
            first.is_null()
            if first.dtype != pl.String
            else (first.is_null() | (first.str.strip_chars() == ""))
        )
        if maybe_blank.any():
            schema = frame.schema
            frame = frame.filter(~pl.all_horizontal([_empty(n, schema[n]) for n in names]))
        return frame

    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
            if types is not None and "conversion error" in str(exc).lower():
                raise TypedReadFailed(str(exc)) from exc
            issues.append(_arrow_issue(source, exc))
            return
        if bad_rows:
            issues.extend(_locate_bad_rows(source))
            return
        done_bytes = min(source.size, done_bytes + block_bytes)
        if progress:
            progress(done_bytes, source.size)
        if batch.num_rows:
            held.append(batch)
            held_rows += batch.num_rows
        if held_rows >= batch_rows:
            frame = glue()
            held, held_rows = [], 0
            if frame.height:
                yield frame
    if bad_rows:
        issues.extend(_locate_bad_rows(source))
        return
    if held:
        frame = glue()
        if frame.height:
            yield frame
    if progress:
        progress(source.size, source.size)


def prefetch(frames, progress=None, depth: int = 2) -> Iterator[pl.DataFrame]:
    """`frames(progress)` produced in a reader thread, at most `depth` frames ahead: pyarrow parses the next
    batch while the caller checks this one. Exceptions (`TypedReadFailed`…) are re-raised in the caller;
    `progress` is called from the caller's thread (once per frame). Closing the iterator stops the reader.
    """
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    latest: list[tuple[int, int]] = []

    def note(done: int, total: int) -> None:
        latest[:] = [(done, total)]

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for frame in frames(note):
                if not put(("frame", frame)):
                    return
            put(("end", None))
        except BaseException as exc:  # noqa: BLE001 — handed to the caller
            put(("error", exc))

    reader = threading.Thread(target=produce, name="msoko-read", daemon=True)
    reader.start()
    try:
        while True:
            kind, value = items.get()
            if progress is not None and latest:
                progress(*latest[0])
            if kind == "frame":
                yield value
            elif kind == "end":
                return
            else:
                raise value
    finally:
        stop.set()
        reader.join()


def _empty(name: str, dtype) -> pl.Expr:
    column = pl.col(name)
    if dtype == pl.String:
        return column.is_null() | (column.str.strip_chars() == "")
    return column.is_null()


def _arrow_issue(source: Source, exc: Exception) -> Issue:
    text = str(exc)
    if "UTF8" in text or "UTF-8" in text or "decode" in text.lower():
        return Issue.error(
            "не удаётся прочитать текст: файл не в кодировке UTF-8 и не в cp1251 (Windows-1251); "
            "сохраните его как «CSV UTF-8»",
            file=source.file,
        )
    if "straddl" in text or "block" in text.lower():
        return _long_line_issue(source)
    located = _locate_bad_rows(source, limit=1)
    return located[0]


def _long_line_issue(source: Source) -> Issue:
    """pyarrow refuses a value longer than its read block: find the line (bounded reads) and say so."""
    from msoko.ingest.cell_limits import MAX_CELL_CHARS

    line = 0
    with source.path.open("rb") as handle:
        while True:
            chunk = handle.readline(BLOCK_BYTES)
            if not chunk:
                break
            line += 1
            if len(chunk) >= BLOCK_BYTES and not chunk.endswith(b"\n"):
                return Issue.error(
                    f"строка длиннее {BLOCK_BYTES // 2**20} МБ: в ней значение длиннее допустимых "
                    f"{MAX_CELL_CHARS} знаков; такие значения не загружаются",
                    file=source.file,
                    row=line,
                )
    return Issue.error("файл CSV не разбирается: слишком длинная строка", file=source.file)
