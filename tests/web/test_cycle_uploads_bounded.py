"""Cycle documents are read through a bounded stream (issue 14, item 8): a 1 MB DOCX that unzips to 1 GiB
gives its hints from the first megabytes in well under a few seconds and never holds the gigabyte."""

from __future__ import annotations

import time
import tracemalloc
import zipfile

from msoko.web.cycle import uploads

GIB = 1024 ** 3
HEAD = "<w:document><w:body><w:p><w:t>Приказываю утвердить план; ответственный — завуч</w:t></w:p>"


def _bomb(path, suffix_member: str, total: int = GIB):
    """A zip whose text member is `HEAD` followed by `total` bytes of blanks (≈1 MB compressed)."""
    chunk = b" " * (4 * 1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(suffix_member, "w", force_zip64=True) as member:
            member.write(HEAD.encode("utf-8"))
            for _ in range(total // len(chunk)):
                member.write(chunk)
    return path


def test_a_docx_zip_bomb_is_read_quickly_within_a_bounded_memory(tmp_path):
    path = _bomb(tmp_path / "bomb.docx", "word/document.xml")
    assert path.stat().st_size < 8 * 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    try:
        text = uploads.text_of(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert elapsed < 3, elapsed
    assert peak < 200 * 1024 * 1024, peak
    assert text is not None and {"decisions", "responsible"} <= set(uploads.markers(text))


def test_an_ods_whose_mimetype_member_is_a_bomb_is_refused_quickly(tmp_path):
    path = tmp_path / "bomb.ods"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("mimetype", "w", force_zip64=True) as member:
            member.write(uploads.ODF_TYPES[".ods"])
            for _ in range(64):
                member.write(b" " * (4 * 1024 * 1024))
        archive.writestr("content.xml", "<office:document-content/>")
    started = time.perf_counter()
    with path.open("rb") as upload:
        message = uploads.check(path.name, path.stat().st_size, upload)
    assert time.perf_counter() - started < 3
    assert message is not None and "не соответствует" in message


def test_an_ordinary_docx_still_gives_its_hints(tmp_path):
    path = _bomb(tmp_path / "plain.docx", "word/document.xml", total=0)
    assert {"decisions", "responsible"} <= set(uploads.markers(uploads.text_of(path)))
