"""The regional справки of a campaign: statistical (XLSX, every municipality × position) and analytical
(DOCX/PDF: levels, weakest positions, comparison with last year, the ranking with ties, the agreement of the
experts, and the link between МУМ scores and outcome indicators — seed 003 goal 3, seed 001 §4.2)."""

from __future__ import annotations

from collections import Counter

from msoko.engine.evaluation.correlation import spearman
from msoko.reports.evaluation.conclusion import fmt_percent, fmt_score
from msoko.reports.evaluation.data import CampaignData
from msoko.reports.model import Bullets, Cell, Document, Heading, Paragraph, Table


def _fields(data: CampaignData, title: str) -> dict[str, str]:
    return {"заголовок": title, "объект": data.region, "уровень": "регион", "регион": data.region,
            "муниципалитет": "", "учебный_год": f"{data.year} года", "дата_данных": data.dated,
            "версия_данных": f"рубрика {data.rubric_version}"}


def build_statistical(data: CampaignData) -> Document:
    doc = Document(title="Статистическая справка", fields=_fields(
        data, "Статистическая справка по итогам оценки муниципальных механизмов управления качеством образования"),
        provenance={"digest": data.rubric_version})
    if not data.municipalities:
        doc.add(Heading("Баллы", 1, sheet="Баллы"), Paragraph("Нет муниципалитетов."))
        return doc
    positions = data.municipalities[0].positions
    columns = ("Код", "Муниципалитет", *[p.code for p in positions], *[f"Σ {s[0]}" for s in data.systems], "Итого",
               "Доля", "Уровень", "Место")
    rows = []
    for m in data.municipalities:
        total = m.totals[-1]
        rows.append((Cell(m.municipality_code), Cell(m.municipality),
                     *[Cell(fmt_score(p.score), p.score) for p in m.positions],
                     *[Cell(fmt_score(t.score), t.score) for t in m.totals[:-1]],
                     Cell(fmt_score(total.score), total.score),
                     Cell(fmt_percent(total.percent), None if total.percent is None else total.percent / 100, "0.0%"),
                     Cell(total.level or "—"),
                     Cell(str(data.ranks.get(m.municipality_code) or "—"), data.ranks.get(m.municipality_code))))
    maxima = (Cell("max"), Cell("Максимальный балл"), *[Cell(str(p.max_score), p.max_score) for p in positions],
              *[Cell(str(s[2]), s[2]) for s in data.systems],
              Cell(str(data.municipalities[0].totals[-1].max_score), data.municipalities[0].totals[-1].max_score),
              Cell(""), Cell(""), Cell(""))
    doc.add(Heading("Баллы по позициям", 1, sheet="Баллы"), Table(columns, (maxima, *rows)))
    doc.add(Heading("Позиции рубрики", 1, sheet="Позиции"),
            Table(("Код", "Система", "Трек", "Позиция", "Максимум"),
                  tuple((Cell(p.code), Cell(p.system), Cell(p.track_name), Cell(p.name), Cell(str(p.max_score),
                                                                                              p.max_score))
                        for p in positions)))
    return doc


