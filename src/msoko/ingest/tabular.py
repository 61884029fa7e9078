"""Reading a CSV or XLSX file into rows that keep the line number a person sees.

Small-to-medium files (registry, context, scales, Ф1 exports, profile inputs) go through here; big
canonical result files take the streaming fast path in `msoko.ingest.fastcsv`.

Nothing here raises on bad input: an unreadable file becomes a located `Issue` (Russian, naming the file)
and the reader returns `None`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from msoko.core.issues import Issue

# Limits that keep a hostile or broken file from exhausting the machine.
MAX_TEXT_BYTES = 512 * 1024 * 1024  # CSV read whole into memory by this reader
MAX_XLSX_BYTES = 200 * 1024 * 1024  # compressed size on disk
MAX_XLSX_UNCOMPRESSED = 1024 * 1024 * 1024  # sum of member sizes once unzipped
MAX_XLSX_RATIO = 200  # a member inflating more than this is treated as a zip bomb
MAX_ROWS = 2_000_000
MAX_XLSX_ROWS = 500_000
MAX_COLUMNS = 2_000

csv.field_size_limit(16 * 1024 * 1024)

Cell = str


@dataclass
class Grid:
    """Every row of a sheet or CSV as text, with its 1-based line number in the file."""

    file: str
    rows: list[tuple[int, list[Cell]]]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


@dataclass
class Table:
    """A header and the data rows under it."""

    file: str
    header: list[str]
    header_row: int
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line, {column as written: cell}) for every non-empty data row; short rows are padded with ''."""
        width = len(self.header)
        for line, cells in self.rows:
            if not any(cell.strip() for cell in cells):
                continue
            padded = cells + [""] * (width - len(cells))
            yield line, dict(zip(self.header, padded[:width], strict=True))


# --------------------------------------------------------------------------------------------- text


