"""The expert conclusion on one municipality: scores by system, track and position against the maximum, the
level, strengths and risks with what they rest on, a recommendation per weak position, the experts and the
chair, the chair's decisions with their reasons, and a signature block."""

from __future__ import annotations

from msoko.reports.evaluation.data import ConclusionData, PositionLine
from msoko.reports.model import Bullets, Cell, Document, Heading, Paragraph, Table

STATUS_RU = {"agreed": "согласовано", "decided": "решение председателя", "disputed": "расхождение не разрешено",
             "pending": "не оценено"}


def fmt_score(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}".replace(".", ",")


def fmt_percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")


def weak(line: PositionLine) -> bool:
    return line.score is not None and line.score * 2 < line.max_score


def strong(line: PositionLine) -> bool:
    return line.score is not None and line.score == line.max_score


def recommendation(line: PositionLine) -> str:
    if line.missed:
        todo = "; ".join(m[0].lower() + m[1:] for m in line.missed)
        return f"Позиция {line.code} «{line.name}»: обеспечить — {todo}."
    return f"Позиция {line.code} «{line.name}»: дополнить меры и их описание в управленческом цикле."


def build_conclusion(data: ConclusionData) -> Document:
    doc = Document(title="Экспертное заключение", fields={
        "заголовок": "Экспертное заключение по итогам оценки муниципальных механизмов управления качеством "
                     "образования",
        "объект": data.municipality, "уровень": "муниципалитет", "регион": data.region,
        "муниципалитет": data.municipality, "учебный_год": f"{data.year} года",
        "дата_данных": data.dated, "версия_данных": f"рубрика {data.rubric_version} ({data.rubric_digest})"},
        provenance={"digest": data.rubric_digest})
    total = data.totals[-1]
    doc.add(Heading("Итоговая оценка", 1),
            Paragraph(f"Муниципалитет «{data.municipality}» набрал {fmt_score(total.score)} из {total.max_score} "
                      f"баллов ({fmt_percent(total.percent)}); уровень — {total.level or 'не определён'}."),
            Table(("Система", "Балл", "Максимум", "Доля", "Уровень"),
                  tuple((Cell(f"{t.key} {t.name}" if t.key != "total" else "Итого"),
                         Cell(fmt_score(t.score), t.score), Cell(str(t.max_score), t.max_score),
                         Cell(fmt_percent(t.percent), None if t.percent is None else t.percent / 100, "0.0%"),
                         Cell(t.level or "—")) for t in data.totals),
                  caption="Баллы по системам", widths=(5, 1, 1, 1, 1.3)),
            Paragraph(f"Правило расчёта: {data.rule}. Границы уровней: {data.levels_source}", "note"))
    doc.add(Heading("Баллы по позициям оценивания", 1))
    current = None
    for line in data.positions:
        if line.system != current:
            current = line.system
            rows = [p for p in data.positions if p.system == current]
            doc.add(Heading(f"{line.system} {line.system_name}", 2),
                    Table(("Трек", "Позиция", "Балл", "Максимум", "Результат"),
                          tuple((Cell(p.track_name), Cell(f"{p.code} {p.name}"), Cell(fmt_score(p.score), p.score),
                                 Cell(str(p.max_score), p.max_score), Cell(STATUS_RU.get(p.status, p.status)))
                                for p in rows), widths=(2.5, 5, 0.8, 0.9, 1.5)))
    strengths = [p for p in data.positions if strong(p)]
    risks = [p for p in data.positions if weak(p)]
    doc.add(Heading("Сильные стороны", 1))
    doc.add(Bullets(tuple(f"{p.code} «{p.name}» — {fmt_score(p.score)} из {p.max_score}"
                          + (f". Основание: {'; '.join(p.evidence[:3])}" if p.evidence else "") for p in strengths))
            if strengths else Paragraph("Позиций с максимальным баллом нет."))
    doc.add(Heading("Риски", 1))
    doc.add(Bullets(tuple(f"{p.code} «{p.name}» — {fmt_score(p.score)} из {p.max_score}"
                          + (f". Эксперты: {' / '.join(p.comments)}" if p.comments else "")
                          + (f". Основание: {'; '.join(p.evidence[:3])}" if p.evidence else
                             ". В управленческом цикле муниципалитета нет записей по позиции") for p in risks))
            if risks else Paragraph("Позиций с баллом ниже половины максимума нет."))
    doc.add(Heading("Рекомендации", 1))
    doc.add(Bullets(tuple(recommendation(p) for p in risks)) if risks
            else Paragraph("Рекомендации по слабым позициям не требуются."))
    if data.decisions or data.appeals:
        doc.add(Heading("Решения председателя и апелляции", 1))
        if data.decisions:
            doc.add(Bullets(tuple(f"Позиция {code} (раунд {rnd}): {reason}" for code, reason, rnd in data.decisions)))
        for rnd, text in data.appeals:
            doc.add(Paragraph(f"Апелляция (раунд пересмотра № {rnd}): {text}"))
    doc.add(Heading("Эксперты и председатель", 1),
            Table(("Роль", "Кто", "Подпись"),
                  tuple((Cell("Эксперт"), Cell(e), Cell("________________")) for e in data.experts)
                  + ((Cell("Председатель"), Cell(data.chair or "—"), Cell("________________")),),
                  widths=(1.5, 4, 2)),
            Paragraph(f"Дата: {data.dated}", "note"))
    return doc
