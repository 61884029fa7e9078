"""Documents of the cycle: which files are accepted, and what the evaluation looks for in them (seed 003).

Accepted: PDF, DOCX, XLSX, ODT, ODS and RTF up to `MAX_MB` megabytes — the extension must be on the list
AND the content must be of that type (PDF and RTF by their signature, the zip formats by the member that
names their type). Files are stored under the workspace's `uploads/cycle/` with a random name and are given
back only by the scoped download view, as an attachment.

Required attributes (seed 003, «документ должен содержать сведения о принимаемых управленческих решениях
(в том числе о поощрении), сроках реализации управленческих решений, об ответственных и об участниках»):
every document needs a date; procedural and management documents a number; management documents the
decisions, deadlines, responsible persons and participants; procedural ones the participants (addressees).
The text of PDF, DOCX, ODT, XLSX, ODS and RTF files is scanned for the words that usually carry each attribute,
as a hint when the card misses one; zip members are read through a bounded stream (their first
`TEXT_BYTES`), RTF files to their first 2 MB. A PDF's text layer is read by pypdf, its first `PDF_PAGES` pages only (an
order or a plan states its decisions, deadlines and responsible persons there); a scan without a text layer
gives no hints.
"""

from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path

from pypdf import PdfReader

MAX_MB = 20
PDF_PAGES = 30  # pages of a PDF whose text is read for the hints
# A zip member is read as a stream and only its first TEXT_BYTES (decompressed) are scanned: a document
# states its decisions, deadlines and responsible persons near the top, and a 1 MB file that inflates to
# 1 GiB (a zip bomb) then costs milliseconds and a few megabytes instead of minutes and gigabytes.
TEXT_BYTES = 4 * 1024 * 1024
CHUNK = 256 * 1024
SIGNATURE_BYTES = 256  # enough of an ODF `mimetype` member to compare
MAX_BYTES = MAX_MB * 1024 * 1024
ALLOWED = {".pdf", ".docx", ".xlsx", ".odt", ".ods", ".rtf"}
ZIP_MEMBERS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
ODF_TYPES = {".odt": b"application/vnd.oasis.opendocument.text",
             ".ods": b"application/vnd.oasis.opendocument.spreadsheet"}
TEXT_MEMBERS = {".docx": ("word/document.xml",), ".xlsx": ("xl/sharedStrings.xml",),
                ".odt": ("content.xml",), ".ods": ("content.xml",)}
CONTENT_TYPES = {".pdf": "application/pdf",
                 ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 ".odt": "application/vnd.oasis.opendocument.text",
                 ".ods": "application/vnd.oasis.opendocument.spreadsheet", ".rtf": "application/rtf"}

ATTRIBUTES = {"number": "номер", "date": "дата", "decisions": "принимаемые решения", "deadlines": "сроки реализации",
              "responsible": "ответственные", "participants": "участники"}
REQUIRED = {
    "conceptual": ("date",),
    "procedural": ("number", "date", "participants"),
    "management": ("number", "date", "decisions", "deadlines", "responsible", "participants"),
}
MARKERS = {
    "decisions": re.compile(r"приказыва|решени|утверд|поручит|поощр", re.I),
    "deadlines": re.compile(r"срок|\bдо \d{1,2}\.\d{2}\.\d{2,4}|\d{1,2}\.\d{2}\.\d{4}", re.I),
    "responsible": re.compile(r"ответственн", re.I),
    "participants": re.compile(r"участник|участвуют|в составе|состав рабочей", re.I),
}


def _head(upload, size: int = 8) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _zip_ok(upload, suffix: str) -> bool:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if suffix in ZIP_MEMBERS:
                return ZIP_MEMBERS[suffix] in names
            if "mimetype" not in names or archive.getinfo("mimetype").file_size > SIGNATURE_BYTES:
                return False  # an ODF `mimetype` is the type's name alone
            with archive.open("mimetype") as member:  # bounded: the member may claim to be huge
                return member.read(SIGNATURE_BYTES).strip() == ODF_TYPES[suffix]
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
    finally:
        upload.seek(0)


def check(name: str, size: int, upload) -> str | None:
    """A Russian message when the file is refused, else None."""
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        return (f"Файлы «{suffix or 'без расширения'}» не принимаются; допустимы: "
                f"{', '.join(sorted(ALLOWED))}.")
    if size > MAX_BYTES:
        return f"Файл больше допустимых {MAX_MB} МБ."
    if size == 0:
        return "Файл пустой."
    head = _head(upload)
    ok = {".pdf": head.startswith(b"%PDF-"), ".rtf": head.startswith(b"{\\rtf")}.get(suffix)
    if ok is None:
        ok = head.startswith(b"PK\x03\x04") and _zip_ok(upload, suffix)
    if not ok:
        return f"Содержимое файла не соответствует расширению «{suffix}» — файл не принят."
    return None


def _pdf_text(path: Path) -> str | None:
    """The text layer of the first `PDF_PAGES` pages; None when the file cannot be read (a damaged or
    password-protected PDF is still accepted, it only gives no hints)."""
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        return " ".join(page.extract_text() or "" for page in reader.pages[:PDF_PAGES])
    except Exception as error:  # noqa: BLE001 — a malformed PDF can raise almost anything inside pypdf
        # (its own errors, KeyError, AttributeError, RecursionError…); a hint is not worth failing an upload
        logging.getLogger(__name__).info("PDF text not read (%s): %s", path.name, error)
        return None


def text_of(path: Path) -> str | None:
    """The file's text for the hints, or None when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf_text(path)
    try:
        if suffix == ".rtf":
            raw = path.read_bytes()[:2_000_000].decode("cp1251", errors="ignore")
            return re.sub(r"\\'([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]).decode("cp1251", "ignore"), raw)
        if suffix in TEXT_MEMBERS:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                parts = [_bounded(archive, m) for m in TEXT_MEMBERS[suffix] if m in names]
            return re.sub(r"<[^>]+>", " ", " ".join(parts))
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError):
        return None  # damaged or unusual archives only give no hints
    return None


def _bounded(archive: zipfile.ZipFile, name: str) -> str:
    """The first TEXT_BYTES of a member, decompressed chunk by chunk (never the whole member)."""
    chunks, left = [], TEXT_BYTES
    with archive.open(name) as member:
        while left > 0:
            chunk = member.read(min(CHUNK, left))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    return b"".join(chunks).decode("utf-8", errors="ignore")


def markers(text: str | None) -> list[str]:
    if not text:
        return []
    return [key for key, pattern in MARKERS.items() if pattern.search(text)]


def missing(document) -> list[dict]:
    """Attributes the document's kind requires that its card lacks; `hint` when the file mentions one."""
    out = []
    for key in REQUIRED.get(document.kind, ()):
        value = getattr(document, key)
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            out.append({"key": key, "name": ATTRIBUTES[key], "hint": key in (document.markers or [])})
    return out


def attachment(stored, original_name: str, stem: str):
    """A stored upload sent back as a download under the name it was uploaded with (`stem` + its suffix when
    there is none), with the content type its suffix allows and no sniffing."""
    from django.http import FileResponse

    suffix = "." + stored.name.rsplit(".", 1)[-1].lower() if "." in stored.name else ""
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=original_name or f"{stem}{suffix}",
                            content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"))
    response["X-Content-Type-Options"] = "nosniff"
    return response

