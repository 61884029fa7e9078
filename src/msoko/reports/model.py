"""The report as one document tree, built once from data and rendered by every format (DOCX, PDF, XLSX).

A `Document` is a title page (`fields`, the values a template can place), then a flat list of blocks:
headings (level 1 starts a section; its `sheet` names the XLSX sheet the section's tables go to),
paragraphs, bullet lists, tables and charts. A table cell keeps the stored number (`value`) next to its
Russian text (`text`), so a spreadsheet stores numbers as numbers and the text renderers print the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cell:
    text: str
    value: float | int | str | None = None  # the stored figure (a share as a fraction 0–1), None for text
    number_format: str | None = None  # XLSX format of `value`: "0.0%", "0.00", "0"

    @property
    def is_number(self) -> bool:
        return isinstance(self.value, int | float) and not isinstance(self.value, bool)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1
    sheet: str | None = None  # level 1 only: the XLSX sheet of this section


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # body | note | lead | signature


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    widths: tuple[float, ...] = ()  # relative column widths
    appendix: bool = False  # a detail table: written to the XLSX (the справка's appendix) only


@dataclass(frozen=True)
class Chart:
    png: bytes
    caption: str
    width_cm: float = 16.0
    height_cm: float | None = None


@dataclass(frozen=True)
class Contents:
    """Where the table of contents goes (each renderer fills it from the headings)."""


Block = Heading | Paragraph | Bullets | Table | Chart | Contents


@dataclass
class Document:
    title: str
    fields: dict[str, str]  # template fields of the title page (documented in docs/reports.ru.md)
    blocks: list[Block] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)  # data and catalog versions the report was built from

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def headings(self, max_level: int = 1) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading) and b.level <= max_level]

    def text(self) -> str:
        """Every word of the document in order (title fields, paragraphs, tables): for tests and diffs."""
        out = [f"{k}: {v}" for k, v in sorted(self.fields.items())]
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph):
                out.append(block.text)
            elif isinstance(block, Bullets):
                out.extend(block.items)
            elif isinstance(block, Table):
                out.append(" | ".join(block.columns))
                out.extend(" | ".join(c.text for c in row) for row in block.rows)
            elif isinstance(block, Chart):
                out.append(block.caption)
        return "\n".join(out)
