"""Short Russian explanations built from a school's numbers: which signs, by how much, against what."""

from __future__ import annotations

import math

SIGN_RU = {
    "journal": "расхождение отметок ВПР и журнала",
    "peaks": "пики распределения баллов у границ отметок",
    "unconfirmed": "высокий результат ВПР не подтверждён",
    "basic_vs_advanced": "базовые задания хуже региона, повышенные — лучше",
    "jump": "резкий рост против собственной истории",
    "repeated": "признаки повторяются из года в год",
}
REASON_RU = {
    "low_standing": "устойчиво хуже школ со сходным контекстом",
    "cluster_bottom": "внизу своего кластера",
    "region_bottom": "самые низкие результаты в регионе",
    "federal_risk": "федеральное правило риска низких результатов",
    "below_expected": "ниже ожидаемого по контексту",
    "low_social_index": "низкий индекс социального благополучия",
}


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural form for n: 1 участник, 2 участника, 5 участников, 11 участников, 21 участник."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count(n: int, one: str, few: str, many: str) -> str:
    return f"{n} {plural(n, one, few, many)}"


def pct(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x * 100:.0f} %"


def num(x: float | None, signed: bool = False, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    text = f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"
    return text.replace("-", "−").replace(".", ",")


def sign_text(sign: dict) -> str:
    code, v, r, v2, r2 = sign["sign"], sign["value"], sign["reference"], sign["value2"], sign["reference2"]
    if code == "journal":
        return (f"отметку на ВПР выше журнальной получили {pct(v)} участников (по региону {pct(r)}), "
                f"расхождение на 2 балла и более — {pct(v2)} (по региону {pct(r2)})")
    if code == "peaks":
        return (f"из участников около границ отметок на границе или чуть выше — {pct(v)} (по региону {pct(r)} "
                f"при тех же баллах)")
    if code == "unconfirmed":
        return (f"результат ВПР выше регионального на {num(v)} σ, а {sign.get('detail') or 'последующая процедура'} "
                f"той же школы — {num(r, signed=True)} σ")
    if code == "basic_vs_advanced":
        return (f"задания базового уровня выполнены на {pct(v)} (по региону {pct(r)}), повышенного — на {pct(v2)} "
                f"(по региону {pct(r2)})")
    if code == "jump":
        years = int(v2) if v2 is not None and not math.isnan(v2) else 0
        return (f"средний результат {num(v, signed=True)} σ к региону против {num(r, signed=True)} σ "
                f"в среднем за {count(years, 'предыдущий год', 'предыдущих года', 'предыдущих лет')}")
    if code == "repeated":
        return "школа отмечалась по признакам необъективности и в предыдущие годы"
    return code


def objectivity_text(group: dict, signs: list[dict]) -> str:
    head = (f"{group['subject']}, {group['grade']} класс, ВПР {group['year']} "
            f"({count(group['participants'], 'участник', 'участника', 'участников')})")
    if group["status"] == "insufficient":
        return f"{head}: недостаточно данных — признаки не оцениваются."
    fired = [s for s in signs if s["fired"]]
    if not fired:
        return f"{head}: признаков необъективности нет."
    body = "; ".join(f"{SIGN_RU.get(s['sign'], s['sign'])}: {sign_text(s)}" for s in fired)
    verdict = "признаки необъективности" if group["flagged"] else "отдельный признак (школа не отмечена)"
    n = len(fired)
    return f"{head}: {verdict} — {count(n, 'признак', 'признака', 'признаков')}. {body[:1].upper()}{body[1:]}."


def risk_text(row: dict, window_years: int, bottom_share: float, region_share: float,
              standing_years: int = 3, standing_threshold: float = 1.0) -> str:
    parts = []
    window = f"в каждом году с данными за последние {count(window_years, 'год', 'года', 'лет')}"
    if row.get("low_standing"):
        parts.append(
            f"за {count(int(row.get('standing_years') or 0), 'год', 'года', 'лет')} (окно — последние "
            f"{count(standing_years, 'год', 'года', 'лет')}; {count(int(row.get('standing_n') or 0), 'работа', 'работы', 'работ')} "
            f"ВПР, ОГЭ и ЕГЭ) результат {num(row.get('standing_result'), signed=True)} σ при ожидаемом для школ "
            f"со сходным индексом благополучия и типом местности {num(row.get('standing_expected'), signed=True)} σ: "
            f"с учётом числа участников на {num(abs(row.get('standing_z') or 0))} стандартного отклонения между "
            f"школами ниже (порог {num(standing_threshold)})")
    if row.get("cluster_bottom"):
        parts.append(
            f"внизу своего кластера школ со сходным контекстом ({pct(bottom_share)} худших; кластер "
            f"«{row.get('cluster')}», {count(int(row.get('cluster_size') or 0), 'школа', 'школы', 'школ')}) {window}: "
            f"сводный результат {num(row.get('composite'), signed=True)} σ, {row.get('cluster_rank')}-е место с конца, "
            f"ниже медианы кластера на {num(abs(row.get('cluster_gap') or 0))} σ")
    if row.get("region_bottom"):
        parts.append(
            f"среди {pct(region_share)} школ региона с самыми низкими результатами {window} "
            f"({row.get('region_rank')}-е место с конца из {row.get('region_size')})")
    if row.get("federal_risk"):
        units = [u for u in (row.get("risky_detail") or "").split(";") if u]
        listed = ", ".join(_unit_ru(u) for u in units)
        text = (f"федеральное правило: не менее 30 % участников ниже границы «3» в "
                f"{count(len(units), 'процедуре', 'процедурах', 'процедурах')} ({listed})")
        if row.get("repeated_units"):
            text += ", два года подряд: " + ", ".join(_unit_ru(u) for u in row["repeated_units"].split(";"))
        parts.append(text)
    if row.get("below_expected"):
        parts.append(f"сводный результат {num(row.get('composite'), signed=True)} σ ниже ожидаемого по контексту "
                     f"{num(row.get('expected'), signed=True)} σ (интервал от {num(row.get('lower'), signed=True)} "
                     f"до {num(row.get('upper'), signed=True)})")
    if row.get("shnsu"):
        parts.append(f"индекс социального благополучия {num(row.get('social_index'), digits=1)} из 100 — "
                     f"среди самых низких в регионе")
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _unit_ru(unit: str) -> str:
    name, _, share = unit.partition("=")
    proc, subject, grade = (name.split("|") + ["", "", ""])[:3]
    label = f"{proc} {subject}" + (f" {grade} класс" if grade else "")
    return f"{label} — {pct(float(share))}" if share else label
