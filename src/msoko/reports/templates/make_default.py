"""Write the shipped DOCX template `spravka.docx` (run: `python -m msoko.reports.templates.make_default [FILE]`).

The template is an ordinary Word document an administrator may open and change: fonts and sizes of the
styles, margins, the header and footer, the title page and its wording. Fields are written `{{name}}`
(see `FIELDS`); the report body goes where the paragraph `{{содержание}}` stands.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from msoko.reports.templates import BODY_FIELD, DOCX_NAME, SHIPPED

FONT = "Times New Roman"


def _font(style, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    if color is not None:
        style.font.color.rgb = color
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _page_number(paragraph) -> None:
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def make(path: Path) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.different_first_page_header_footer = True
    styles = doc.styles
    _font(styles["Normal"], 12)
    styles["Normal"].paragraph_format.space_after = Pt(6)
    styles["Normal"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    dark = RGBColor(0x1F, 0x3A, 0x5F)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 13), ("Heading 3", 12)):
        _font(styles[name], size, bold=True, color=dark)
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Heading 1"].paragraph_format.page_break_before = True
    _font(styles["Caption"], 10, bold=True, color=dark)
    styles["Caption"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    def centred(text: str, size: float = 12, bold: bool = False, space: float = 6):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(space)
        run = paragraph.add_run(text)
        run.font.size, run.bold = Pt(size), bold
        return paragraph

    centred("{{орган}}", 13, bold=True, space=4)
    centred("{{регион}}", 14, space=4)
    centred("{{муниципалитет}}", 12, space=120)
    doc.add_paragraph("{{заголовок}}", style="Title")
    centred("{{объект}}", 16, bold=True, space=12)
    centred("Уровень: {{уровень}}", 12)
    centred("по итогам {{учебный_год}}", 12, space=200)
    centred("Данные рассчитаны {{дата_данных}}", 11, space=2)
    centred("Версия данных и каталога: {{версия_данных}}", 9)  # Heading 1 (the contents) starts a new page
    doc.add_paragraph("{{" + BODY_FIELD + "}}")
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = header.add_run("{{объект}} — информационно-аналитическая справка")
    run.font.size = Pt(8)
    props = doc.core_properties
    props.author, props.title, props.revision = "МСОКО", "Шаблон аналитической справки", 1
    props.created = props.modified = props.last_printed = datetime(2026, 1, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


if __name__ == "__main__":
    print(make(Path(sys.argv[1]) if len(sys.argv) > 1 else SHIPPED / DOCX_NAME))
