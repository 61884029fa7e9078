"""Russian passport pages of the indicators, generated from the catalog (docs/indicators/*.md + index).

Regenerate with `msoko catalog docs` (or `python -m msoko.engine.catalog.passports`); a test fails when
the committed pages differ from what the catalog generates.
"""

from __future__ import annotations

import sys
from pathlib import Path

from msoko.engine.catalog.model import DIRECTION_RU, KIND_RU, LEVEL_RU, Catalog, Indicator
from msoko.engine.catalog.validate import dataset_specs

HEADER = "<!-- Сгенерировано из каталога показателей (msoko catalog docs). Не редактируйте вручную. -->\n"
PROGRAMMES_RU = {"motivating_monitoring": "мотивирующий мониторинг (Р-293)", "shnor": "работа со ШНОР/ШНСУ"}


def _filters(indicator: Indicator) -> str:
    f = indicator.filters
    parts = []
    if f.procedure:
        parts.append("процедура: " + ", ".join(f.procedure))
    if f.subject:
        parts.append("предмет: " + ", ".join(f.subject))
    if f.grade:
        parts.append("класс: " + ", ".join(str(g) for g in f.grade))
    if f.org_kind:
        parts.append("вид организации: " + ", ".join(f.org_kind))
    return "; ".join(parts) or "нет"


def _targets(indicator: Indicator) -> str:
    if not indicator.targets:
        return "не заданы"
    rows = []
    for t in indicator.targets:
        shown = f"{t.value * 100:g} %" if indicator.kind == "share" else f"{t.value:g}"
        rows.append(f"{shown} (год: {t.year or 'любой'}, уровень: {LEVEL_RU.get(t.level, 'любой')})")
    return "; ".join(rows)


def _how(indicator: Indicator) -> str:
    if indicator.kind == "count":
        return "Значение на каждом уровне — сумма значений организаций (муниципалитетов) уровня."
    text = ("Значение на каждом уровне (организация, муниципалитет, регион, всего) — отношение сумм числителей "
            "и знаменателей по организациям уровня; значения нижних уровней не усредняются.")
    if indicator.kind == "share":
        text += " Доля хранится долей от 1 (0,8), на страницах и в отчётах показывается в процентах."
    return text


def render_indicator(catalog: Catalog, indicator: Indicator) -> str:
    system = catalog.system(indicator.system)
    track = next((t for t in system.tracks if t.code == indicator.track), None) if system else None
    source = catalog.source(indicator.source)
    spec = dataset_specs(catalog).get(indicator.dataset)
    lines = [
        HEADER,
        f"# {indicator.name}",
        "",
        "| поле | значение |",
        "|---|---|",
        f"| код | `{indicator.code}` |",
        f"| система | {indicator.system} {system.name if system else ''} |",
        f"| трек | {track.name if track else indicator.track} |",
        f"| вид | {KIND_RU[indicator.kind]} (`{indicator.kind}`) |",
        f"| единица | {indicator.unit} |",
        f"| формула | `{' '.join(indicator.formula.split())}` |",
        f"| набор данных | `{indicator.dataset}` — {spec.title if spec else ''} |",
        f"| фильтры | {_filters(indicator)} |",
        f"| направление | {DIRECTION_RU[indicator.direction]} |",
        f"| минимальный размер группы | {indicator.min_group_size} |",
        f"| цели | {_targets(indicator)} |",
        f"| нормативный источник | {source.title if source else indicator.source} |",
        f"| версия | {indicator.version} (отпечаток определения `{indicator.definition_hash()}`) |",
    ]
    if indicator.programmes:
        lines.append(f"| программы | {', '.join(PROGRAMMES_RU.get(p, p) for p in indicator.programmes)} |")
    if indicator.seed:
        lines.append(f"| формулировка источника | {indicator.seed} |")
    lines.append("")
    if indicator.description:
        lines += [indicator.description, ""]
    lines += [
        "## Как считается",
        "",
        _how(indicator),
        "",
    ]
    return "\n".join(lines)


def render_index(catalog: Catalog) -> str:
    lines = [HEADER, "# Паспорта показателей", "",
             f"Всего показателей: {len(catalog.indicators)}.", "",
             "Каталог — данные, а не код: чтобы изменить показатели для своего региона, скопируйте папку "
             "`src/msoko/engine/catalog/default/` в `<рабочее пространство>/catalog/`, правьте YAML и проверяйте "
             "командой `msoko catalog check`; `msoko compute` возьмёт этот каталог. Изменённая формула получает "
             "новую версию, ранее сохранённые значения остаются со своей версией.", ""]
    for system in catalog.systems:
        members = [i for i in catalog.indicators if i.system == system.code]
        lines += [f"## {system.code} {system.name}", ""]
        for track in system.tracks:
            in_track = [i for i in members if i.track == track.code]
            if not in_track:
                continue
            if len(system.tracks) > 1:
                lines += [f"### {track.name}", ""]
            lines += [f"- [`{i.code}`]({i.code}.md) — {i.name} (набор `{i.dataset}`)" for i in in_track]
            lines.append("")
    return "\n".join(lines)


def render_passports(catalog: Catalog) -> dict[str, str]:
    pages = {f"{i.code}.md": render_indicator(catalog, i) for i in catalog.indicators}
    pages["README.md"] = render_index(catalog)
    return pages


def write_passports(catalog: Catalog, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    pages = render_passports(catalog)
    for stale in folder.glob("*.md"):
        if stale.name not in pages:
            stale.unlink()
    written = []
    for name, text in pages.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    from msoko.engine.catalog.load import default_catalog

    write_passports(default_catalog(), Path(sys.argv[1] if len(sys.argv) > 1 else "docs/indicators"))