def is_xlsx(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


_PLAUSIBLE_CP1251 = set(
    "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя№«»–—\u00a0“”„’‘…·°±§©®"
)


def decode_text(data: bytes, name: str) -> tuple[str | None, str | None, list[Issue]]:
    """Decode bytes as UTF-8 (with or without BOM) or cp1251; return (text, encoding, issues)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        try:
            return data.decode("utf-8"), "utf-8-sig", []
        except UnicodeDecodeError as exc:
            return None, None, [_bad_encoding(name, data, exc.start)]
    if b"\x00" in data[:65536]:
        return (
            None,
            None,
            [
                Issue.error(
                    "файл не читается как текст: похоже на двоичные данные или кодировку UTF-16; "
                    "ожидается CSV в кодировке UTF-8 или cp1251 либо книга XLSX",
                    file=name,
                )
            ],
        )
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        utf8_error_at = exc.start
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        return None, None, [_bad_encoding(name, data, utf8_error_at)]
    non_ascii = [ch for ch in text if ord(ch) > 127]
    odd = sum(1 for ch in non_ascii if ch not in _PLAUSIBLE_CP1251)
    if non_ascii and odd / len(non_ascii) > 0.1:
        return None, None, [_bad_encoding(name, data, utf8_error_at)]
    return text, "cp1251", []


def _bad_encoding(name: str, data: bytes, offset: int) -> Issue:
    line = data.count(b"\n", 0, offset) + 1
    return Issue.error(
        "не удаётся прочитать текст: файл не в кодировке UTF-8 и не в cp1251 (Windows-1251); "
        "сохраните его как «CSV UTF-8»",
        file=name,
        row=line,
    )


def detect_delimiter(text: str) -> str:
    """`;`, `,` or tab: whichever splits the first non-empty line (outside quotes) into most fields."""
    first = ""
    for line in text.splitlines()[:20]:
        if line.strip():
            first = line
            break
    best, best_count = ",", 0
    for candidate in (";", ",", "\t"):
        try:
            count = len(next(csv.reader([first], delimiter=candidate)))
        except (csv.Error, StopIteration):
            count = 0
        if count > best_count:
            best, best_count = candidate, count
    return best


def _csv_grid(text: str, name: str, delimiter: str | None) -> tuple[Grid | None, list[Issue]]:
    delimiter = delimiter or detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                return None, [
                    Issue.error(f"слишком много строк (больше {MAX_ROWS:,}); разделите файл", file=name)
                ]
    except csv.Error as exc:
        from msoko.ingest.frames import csv_error_ru

        return None, [Issue.error(f"файл CSV повреждён: {csv_error_ru(exc)}", file=name, row=start)]
    if rows and _ends_inside_quotes(text, rows[-1][0], delimiter):
        # the csv module silently ends a quoted value at the end of the file: a cut-off file
        return None, [Issue.error(TRUNCATED, file=name, row=rows[-1][0])]
    return Grid(name, rows, delimiter=delimiter), []


def _ends_inside_quotes(text: str, last_line: int, delimiter: str) -> bool:
    """The last record, parsed strictly, hits the end of the file inside a quoted value."""
    tail = "\n".join(text.splitlines()[last_line - 1 :])
    try:
        for _ in csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


TRUNCATED = "файл оборван: в последней строке кавычка открыта, но не закрыта (файл записан не полностью?)"


# --------------------------------------------------------------------------------------------- xlsx


def check_xlsx_archive(path: Path, name: str) -> list[Issue]:
    """Refuse zip bombs and oversized workbooks before openpyxl inflates anything."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return [Issue.error(f"файл не читается: {exc.strerror or exc}", file=name)]
    if size > MAX_XLSX_BYTES:
        return [
            Issue.error(f"файл XLSX слишком велик ({size // 2**20} МБ); сохраните его как CSV", file=name)
        ]
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        return [Issue.error(f"файл XLSX повреждён (не читается как архив: {exc})", file=name)]
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > 10 * 2**20 and member.file_size > MAX_XLSX_RATIO * max(member.compress_size, 1):
            return [Issue.error("файл XLSX отклонён: подозрительно сильное сжатие (zip-бомба)", file=name)]
    if total > MAX_XLSX_UNCOMPRESSED:
        return [
            Issue.error(
                f"файл XLSX отклонён: после распаковки больше {MAX_XLSX_UNCOMPRESSED // 2**20} МБ; "
                "сохраните данные как CSV",
                file=name,
            )
        ]
    if not any(m.filename.startswith("xl/worksheets/") for m in members):
        return [Issue.error("файл XLSX повреждён: в нём нет ни одного листа", file=name)]
    return []


def _n(number: int) -> str:
    return f"{number:_}".replace("_", " ")


def cell_text(value: object) -> str:
    """A cell as the text a person sees: integral floats without `.0`, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _xlsx_grid(path: Path, name: str, sheet_hint: str | None) -> tuple[Grid | None, list[Issue]]:
    issues = check_xlsx_archive(path, name)
    if issues:
        return None, issues
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — openpyxl raises many kinds on broken files
        return None, [
            Issue.error(f"файл XLSX повреждён или это не книга Excel ({type(exc).__name__})", file=name)
        ]
    try:
        names = book.sheetnames
        if not names:
            return None, [Issue.error("в книге нет листов", file=name)]
        chosen = names[0]
        if sheet_hint:
            for candidate in names:
                if sheet_hint.lower() in candidate.lower():
                    chosen = candidate
                    break
        sheet = book[chosen]
        declared_rows = getattr(sheet, "max_row", None) or 0
        declared_columns = getattr(sheet, "max_column", None) or 0
        if declared_rows > MAX_XLSX_ROWS or declared_columns > MAX_COLUMNS:
            return None, [
                Issue.error(
                    f"лист «{chosen}» слишком велик ({_n(declared_rows)} строк × {declared_columns} столбцов); "
                    f"в XLSX принимается до {_n(MAX_XLSX_ROWS)} строк — сохраните данные как CSV",
                    file=name,
                )
            ]
        rows: list[tuple[int, list[str]]] = []
        try:
            for index, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if len(values) > MAX_COLUMNS:
                    return None, [
                        Issue.error(
                            f"на листе «{chosen}» слишком много столбцов (больше {MAX_COLUMNS})", file=name
                        )
                    ]
                cells = [cell_text(value) for value in values]
                while cells and cells[-1] == "":
                    cells.pop()
                rows.append((index, cells))
                if index > MAX_XLSX_ROWS:
                    return None, [
                        Issue.error(
                            f"на листе «{chosen}» слишком много строк (больше {_n(MAX_XLSX_ROWS)}); "
                            "сохраните данные как CSV",
                            file=name,
                        )
                    ]
        except Exception as exc:  # noqa: BLE001
            return None, [
                Issue.error(f"лист «{chosen}» повреждён и не читается ({type(exc).__name__})", file=name)
            ]
        while rows and not rows[-1][1]:
            rows.pop()
        return Grid(name, rows, sheet=chosen), []
    finally:
        try:
            book.close()
        except Exception:  # noqa: BLE001, S110
            pass


# --------------------------------------------------------------------------------------------- api


def read_grid(
    path: Path,
    *,
    name: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> tuple[Grid | None, list[Issue]]:
    """All rows of a CSV or XLSX file; `name` is what messages call the file (default: its file name)."""
    path = Path(path)
    name = name or path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [Issue.error(f"файл не найден или не читается: {exc.strerror or exc}", file=name)]
    if size == 0:
        return None, [Issue.error("файл пуст", file=name)]
    if is_xlsx(path):
        grid, issues = _xlsx_grid(path, name, sheet)
    else:
        if size > MAX_TEXT_BYTES:
            return None, [
                Issue.error(f"файл слишком велик для этого вида данных ({size // 2**20} МБ)", file=name)
            ]
        data = path.read_bytes()
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            return None, [
                Issue.error("файл в старом формате Excel (.xls); сохраните его как XLSX или CSV", file=name)
            ]
        if encoding:
            try:
                text = data.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                return None, [_bad_encoding(name, data, 0)]
            text = text.lstrip("\ufeff")
            used = encoding
        else:
            text, used, issues = decode_text(data, name)
            if text is None:
                return None, issues
        grid, issues = _csv_grid(text, name, delimiter)
        if grid is not None:
            grid.encoding = used
    if grid is not None and not any(any(c.strip() for c in cells) for _, cells in grid.rows):
        return None, [Issue.error("файл пуст: в нём нет ни одной строки с данными", file=name)]
    return grid, issues


def table_from_grid(grid: Grid, header_index: int = 0) -> tuple[Table | None, list[Issue]]:
    """Use row `header_index` of the grid (0-based into `grid.rows`) as the header."""
    if header_index >= len(grid.rows):
        return None, [Issue.error("в файле нет строки заголовка", file=grid.file)]
    header_line, raw_header = grid.rows[header_index]
    header = [cell.strip().lstrip("\ufeff").strip() for cell in raw_header]
    while header and header[-1] == "":
        header.pop()
    issues: list[Issue] = []
    if not header:
        return None, [Issue.error("строка заголовка пуста", file=grid.file, row=header_line)]
    seen: dict[str, int] = {}
    for position, column in enumerate(header):
        if column == "":
            header[position] = f"столбец {position + 1}"
            continue
        key = column.casefold()
        if key in seen:
            issues.append(
                Issue.error(
                    f"столбец «{column}» встречается в заголовке дважды (столбцы {seen[key] + 1} и {position + 1})",
                    file=grid.file,
                    row=header_line,
                    column=column,
                )
            )
        else:
            seen[key] = position
    table = Table(
        file=grid.file,
        header=header,
        header_row=header_line,
        rows=grid.rows[header_index + 1 :],
        encoding=grid.encoding,
        delimiter=grid.delimiter,
        sheet=grid.sheet,
    )
    return table, issues


def first_nonempty(grid: Grid) -> int:
    for index, (_, cells) in enumerate(grid.rows):
        if any(cell.strip() for cell in cells):
            return index
    return 0


def read_table(
    path: Path, *, name: str | None = None, sheet: str | None = None
) -> tuple[Table | None, list[Issue]]:
    """A CSV/XLSX whose first non-empty row is the header."""
    grid, issues = read_grid(path, name=name, sheet=sheet)
    if grid is None:
        return None, issues
    table, more = table_from_grid(grid, first_nonempty(grid))
    return table, issues + more
