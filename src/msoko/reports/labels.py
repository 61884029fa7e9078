"""Russian words for what the system stores as codes — the one place pages and справки take them from.

- `dataset_title`: a dataset's Russian name (the catalog's declared title, the built-in datasets' titles,
  and the warehouse's own tables);
- `SIGN_SENTENCE`: each sign of non-objective results as one sentence a school director understands;
- `REASON_SENTENCE`: each reason a school is on the ШНОР/ШНСУ list, likewise;
- `DIRECTION_RU`, `KIND_RU`: an indicator's direction and kind.

The numbers behind a sign or a reason (`engine.detection.explain`) are shown next to these sentences,
one click away (a <details> on the pages), never instead of them.
"""

from __future__ import annotations

from msoko.engine.catalog.model import Catalog
from msoko.engine.datasets import BUILTIN

# Tables of the warehouse that are not indicator datasets.
WAREHOUSE_RU = {"organisations": "Реестр организаций", "gia": "Результаты ГИА (ОГЭ и ЕГЭ)",
                "vpr_tasks": "ВПР: выполнение заданий", "risk_lists": "Списки ШНОР и ШНСУ"}


def dataset_title(catalog: Catalog | None, name: str) -> str:
    """«ВПР: результаты участников» for `vpr`; a declared dataset's title up to its « — » note."""
    declared = {d.name: d.title for d in catalog.datasets} if catalog is not None else {}
    title = declared.get(name) or (BUILTIN[name].title if name in BUILTIN else None) or WAREHOUSE_RU.get(name)
    return title.split(" — ")[0] if title else "набор данных региона"


SIGN_SENTENCE = {
    "journal": "Отметки за ВПР заметно чаще, чем в других школах региона, выше отметок по журналу.",
    "peaks": "Слишком много работ набрали ровно столько баллов, сколько нужно для более высокой отметки.",
    "unconfirmed": "Высокий результат ВПР не подтвердился на следующей процедуре (ОГЭ, ЕГЭ или другой ВПР) "
                   "у тех же обучающихся.",
    "basic_vs_advanced": "Простые задания выполнены хуже, чем в регионе, а сложные — лучше: так бывает, когда "
                         "результаты завышены.",
    "jump": "Результат резко вырос по сравнению с собственными прошлыми годами школы.",
    "repeated": "Признаки необъективности у школы повторяются не первый год.",
}

REASON_SENTENCE = {
    "low_standing": "Несколько лет подряд результаты школы ниже, чем у школ в похожих условиях.",
    "cluster_bottom": "Школа среди самых низких результатов в своей группе сопоставимых школ.",
    "region_bottom": "Школа среди самых низких результатов в регионе.",
    "federal_risk": "Не менее трети участников не справились с работой (отметка «2» или ниже минимального балла) "
                    "сразу в нескольких процедурах — это федеральный критерий риска.",
    "below_expected": "Результаты ниже, чем можно ожидать при социальных условиях этой школы.",
    "low_social_index": "Школа работает в трудных социальных условиях: её индекс социального благополучия среди "
                        "самых низких в регионе.",
}

DIRECTION_RU = {"higher_is_better": "чем больше, тем лучше", "lower_is_better": "чем меньше, тем лучше",
                "neutral": "без оценки направления"}
KIND_RU = {"share": "доля", "mean": "среднее", "count": "количество", "ratio": "отношение",
           "form_value": "значение из формы"}


def sentences(codes: str | None, table: dict[str, str]) -> list[str]:
    """`journal;peaks` → the sentences of those codes (an unknown code is left out, never shown raw)."""
    return [table[c] for c in (codes or "").split(";") if c in table]
