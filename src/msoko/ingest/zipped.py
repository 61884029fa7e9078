"""A ZIP upload that is not a workbook: the CSV inside it (and the ВПР task metadata next to it) is read.

Limits (the same as for XLSX): at most `MAX_UNCOMPRESSED` bytes once unzipped, no member inflating more
than `MAX_RATIO` times (zip bomb), at most two CSV files — the results and, optionally, the task metadata
(`year, subject, grade, task, max_score, level`), recognised by its header. Members are copied out in
bounded chunks, never read whole.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from msoko.core.issues import Issue
from msoko.ingest.tabular import MAX_XLSX_RATIO, MAX_XLSX_UNCOMPRESSED

MAX_UNCOMPRESSED = MAX_XLSX_UNCOMPRESSED
MAX_RATIO = MAX_XLSX_RATIO
TEXT_SUFFIXES = (".csv", ".txt")
META_COLUMNS = {"task", "max_score"}


@dataclass
class Unzipped:
    results: Path
    member: str
    tasks_meta: Path | None
    folder: Path

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def is_plain_zip(path: Path) -> bool:
    """A ZIP archive that is not an XLSX workbook."""
    try:
        if not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    return not any(n == "[Content_Types].xml" or n.startswith("xl/") for n in names)


def unzip(path: Path, name: str, work: Path) -> tuple[Unzipped | None, list[Issue]]:
    """The CSV members of the archive copied into a folder under `work` (the caller removes it)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            texts = [m for m in members if m.filename.lower().endswith(TEXT_SUFFIXES)]
            if not texts:
                return None, [Issue.error("в архиве ZIP нет файла CSV", file=name)]
            if len(texts) > 2:
                return None, [
                    Issue.error(
                        f"в архиве ZIP {len(texts)} файлов CSV; допустимо два: результаты и задания ВПР",
                        file=name,
                    )
                ]
            if sum(m.file_size for m in texts) > MAX_UNCOMPRESSED:
                return None, [
                    Issue.error(
                        f"архив ZIP отклонён: после распаковки больше {MAX_UNCOMPRESSED // 2**20} МБ",
                        file=name,
                    )
                ]
            for member in texts:
                if member.file_size > 10 * 2**20 and member.file_size > MAX_RATIO * max(
                    member.compress_size, 1
                ):
                    return None, [
                        Issue.error("архив ZIP отклонён: подозрительно сильное сжатие (zip-бомба)", file=name)
                    ]
            work.mkdir(parents=True, exist_ok=True)
            folder = Path(tempfile.mkdtemp(prefix=".unzip-", dir=work))
            (folder / "owner.pid").write_text(str(os.getpid()), encoding="ascii")  # kept by staging sweeps
            copied = []
            for i, member in enumerate(texts):
                target = folder / f"{i}-{Path(member.filename).name}"
                written = 0
                with archive.open(member) as source, target.open("wb") as out:
                    for chunk in iter(lambda source=source: source.read(1 << 20), b""):
                        written += len(chunk)
                        if written > member.file_size or written > MAX_UNCOMPRESSED:
                            shutil.rmtree(folder, ignore_errors=True)
                            return None, [
                                Issue.error("архив ZIP повреждён: размер файла не совпадает", file=name)
                            ]
                        out.write(chunk)
                copied.append((member.filename, target))
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
        return None, [Issue.error(f"архив ZIP повреждён и не читается ({type(exc).__name__})", file=name)]
    meta = [(m, p) for m, p in copied if _is_meta(p)]
    results = [(m, p) for m, p in copied if (m, p) not in meta]
    if len(results) != 1:
        shutil.rmtree(folder, ignore_errors=True)
        return None, [
            Issue.error(
                "в архиве ZIP должен быть один файл результатов (и, по желанию, файл заданий ВПР)", file=name
            )
        ]
    member, results_path = results[0]
    return Unzipped(results_path, member, meta[0][1] if meta else None, folder), []


def _is_meta(path: Path) -> bool:
    with path.open("rb") as handle:
        first = handle.readline(64 * 1024).decode("utf-8", errors="replace").lstrip("\ufeff")
    names = {cell.strip().strip('"').casefold() for cell in first.replace(";", ",").split(",")}
    return META_COLUMNS <= names and "participant" not in names
