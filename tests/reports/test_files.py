"""Each generated file opened by its own reader: the figures in its text and tables equal the stored values
as `msoko export indicators` prints them, the structure is what the справка must have."""

from __future__ import annotations

import re
import subprocess

import pytest
from docx import Document as open_docx
from openpyxl import load_workbook

from msoko.engine.catalog import default_catalog

LEVELS = ("region", "municipality", "organisation")
SENTENCE = re.compile(r"Значение показателя «(.+?)» в (\d{4}) г\. — (−?[\d ]+(?:,\d+)?)( %| балла| баллов| балл)?")
NUMBER = re.compile(r"^(−?[\d ]+(?:,\d+)?)( %| балла| баллов| балл)?$")


def parse(text: str) -> float:
    """A number as the report prints it: «1 234,5 %» → 1234.5 (spaces of any kind, decimal comma, true minus)."""
    clean = re.sub(r"\s", "", text).replace("−", "-").replace(",", ".").rstrip("%")
    return float(re.sub(r"[^\d.\-]", "", clean))


def names() -> dict[str, str]:
    """Indicator name as a report quotes it (inner «» turned to „“) → code."""
    return {i.name.replace("«", "„").replace("»", "“"): i.code for i in default_catalog().indicators}


def shown_equals(text: str, stored: float, code: str) -> bool:
    """The printed figure is the stored value rounded as printed: a share in percent with one decimal."""
    kind = str(default_catalog().indicator(code).kind)
    value = parse(text)
    digits = len(text.split(",")[1].split()[0]) if "," in text else 0
    expected = stored * 100 if kind == "share" else stored
    return abs(value - expected) <= 0.5 * 10 ** -digits + 1e-9


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def pdf_text(path) -> str:
    """The PDF's text without its page furniture: pdftotext may put a page's number and the next page's
    running header in the middle of a paragraph that continues over the page break."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = []
    for number, page in enumerate(text.split("\f"), start=1):
        lines = page.split("\n")
        if lines and lines[0].endswith("информационно-аналитическая справка"):
            lines = lines[1:]
        if str(number) in lines:
            lines.remove(str(number))
        pages.append("\n".join(lines))
    return "\n".join(pages)


def check_sentences(text: str, level: str, code: str, exported) -> int:
    by_name = names()
    checked = 0
    for match in SENTENCE.finditer(normal(text)):
        indicator = by_name[match.group(1)]
        stored = exported[(level, code, indicator, int(match.group(2)))]
        assert shown_equals(match.group(3), stored, indicator), (indicator, match.group(0), stored)
        checked += 1
    return checked


def computed_for(exported, level: str, code: str) -> set[str]:
    latest = max(y for (lv, c, _, y) in exported if lv == level and c == code)
    return {ind for (lv, c, ind, y) in exported if lv == level and c == code and y == latest}


@pytest.mark.parametrize("level", LEVELS)
def test_the_docx_has_word_headings_for_every_system_and_its_figures_equal_the_stored_values(
        level, reports, subjects, exported):
    doc = open_docx(str(reports[(level, "docx")]))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    for system in default_catalog().systems:
        assert any(h.startswith(f"{system.code} ") for h in headings), system.code
    for title in ("ШНОР", "Объективность", "Проблемные зоны", "Приложение 1", "Приложение 2"):
        assert any(title in h for h in headings), title
    code = subjects[level]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert check_sentences(text, level, code, exported) == len(computed_for(exported, level, code))
    summary = [t for t in doc.tables if len(t.columns) > 2 and t.rows[0].cells[0].text == "Код" and
               t.rows[0].cells[2].text.startswith("Значение, ")]
    assert summary
    rows = 0
    for table in summary:
        year = int(table.rows[0].cells[2].text.split(", ")[1])
        for row in table.rows[1:]:
            indicator, value = row.cells[0].text, row.cells[2].text
            assert shown_equals(value, exported[(level, code, indicator, year)], indicator), (indicator, value)
            rows += 1
    assert rows == len(computed_for(exported, level, code))


@pytest.mark.parametrize("level", LEVELS)
def test_the_xlsx_stores_the_very_values_as_numbers_a_sheet_per_section(level, reports, subjects, exported):
    wb = load_workbook(reports[(level, "xlsx")])
    for system in default_catalog().systems:
        assert f"Система {system.code}" in wb.sheetnames
    assert {"Титул", "ШНОР и ШНСУ", "Объективность", "Рекомендации", "Паспорта", "Версии данных"} <= set(wb.sheetnames)
    code, checked = subjects[level], set()
    for sheet in (wb[name] for name in wb.sheetnames if name.startswith("Система ")):
        year = None
        for row in sheet.iter_rows(values_only=True):
            if row[0] == "Код" and isinstance(row[2], str) and row[2].startswith("Значение, "):
                year = int(row[2].split(", ")[1])
            elif year and row[0] and (level, code, row[0], year) in exported:
                assert isinstance(row[2], int | float) and not isinstance(row[2], bool)
                assert row[2] == pytest.approx(exported[(level, code, row[0], year)], rel=1e-12, abs=1e-15)
                checked.add(row[0])
    assert checked == computed_for(exported, level, code)
    for sheet in wb.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in row)


@pytest.mark.parametrize("level", LEVELS)
def test_the_pdf_says_the_same_figures(level, reports, subjects, exported):
    text = pdf_text(reports[(level, "pdf")])
    code = subjects[level]
    assert check_sentences(text, level, code, exported) == len(computed_for(exported, level, code))
    assert "Содержание" in text and "Приложение 1. Паспорта использованных показателей" in normal(text)


def test_the_docx_and_the_pdf_have_the_same_paragraph_figures(reports):
    doc = open_docx(str(reports[("municipality", "docx")]))
    docx_sentences = SENTENCE.findall(normal("\n".join(p.text for p in doc.paragraphs)))
    assert SENTENCE.findall(normal(pdf_text(reports[("municipality", "pdf")]))) == docx_sentences


def test_the_report_records_the_data_and_catalog_versions_it_used(reports, demo_home):
    import json

    doc = open_docx(str(reports[("organisation", "docx")]))
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    results = json.loads((demo_home / "results" / "indicators" / "manifest.json").read_text(encoding="utf-8"))
    for run in {s["run"] for years in results["active"].values() for s in years.values()}:
        assert run in text
    warehouse = json.loads((demo_home / "warehouse" / "manifest.json").read_text(encoding="utf-8"))
    for version in warehouse["datasets"]["vpr"].values():
        assert version in text
    detection = json.loads((demo_home / "results" / "detection" / "CURRENT.json").read_text(encoding="utf-8"))
    assert detection["run"] in text
    ratings = json.loads((demo_home / "results" / "ratings" / "CURRENT.json").read_text(encoding="utf-8"))
    assert ratings["run"] in text
    digest = doc.core_properties.keywords.split()[-1]
    assert len(digest) == 12 and digest in text


def test_the_same_workspace_state_gives_the_same_content(demo_home, subjects):
    from msoko.core.workspace import Workspace
    from msoko.reports import ReportSource, build_report
    from msoko.reports.templates import load_texts

    ws = Workspace(demo_home)
    first = build_report(ReportSource.load(ws), "municipality", subjects["municipality"], load_texts(ws.root),
                         charts=False)
    again = build_report(ReportSource.load(ws), "municipality", subjects["municipality"], load_texts(ws.root),
                         charts=False)
    assert first.text() == again.text()
    assert first.provenance == again.provenance
