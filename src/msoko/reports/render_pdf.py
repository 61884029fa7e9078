"""PDF: the same document tree as the DOCX, drawn by fpdf2 with the DejaVu Sans font shipped in this package
(so a machine without system fonts still writes Cyrillic). Headings become PDF bookmarks and the contents
page lists them with page numbers; tables repeat their header row on every page."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TableCellFillMode
from fpdf.fonts import FontFace
from PIL import Image

from msoko.reports.model import Bullets, Chart, Contents, Document, Heading, Paragraph, Table

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
DARK = (31, 58, 95)
GREY = (90, 90, 90)


class _Pdf(FPDF):
    def __init__(self, running_title: str):
        super().__init__(format="A4")
        self.running_title = running_title
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(25, 18, 15)
        self.set_auto_page_break(True, margin=18)

    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font(FAMILY, "", 7)
            self.set_text_color(*GREY)
            self.cell(0, 5, self.running_title, align="R")
            self.ln(8)
            self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        if self.page_no() > 1:
            self.set_y(-13)
            self.set_font(FAMILY, "", 8)
            self.cell(0, 6, str(self.page_no()), align="C")


def _fit(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _toc(pdf: FPDF, outline) -> None:
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FAMILY, "B", 15)
    pdf.set_text_color(*DARK)
    pdf.cell(0, 10, "Содержание", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FAMILY, "", 10)
    for section in outline:
        if section.level > 0:
            continue
        width = pdf.epw - 12
        link = pdf.add_link(page=section.page_number)
        pdf.cell(width, 6.5, _fit(pdf, section.name, width - 2), link=link)
        pdf.cell(12, 6.5, str(section.page_number), align="R", new_x="LMARGIN", new_y="NEXT", link=link)


def _title_page(pdf: FPDF, fields: dict[str, str]) -> None:
    pdf.add_page()
    if fields.get("орган"):
        pdf.set_font(FAMILY, "B", 12)
        pdf.multi_cell(0, 7, fields["орган"], align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.set_font(FAMILY, "", 13)
    pdf.multi_cell(0, 7, fields.get("регион", ""), align="C", new_x="LMARGIN", new_y="NEXT")
    if fields.get("муниципалитет"):
        pdf.multi_cell(0, 7, fields["муниципалитет"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(45)
    pdf.set_font(FAMILY, "B", 18)
    pdf.set_text_color(*DARK)
    pdf.multi_cell(0, 9, fields.get("заголовок", ""), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(6)
    pdf.set_font(FAMILY, "B", 14)
    pdf.multi_cell(0, 8, fields.get("объект", ""), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 11)
    pdf.ln(3)
    pdf.multi_cell(0, 6, f"Уровень: {fields.get('уровень', '')}", align="C", new_x="LMARGIN", new_y="NEXT")
    if fields.get("учебный_год"):
        pdf.multi_cell(0, 6, f"по итогам {fields['учебный_год']}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(-50)
    pdf.set_font(FAMILY, "", 10)
    pdf.multi_cell(0, 6, f"Данные рассчитаны {fields.get('дата_данных', '')}", align="C", new_x="LMARGIN",
                   new_y="NEXT")
    pdf.set_font(FAMILY, "", 8)
    pdf.multi_cell(0, 5, f"Версия данных и каталога: {fields.get('версия_данных', '')}", align="C",
                   new_x="LMARGIN", new_y="NEXT")


def _table(pdf: FPDF, block: Table) -> None:
    if block.caption:
        pdf.set_font(FAMILY, "B", 9)
        pdf.set_text_color(*DARK)
        pdf.multi_cell(0, 5, block.caption, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    size = 7 if len(block.columns) > 5 else 8
    pdf.set_font(FAMILY, "", size)
    widths = block.widths or tuple([1] * len(block.columns))
    heading = FontFace(emphasis="BOLD", fill_color=(230, 236, 244))
    with pdf.table(col_widths=widths, headings_style=heading, line_height=size * 0.5, padding=1,
                   cell_fill_mode=TableCellFillMode.NONE, text_align="LEFT", first_row_as_headings=True) as table:
        row = table.row()
        for title in block.columns:
            row.cell(title)
        for values in block.rows:
            row = table.row()
            for value in values:
                row.cell(value.text, align="RIGHT" if value.is_number else "LEFT")
    pdf.ln(3)


def render_pdf(document: Document, path: Path) -> None:
    pdf = _Pdf(f"{document.fields.get('объект', '')} — информационно-аналитическая справка")
    pdf.set_title(f"{document.fields.get('заголовок', document.title)}: {document.fields.get('объект', '')}")
    pdf.set_subject(document.fields.get("объект", ""))
    pdf.set_author("МСОКО")
    pdf.set_keywords(f"версия данных {document.provenance.get('digest', '')}")
    day = datetime.fromisoformat(document.provenance.get("data_date", "2000-01-01")).replace(tzinfo=UTC)
    pdf.set_creation_date(day)
    _title_page(pdf, document.fields)
    toc_pages = max(1, (len(document.headings(1)) + 35) // 36)
    fresh = False  # on a page just started (the contents placeholder ends with a page break)
    paired = False  # the chart before was drawn with the next one
    for index, block in enumerate(document.blocks):
        if isinstance(block, Contents):
            pdf.add_page()
            pdf.insert_toc_placeholder(_toc, pages=toc_pages, allow_extra_pages=True)
            fresh = True
            continue
        if isinstance(block, Heading):
            if block.level == 1 and not fresh:
                pdf.add_page()
            elif pdf.will_page_break(30):
                pdf.add_page()
            size = {1: 14, 2: 12}.get(block.level, 11)
            pdf.set_font(FAMILY, "B", size)
            pdf.set_text_color(*DARK)
            pdf.start_section(block.text, level=block.level - 1, strict=False)
            pdf.multi_cell(0, size * 0.55, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
            pdf.ln(2)
        elif isinstance(block, Paragraph):
            pdf.set_font(FAMILY, "", 9.5)
            if block.style == "note":
                pdf.set_text_color(*GREY)
            if block.style == "signature":
                pdf.ln(6)
            pdf.set_x(pdf.l_margin)  # a table may leave the cursor elsewhere
            pdf.multi_cell(0, 5, block.text, align="L" if block.style == "signature" else "J", new_x="LMARGIN",
                           new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
            pdf.ln(2)
        elif isinstance(block, Bullets):
            pdf.set_font(FAMILY, "", 9.5)
            for item in block.items:
                pdf.set_x(pdf.l_margin + 3)
                pdf.multi_cell(pdf.epw - 3, 5, f"•  {item}", align="J", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            pdf.ln(1)
        elif isinstance(block, Table) and block.appendix:
            continue  # detail tables live in the XLSX appendix
        elif isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, Chart) and paired:
            paired = False  # drawn beside the chart before it
        elif isinstance(block, Chart):
            following = document.blocks[index + 1] if index + 1 < len(document.blocks) else None
            if isinstance(following, Chart):
                _charts_side_by_side(pdf, block, following)
                paired = True
            else:
                _chart(pdf, block)
        fresh = False
    pdf.output(str(path))


def _caption(pdf: FPDF, text: str, width: float) -> None:
    pdf.set_font(FAMILY, "B", 8.5)
    pdf.set_text_color(*DARK)
    pdf.multi_cell(width, 4.5, text, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _chart(pdf: FPDF, chart: Chart) -> None:
    width = min(chart.width_cm * 10, pdf.epw)
    pdf.image(io.BytesIO(chart.png), x=pdf.l_margin + (pdf.epw - width) / 2, w=width)
    pdf.set_x(pdf.l_margin)
    _caption(pdf, chart.caption, pdf.epw)
    pdf.ln(3)


def _charts_side_by_side(pdf: FPDF, left: Chart, right: Chart) -> None:
    """Two charts of one section in a row, half the width each: a system's comparison and its dynamics on
    one line instead of a page each (a municipality's справка must fit 40 pages)."""
    gap = 4.0
    width = (pdf.epw - gap) / 2
    heights = [width * h / w for w, h in (Image.open(io.BytesIO(c.png)).size for c in (left, right))]
    if pdf.will_page_break(max(heights) + 14):
        pdf.add_page()
    top = pdf.get_y()
    bottoms = []
    for n, (chart, height) in enumerate(zip((left, right), heights, strict=True)):
        x = pdf.l_margin + n * (width + gap)
        pdf.image(io.BytesIO(chart.png), x=x, y=top, w=width)
        pdf.set_xy(x, top + height + 1)
        _caption(pdf, chart.caption, width)
        bottoms.append(pdf.get_y())
    pdf.set_xy(pdf.l_margin, max(bottoms) + 3)