def build_analytical(data: CampaignData) -> Document:
    doc = Document(title="Аналитическая справка", fields=_fields(
        data, "Аналитическая справка по итогам оценки муниципальных механизмов управления качеством образования"),
        provenance={"digest": data.rubric_version})
    munis = data.municipalities
    totals = [m.totals[-1] for m in munis]
    levels = Counter(t.level or "не определён" for t in totals)
    doc.add(Heading("Распределение муниципалитетов по уровням", 1),
            Table(("Уровень", "Муниципалитетов"), tuple((Cell(k), Cell(str(v), v)) for k, v in levels.most_common())),
            Paragraph(f"Оценено муниципалитетов: {len(munis)}. Уровень — по доле итогового балла от максимума.",
                      "note"))
    # weakest positions: the lowest mean share of the maximum across the region
    weakest = []
    if munis:
        for i, p in enumerate(munis[0].positions):
            scores = [m.positions[i].score for m in munis if m.positions[i].score is not None]
            if scores:
                weakest.append((sum(scores) / len(scores) / p.max_score, p, len(scores)))
        weakest.sort(key=lambda w: (w[0], w[1].code))
    doc.add(Heading("Слабые позиции в регионе", 1),
            Table(("Позиция", "Средняя доля от максимума", "Оценено"),
                  tuple((Cell(f"{p.code} {p.name}"), Cell(fmt_percent(100 * s), s, "0.0%"), Cell(str(n), n))
                        for s, p, n in weakest[:10])) if weakest else Paragraph("Итоговых баллов ещё нет."))
    doc.add(Heading("Сравнение с прошлогодней кампанией", 1))
    if data.previous:
        rows = []
        for m in munis:
            before = data.previous.get(m.municipality_code)
            now = m.totals[-1]
            change = (None if before is None or before.percent is None or now.percent is None
                      else now.percent - before.percent)
            rows.append((Cell(m.municipality), Cell(fmt_percent(before.percent if before else None)),
                         Cell(fmt_percent(now.percent)),
                         Cell("—" if change is None else f"{change:+.1f} п. п.".replace(".", ","), change)))
        doc.add(Table(("Муниципалитет", f"{data.previous_year}", f"{data.year}", "Изменение"), tuple(rows)),
                Paragraph("Доли от максимума сравниваются, только когда рубрики обоих лет дают максимум; "
                          "старые кампании не пересчитываются по новой рубрике.", "note"))
    else:
        doc.add(Paragraph("Кампании прошлого года нет."))
    ranked = sorted(munis, key=lambda m: (data.ranks.get(m.municipality_code) is None,
                                          data.ranks.get(m.municipality_code) or 0, m.municipality))
    doc.add(Heading("Рейтинг муниципалитетов", 1),
            Table(("Место", "Муниципалитет", "Балл", "Доля", "Уровень"),
                  tuple((Cell(str(data.ranks.get(m.municipality_code) or "—"), data.ranks.get(m.municipality_code)),
                         Cell(m.municipality), Cell(fmt_score(m.totals[-1].score), m.totals[-1].score),
                         Cell(fmt_percent(m.totals[-1].percent)), Cell(m.totals[-1].level or "—")) for m in ranked)),
            Paragraph("Равные баллы делят место (1, 2, 2, 4); муниципалитет с неразрешённым расхождением места "
                      "не получает.", "note"))
    if data.agreement:
        doc.add(Heading("Согласованность экспертов", 1),
                Table(("Система", "Единиц оценки", "Экспертов", "α Криппендорфа"),
                      tuple((Cell(s), Cell(str(i), i), Cell(str(e), e),
                             Cell("—" if a is None else f"{a:.2f}".replace(".", ","), a)) for s, i, e, a in data.agreement)),
                Paragraph("α (интервальная шкала) по исходным баллам параметров; 1 — полное согласие, 0 — как "
                          "случайно; не определена, когда нет разброса или пар оценок.", "note"))
    doc.add(Heading("Связь оценки механизмов с результатами", 1), Paragraph(data.outcome_note, "note"))
    rows, far = [], []
    names = {m.municipality_code: m.municipality for m in munis}
    for code, name, _ in data.systems:
        outcome = data.outcomes.get(code)
        if not outcome:
            continue
        scores = {m.municipality_code: next(t.percent for t in m.totals if t.key == code) for m in munis}
        result = spearman({k: v for k, v in scores.items() if v is not None}, outcome)
        interval = ("—" if result.rho is None else
                    f"{result.low:.2f} … {result.high:.2f}".replace(".", ","))
        rows.append((Cell(f"{code} {name}"), Cell(str(result.n), result.n),
                     Cell("—" if result.rho is None else f"{result.rho:.2f}".replace(".", ","), result.rho),
                     Cell(interval)))
        far.extend(f"{code}: {names.get(k, k)} — место по баллам и по результатам расходятся на {abs(gap):g}"
                   for k, gap in result.disagreeing)
    if rows:
        doc.add(Table(("Система", "Муниципалитетов", "ρ Спирмена", "95 % интервал"), tuple(rows)))
        if far:
            doc.add(Paragraph("Муниципалитеты, у которых баллы и результаты расходятся сильнее всего:"),
                    Bullets(tuple(far)))
    else:
        doc.add(Paragraph("Нет показателей результатов, рассчитанных для муниципалитетов по системам рубрики."))
    return doc
