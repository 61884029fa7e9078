"""The analytical report (информационно-аналитическая справка) at three levels, in DOCX, PDF and XLSX.

    from msoko.reports import ReportSource, write_report
    source = ReportSource.load(ws)                      # stored results, detection, registry, catalog — once
    write_report(source, "municipality", "mo9901", "docx", Path("справка.docx"))

One document tree (`model.Document`) is built from stored values (`builder.build_report`) and drawn by
each renderer. Files are written aside and renamed into place: a failed run leaves no partial file.
`write_batch` puts the reports of many organisations into one ZIP (in parallel worker processes).
The management-cycle section is drawn from the plain `cycle` dict when the caller passes one.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from msoko.reports.builder import Progress, build_report, digest
from msoko.reports.data import SCOPES, Registry, ReportError, ReportSource
from msoko.reports.model import Document
from msoko.reports.render_docx import render_docx
from msoko.reports.render_pdf import render_pdf
from msoko.reports.render_xlsx import render_xlsx
from msoko.reports.templates import Texts, docx_template, load_texts

FORMATS = ("docx", "pdf", "xlsx")

__all__ = ["FORMATS", "SCOPES", "Document", "Registry", "ReportError", "ReportSource", "build_report", "render",
           "write_batch", "write_report"]


def render(document: Document, fmt: str, path: Path, template: Path | None = None) -> None:
    if fmt == "docx":
        render_docx(document, path, template or docx_template(None))
    elif fmt == "pdf":
        render_pdf(document, path)
    elif fmt == "xlsx":
        render_xlsx(document, path)
    else:
        raise ReportError(f"неизвестный формат «{fmt}»: ожидается docx, pdf или xlsx.", usage=True)


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """A temporary file beside `path`, renamed onto it on success and removed on any failure."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.",
                                   suffix=".part")
    except OSError:
        raise ReportError(f"не удаётся записать файл «{path}»: папка «{path.parent}» не существует или "
                          "недоступна для записи.") from None
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check(level: str, fmt: str) -> None:
    if level not in SCOPES:
        raise ReportError(f"неизвестный уровень справки «{level}»: ожидается region, municipality или organisation.",
                          usage=True)
    if fmt not in FORMATS:
        raise ReportError(f"неизвестный формат «{fmt}»: ожидается docx, pdf или xlsx.", usage=True)


def write_report(source: ReportSource, level: str, code: str, fmt: str, output: Path, *, root: Path | None = None,
                 template: Path | None = None, texts: Texts | None = None, cycle: dict | None = None,
                 charts: bool = True, progress: Progress | None = None) -> Document:
    """Build and write one report; `root` is the workspace folder (its templates override the shipped ones)."""
    _check(level, fmt)
    texts = texts or load_texts(root)
    chosen = docx_template(root, template) if fmt == "docx" else None
    with atomic_output(output) as tmp:
        document = build_report(source, level, code, texts, cycle=cycle, charts=charts and fmt != "xlsx",
                                progress=progress)
        if progress:
            progress("Запись файла", 1, None)
        render(document, fmt, tmp, chosen)
    return document


def _entry_name(code: str, name: str, fmt: str) -> str:
    clean = re.sub(r'[\\/:*?"<>|«»\s]+', " ", name).strip()[:60].strip()
    return f"{code} {clean}.{fmt}" if clean else f"{code}.{fmt}"


_worker: dict = {}


def _init_worker(root: Path, results_dir: Path | None, registry: Registry | None, fmt: str, template: Path | None,
                 charts: bool, cycles: dict[str, dict | None]) -> None:
    from msoko.core.workspace import Workspace

    ws = Workspace(Path(root))
    _worker.update(source=ReportSource.load(ws, results_dir=results_dir, registry=registry), texts=load_texts(root),
                   fmt=fmt, template=docx_template(root, template) if fmt == "docx" else None,
                   charts=charts and fmt != "xlsx", cycles=cycles)


def _one(code: str) -> bytes:
    document = build_report(_worker["source"], "organisation", code, _worker["texts"], charts=_worker["charts"],
                            cycle=_worker["cycles"].get(code))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"report.{_worker['fmt']}"
        render(document, _worker["fmt"], path, _worker["template"])
        return path.read_bytes()


def write_batch(source: ReportSource, codes: list[str], fmt: str, output: Path, *, root: Path,
                results_dir: Path | None = None, registry: Registry | None = None, template: Path | None = None,
                charts: bool = True, workers: int = 1, cycles: dict[str, dict | None] | None = None,
                progress: Callable[[str, int, int | None], None] | None = None) -> int:
    """The organisation reports of `codes` in one ZIP (entries `<code> <name>.<fmt>`, in the order given);
    `cycles` holds each organisation's management-cycle data (see `write_report`'s `cycle`)."""
    cycles = cycles or {}
    _check("organisation", fmt)
    unknown = [c for c in codes if c not in source.registry.organisations]
    if unknown:
        raise ReportError(f"организация с кодом «{unknown[0]}» не найдена в реестре.", usage=True)
    if not codes:
        raise ReportError("в муниципалитете нет организаций: справки не сформированы.")
    stamp = tuple(int(x) for x in source.data_date.isoformat().split("-")) + (0, 0, 0)
    with atomic_output(output) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        def add(n: int, code: str, blob: bytes) -> None:
            info = zipfile.ZipInfo(_entry_name(code, source.registry.organisations[code].name, fmt), stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, blob)
            if progress:
                progress(f"Справки организаций: {code}", n, len(codes))

        if workers <= 1 or len(codes) < 4:
            _worker.update(source=source, texts=load_texts(root), fmt=fmt, charts=charts and fmt != "xlsx",
                           template=docx_template(root, template) if fmt == "docx" else None, cycles=cycles)
            try:
                for n, code in enumerate(codes, 1):
                    add(n, code, _one(code))
            finally:
                _worker.clear()
        else:
            # spawn, not fork: polars and DuckDB threads already run in this process, and a forked copy of
            # their locks can hang a worker forever
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                     initializer=_init_worker,
                                     initargs=(root, results_dir, registry, fmt, template, charts, cycles)) as pool:
                for n, (code, blob) in enumerate(zip(codes, pool.map(_one, codes, chunksize=4), strict=True), 1):
                    add(n, code, blob)
        archive.writestr(zipfile.ZipInfo("README.txt", stamp), _readme(source, codes, fmt).encode("utf-8"))
    return len(codes)


def _readme(source: ReportSource, codes: list[str], fmt: str) -> str:
    lines = ["Справки организаций (МСОКО)", f"Формат: {fmt}", f"Дата расчёта данных: {source.data_date.isoformat()}",
             f"Версия данных и каталога: {digest(source)}", "", "Код\tОрганизация"]
    lines += [f"{c}\t{source.registry.organisations[c].name}" for c in codes]
    return "\n".join(lines) + "\n"

