"""Step 4: validation rules over a typed catalog. Each rule returns located issues; none raises.

A rule that crashes becomes an issue naming the rule, so one bug never hides the other findings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace

from msoko.core.issues import Issue
from msoko.engine.catalog.model import Catalog, Indicator, Kind
from msoko.engine.datasets import BUILTIN, ORG_KINDS, PROCEDURES, ColumnType, DatasetSpec, Grain
from msoko.engine.formula import Formula, parse_formula

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
Rule = Callable[[Catalog], Iterable[Issue]]
RULES: list[Rule] = []


def rule(function: Rule) -> Rule:
    RULES.append(function)
    return function


def at(item, field: str | None, message: str) -> Issue:
    origin = getattr(item, "origin", None)
    return Issue.error(message, file=origin.file if origin else None,
                       row=origin.line_of(field) if origin else None, column=field)


def dataset_specs(catalog: Catalog) -> dict[str, DatasetSpec]:
    """Built-in datasets (with the further columns the workspace's data hold, `catalog.data_columns`) plus
    the ones the catalog declares."""
    specs = dict(BUILTIN)
    for name, extra in catalog.data_columns.items():
        if name in specs and specs[name].extensible:
            specs[name] = replace(specs[name], columns={**extra, **specs[name].columns})
    for decl in catalog.datasets:
        if decl.name in BUILTIN:
            continue
        columns = {"year": ColumnType.INT,
                   ("municipality_id" if decl.grain is Grain.MUNICIPALITY else "org_id"): ColumnType.TEXT,
                   **decl.columns}
        keys = ("year", "municipality_id" if decl.grain is Grain.MUNICIPALITY else "org_id")
        specs[decl.name] = DatasetSpec(name=decl.name, title=decl.title, source=decl.name, columns=columns,
                                       grain=decl.grain, builtin=False, keys=keys)
    return specs


def indicator_formula(indicator: Indicator, spec: DatasetSpec) -> tuple[Formula | None, list]:
    needs = {Kind.SHARE: True, Kind.MEAN: True, Kind.RATIO: True, Kind.COUNT: False}.get(indicator.kind)
    return parse_formula(indicator.formula, spec.columns, needs_denominator=needs)


def _who(indicator: Indicator) -> str:
    return f"показатель «{indicator.code}»"


@rule
def codes_are_unique(catalog: Catalog) -> Iterable[Issue]:
    for items, key, label in (
        (catalog.indicators, "code", "код показателя"), (catalog.systems, "code", "номер системы"),
        (catalog.mechanisms, "code", "номер механизма"), (catalog.sources, "id", "источник"),
        (catalog.datasets, "name", "набор данных"),
    ):
        counts = Counter(getattr(item, key) for item in items)
        seen: set[str] = set()
        for item in items:
            value = getattr(item, key)
            if counts[value] > 1 and value in seen:
                yield at(item, key, f"{label} «{value}» повторяется")
            seen.add(value)


@rule
def indicator_codes_are_snake_case(catalog: Catalog) -> Iterable[Issue]:
    for indicator in catalog.indicators:
        if not CODE_PATTERN.match(indicator.code):
            yield at(indicator, "code", f"код «{indicator.code}» должен состоять из строчных латинских букв, "
                                        "цифр и «_» и начинаться с буквы")


@rule
def systems_belong_to_known_mechanisms(catalog: Catalog) -> Iterable[Issue]:
    mechanisms = {m.code for m in catalog.mechanisms}
    for system in catalog.systems:
        if system.mechanism not in mechanisms:
            yield at(system, "mechanism", f"система {system.code}: неизвестный механизм «{system.mechanism}»")
        elif not system.code.startswith(system.mechanism + "."):
            yield at(system, "mechanism", f"система {system.code} не может входить в механизм {system.mechanism}: "
                                          "номер системы начинается с номера механизма")


@rule
def indicators_name_a_known_system_and_track(catalog: Catalog) -> Iterable[Issue]:
    for indicator in catalog.indicators:
        system = catalog.system(indicator.system)
        if system is None:
            yield at(indicator, "system", f"{_who(indicator)}: неизвестная система «{indicator.system}»")
        elif indicator.track not in {t.code for t in system.tracks}:
            known = ", ".join(t.code for t in system.tracks)
            yield at(indicator, "track", f"{_who(indicator)}: в системе {system.code} нет трека "
                                         f"«{indicator.track}»; есть: {known}")


@rule
def indicators_cite_a_known_source(catalog: Catalog) -> Iterable[Issue]:
    for indicator in catalog.indicators:
        if indicator.source and catalog.source(indicator.source) is None:
            yield at(indicator, "source", f"{_who(indicator)}: неизвестный нормативный источник "
                                          f"«{indicator.source}»; объявите его в разделе sources")


@rule
def passports_are_complete(catalog: Catalog) -> Iterable[Issue]:
    for indicator in catalog.indicators:
        for field, label in (("name", "наименование"), ("unit", "единица измерения"),
                             ("formula", "формула"), ("source", "нормативный источник")):
            if not str(getattr(indicator, field)).strip():
                yield at(indicator, field, f"{_who(indicator)}: не заполнено поле паспорта «{label}»")


@rule
def declared_datasets_do_not_shadow_builtin_ones(catalog: Catalog) -> Iterable[Issue]:
    for decl in catalog.datasets:
        if decl.name in BUILTIN:
            yield at(decl, "name", f"набор данных «{decl.name}» встроен в систему; выберите другое имя")


@rule
def indicators_read_a_known_dataset(catalog: Catalog) -> Iterable[Issue]:
    specs = dataset_specs(catalog)
    for indicator in catalog.indicators:
        if indicator.dataset not in specs:
            yield at(indicator, "dataset", f"{_who(indicator)}: неизвестный набор данных «{indicator.dataset}»; "
                                           f"есть: {', '.join(sorted(specs))}")


@rule
def formulas_are_allowed_aggregates(catalog: Catalog) -> Iterable[Issue]:
    specs = dataset_specs(catalog)
    for indicator in catalog.indicators:
        spec = specs.get(indicator.dataset)
        if spec is None or not indicator.formula.strip():
            continue
        _, errors = indicator_formula(indicator, spec)
        for error in errors:
            yield at(indicator, "formula", f"{_who(indicator)}: формула, {error.where()}: {error.message}")


@rule
def filters_fit_the_dataset(catalog: Catalog) -> Iterable[Issue]:
    specs = dataset_specs(catalog)
    for indicator in catalog.indicators:
        spec, filters = specs.get(indicator.dataset), indicator.filters
        if spec is None:
            continue
        for key in ("subject", "grade"):
            if getattr(filters, key) and key not in spec.columns:
                yield at(indicator, "filters", f"{_who(indicator)}: фильтр «{key}» невозможен: "
                                               f"в наборе «{spec.name}» нет столбца {key}")
        for kind in filters.org_kind:
            if kind not in ORG_KINDS:
                yield at(indicator, "filters", f"{_who(indicator)}: неизвестный вид организации «{kind}»; "
                                               f"допустимы: {', '.join(ORG_KINDS)}")
        if filters.org_kind and spec.grain is Grain.MUNICIPALITY:
            yield at(indicator, "filters", f"{_who(indicator)}: фильтр по виду организации невозможен "
                                           "для набора муниципального уровня")
        for procedure in filters.procedure:
            if procedure not in PROCEDURES:
                yield at(indicator, "filters", f"{_who(indicator)}: неизвестная процедура «{procedure}»; "
                                               f"допустимы: {', '.join(PROCEDURES)}")
            elif "procedure" not in spec.columns and spec.procedure != procedure:
                yield at(indicator, "filters", f"{_who(indicator)}: набор «{spec.name}» не содержит "
                                               f"результатов процедуры {procedure}")


@rule
def share_targets_are_fractions(catalog: Catalog) -> Iterable[Issue]:
    for indicator in catalog.indicators:
        if indicator.kind is not Kind.SHARE:
            continue
        for target in indicator.targets:
            if not 0 <= target.value <= 1:
                yield at(indicator, "targets", f"{_who(indicator)}: целевое значение доли {target.value:g} вне "
                                               "диапазона 0…1 (доля записывается как 0.8 для 80 %)")


@rule
def targets_are_not_repeated(catalog: Catalog) -> Iterable[Issue]:
    for indicator in catalog.indicators:
        keys = Counter((t.year, t.level) for t in indicator.targets)
        for (year, level), count in keys.items():
            if count > 1:
                yield at(indicator, "targets", f"{_who(indicator)}: цель на {year or 'любой год'} для уровня "
                                               f"{level or 'любой'} задана {count} раза")


def validate(catalog: Catalog) -> list[Issue]:
    issues: list[Issue] = []
    for check in RULES:
        try:
            issues.extend(check(catalog))
        except Exception as exc:  # noqa: BLE001 — a crashing rule is reported, not raised
            issues.append(Issue.error(f"правило проверки {check.__name__} завершилось сбоем: "
                                      f"{type(exc).__name__}: {exc}"))
    return issues
