"""DOCX: the document tree into a copy of the DOCX template (python-docx).

The template gives the styles (Title, Heading 1–3, Normal, List Bullet, Caption, Table Grid), the page set-up,
header and footer, and the title page; `{{field}}` marks are filled in and the body replaces the paragraph
holding `{{содержание}}` (appended at the end when the template has none). Headings are real Word headings,
tables real tables with a repeated header row, the contents a TOC field (Word and LibreOffice refresh its
page numbers; its cached text already lists the sections).
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

from docx import Document as open_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from msoko.reports.model import Bullets, Chart, Contents, Document, Heading, Paragraph, Table
from msoko.reports.templates import BODY_FIELD

FIELD = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
TEXT_WIDTH_CM = 16.5


def _fill(paragraph, fields: dict[str, str]) -> bool:
    """Replace `{{field}}` marks in one paragraph; True when it holds the body mark."""
    text = "".join(run.text for run in paragraph.runs)
    if "{{" not in text:
        return False
    if FIELD.fullmatch(text.strip()) and FIELD.fullmatch(text.strip()).group(1) == BODY_FIELD:
        return True
    filled = FIELD.sub(lambda m: fields.get(m.group(1), m.group(0)), text)
    if filled != text and paragraph.runs:
        paragraph.runs[0].text = filled
        for run in paragraph.runs[1:]:
            run.text = ""
    return False


def _paragraphs(doc):
    yield from doc.paragraphs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            yield from part.paragraphs


def _style(doc, name: str, fallback: str = "Normal"):
    """A style of the template (looked up once per document: python-docx searches the styles each time)."""
    cache = doc.__dict__.setdefault("_msoko_styles", {})
    if name not in cache:
        try:
            cache[name] = doc.styles[name]
        except KeyError:
            cache[name] = doc.styles[fallback]
    return cache[name]


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    props.append(mark)


def _table(doc, block: Table) -> None:
    if block.caption:
        doc.add_paragraph(block.caption, style=_style(doc, "Caption"))
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = _style(doc, "Table Grid", "Normal Table")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(block.widths) if block.widths else len(block.columns)
    widths = [Cm(TEXT_WIDTH_CM * (w / total)) for w in (block.widths or [1] * len(block.columns))]
    size = Pt(8) if len(block.columns) > 5 else Pt(9)
    header = table.rows[0]
    _repeat_header(header)
    for i, title in enumerate(block.columns):
        cell = header.cells[i]
        cell.width = widths[i]
        run = cell.paragraphs[0].add_run(title)
        run.bold, run.font.size = True, size
    for values in block.rows:
        cells = table.add_row().cells
        for i, value in enumerate(values):
            cells[i].width = widths[i]
            paragraph = cells[i].paragraphs[0]
            paragraph.add_run(value.text).font.size = size
            if value.is_number:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()


def _contents(doc, headings: list[Heading]) -> None:
    doc.add_paragraph("Содержание", style=_style(doc, "TOC Heading", "Heading 1"))
    first = doc.add_paragraph()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-1" \\h \\z \\u'
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    for element in (begin, instr, separate):
        run = first.add_run()
        run._r.append(element)
    paragraph = first
    for n, heading in enumerate(headings):
        if n:
            paragraph = doc.add_paragraph()
        paragraph.add_run(heading.text)
        if heading.level > 1:
            paragraph.paragraph_format.left_indent = Cm(0.75)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)


def render_docx(document: Document, path: Path, template: Path) -> None:
    doc = open_docx(str(template))
    marker = None
    for paragraph in list(_paragraphs(doc)):
        if _fill(paragraph, document.fields) and marker is None:
            marker = paragraph
    body = doc.element.body
    before = len(body) - (1 if len(body) and body[-1].tag == qn("w:sectPr") else 0)  # new blocks go before sectPr
    for block in document.blocks:
        if isinstance(block, Heading):
            doc.add_paragraph(block.text, style=_style(doc, f"Heading {min(block.level, 3)}"))
        elif isinstance(block, Paragraph):
            paragraph = doc.add_paragraph(block.text)
            if block.style == "note":
                for run in paragraph.runs:
                    run.italic = True
            elif block.style == "signature":
                paragraph.paragraph_format.space_before = Pt(18)
                paragraph.paragraph_format.keep_with_next = True
        elif isinstance(block, Bullets):
            for item in block.items:
                doc.add_paragraph(item, style=_style(doc, "List Bullet"))
        elif isinstance(block, Table) and block.appendix:
            continue  # detail tables live in the XLSX appendix
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Chart):
            doc.add_picture(io.BytesIO(block.png), width=Cm(min(block.width_cm, TEXT_WIDTH_CM)))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            doc.add_paragraph(block.caption, style=_style(doc, "Caption"))
        elif isinstance(block, Contents):
            _contents(doc, document.headings())
    if marker is not None:
        added = [el for el in list(body)[before:] if el.tag != qn("w:sectPr")]
        for element in added:
            marker._p.addprevious(element)
        marker._p.getparent().remove(marker._p)
    props = doc.core_properties
    props.title = f"{document.fields.get('заголовок', document.title)}: {document.fields.get('объект', '')}"
    props.subject = document.fields.get("объект", "")
    props.author = "МСОКО"
    props.keywords = f"версия данных {document.provenance.get('digest', '')}"
    props.comments = _provenance_note(document.provenance)
    props.revision = 1
    stamp = datetime.strptime(document.provenance.get("data_date", "2000-01-01"), "%Y-%m-%d")
    props.created = props.modified = props.last_printed = stamp
    doc.save(str(path))


def _provenance_note(provenance: dict) -> str:
    catalog = provenance.get("catalog", {})
    return (f"digest={provenance.get('digest', '')}; result_runs={','.join(provenance.get('result_runs', []))}; "
            f"detection_run={provenance.get('detection_run') or ''}; catalog={catalog.get('source', '')}:"
            f"{catalog.get('fingerprint', '')}")
