"""One way to turn an evaluation document tree into bytes, through the reports' own renderers."""

from __future__ import annotations

import tempfile
from pathlib import Path

from msoko.reports.model import Document
from msoko.reports.render_docx import render_docx
from msoko.reports.render_pdf import render_pdf
from msoko.reports.render_xlsx import render_xlsx
from msoko.reports.templates import DOCX_NAME, SHIPPED

FORMATS = ("docx", "pdf")


def to_bytes(document: Document, fmt: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"document.{fmt}"
        if fmt == "docx":
            render_docx(document, path, SHIPPED / DOCX_NAME)
        elif fmt == "pdf":
            render_pdf(document, path)
        elif fmt == "xlsx":
            render_xlsx(document, path)
        else:
            raise ValueError(f"unknown format {fmt}")
        return path.read_bytes()


def write(document: Document, fmt: str, output: Path) -> None:
    """Written aside and renamed into place: a failure leaves nothing behind."""
    data = to_bytes(document, fmt)
    tmp = output.with_name(f".{output.name}.part")
    tmp.write_bytes(data)
    tmp.replace(output)
