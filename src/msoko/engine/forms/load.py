"""Reading the catalog's `forms/*.yaml` and checking each form against the catalog it fills.

One file per form version (`forms/form_talents.v1.yaml`). A form is checked against its dataset: every field
is a column of it (the label and type come from the catalog when the form does not give them), every check
and roster count parses in the formula language over the form's own fields, `replaces` names an existing
earlier version and maps only fields that exist on both sides. Issues are located (file, line, field).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from msoko.core.issues import Issue
from msoko.engine.catalog.model import Catalog, DatasetDecl
from msoko.engine.datasets import ColumnType
from msoko.engine.forms.checks import parse_rule
from msoko.engine.forms.model import FieldType, Form, Level

FORMS_FOLDER = "forms"
_TYPE_OF = {ColumnType.INT: FieldType.INT, ColumnType.NUMBER: FieldType.NUMBER, ColumnType.FLAG: FieldType.FLAG,
            ColumnType.TEXT: FieldType.TEXT}


def _resolved(form: Form, decl: DatasetDecl) -> Form:
    """Labels and types from the catalog; counts and flags are never negative unless a min is written."""
    sections = []
    for section in form.sections:
        fields = []
        for field in section.fields:
            update: dict = {}
            kind = field.type or _TYPE_OF.get(decl.columns.get(field.code), FieldType.NUMBER)
            update["type"] = kind
            if not field.label:
                update["label"] = decl.label(field.code)
            if kind is FieldType.FLAG:
                update.update(min=0, max=1)
            elif kind is FieldType.INT and "min" not in field.model_fields_set:
                update["min"] = 0
            fields.append(field.model_copy(update=update))
        sections.append(section.model_copy(update={"fields": tuple(fields)}))
    rosters = tuple(r.model_copy(update={"fill_labels": {c: r.fill_labels.get(c) or decl.label(c) for c in r.fills}})
                    for r in form.rosters)
    return form.model_copy(update={"sections": tuple(sections), "rosters": rosters})


def _check_form(form: Form, catalog: Catalog, file: str) -> list[Issue]:
    decl = next((d for d in catalog.datasets if d.name == form.dataset), None)
    if decl is None:
        return [Issue.error(f"форма «{form.code}»: набор данных «{form.dataset}» не объявлен в каталоге", file=file)]
    issues = []
    grain = "municipality" if str(decl.grain) == "municipality" else "organisation"
    if str(form.respondent.level) != grain:
        issues.append(Issue.error(f"форма «{form.code}»: набор «{form.dataset}» ведётся по уровню «{grain}», "
                                  f"а форма заполняется уровнем «{form.respondent.level}»", file=file))
    seen: set[str] = set()
    for field in form.fields:
        if field.code not in decl.columns:
            issues.append(Issue.error(f"форма «{form.code}»: поле «{field.code}» — не столбец набора "
                                      f"«{form.dataset}»", file=file, column=field.code))
        if field.code in seen:
            issues.append(Issue.error(f"форма «{form.code}»: поле «{field.code}» повторяется", file=file,
                                      column=field.code))
        seen.add(field.code)
        if field.min is not None and field.max is not None and field.min > field.max:
            issues.append(Issue.error(f"форма «{form.code}»: у поля «{field.code}» min больше max", file=file,
                                      column=field.code))
    codes = frozenset(seen)
    for roster in form.rosters:
        columns = frozenset(c.code for c in roster.columns) | {"code"}
        for column, text in roster.fills.items():
            if column not in decl.columns:
                issues.append(Issue.error(f"форма «{form.code}»: список «{roster.code}» заполняет «{column}», "
                                          f"которого нет в наборе", file=file, column=column))
            if column in codes:
                issues.append(Issue.error(f"форма «{form.code}»: столбец «{column}» и поле формы, и итог списка "
                                          f"«{roster.code}»", file=file, column=column))
            _, errors = parse_rule(text, columns, aggregate=True)
            issues += [Issue.error(f"форма «{form.code}», список «{roster.code}», «{column}»: {e}", file=file)
                       for e in errors]
    all_codes = codes | {c for r in form.rosters for c in r.fills}
    check_codes: set[str] = set()
    for check in form.checks:
        _, errors = parse_rule(check.rule, frozenset(all_codes))
        issues += [Issue.error(f"форма «{form.code}», проверка «{check.code}»: {e}", file=file) for e in errors]
        if check.code in check_codes:
            issues.append(Issue.error(f"форма «{form.code}»: проверка «{check.code}» повторяется", file=file))
        check_codes.add(check.code)
    return issues


def _check_versions(forms: list[Form]) -> list[Issue]:
    issues = []
    by_key = {(f.code, f.version): f for f in forms}
    keys = [(f.code, f.version) for f in forms]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        issues.append(Issue.error(f"форма «{key[0]}» версии {key[1]} описана дважды"))
    for form in forms:
        if form.replaces is None:
            if form.version > 1:
                issues.append(Issue.error(f"форма «{form.code}» версии {form.version}: нет блока replaces — "
                                          "укажите, какие поля прежней версии каким соответствуют", file=form.file))
            continue
        old = by_key.get((form.code, form.replaces.version))
        if old is None or form.replaces.version >= form.version:
            issues.append(Issue.error(f"форма «{form.code}» версии {form.version} заменяет версию "
                                      f"{form.replaces.version}, которой нет", file=form.file))
            continue
        new_codes = form.columns_filled()
        old_codes = old.columns_filled()
        for before, after in form.replaces.fields.items():
            if before not in old_codes:
                issues.append(Issue.error(f"форма «{form.code}» версии {form.version}: в версии "
                                          f"{old.version} нет поля «{before}»", file=form.file))
            if after is not None and after not in new_codes:
                issues.append(Issue.error(f"форма «{form.code}» версии {form.version}: поле «{after}» не "
                                          "существует в новой версии", file=form.file))
        unmapped = sorted(old_codes - new_codes - set(form.replaces.fields))
        if unmapped:
            issues.append(Issue.error(
                f"форма «{form.code}» версии {form.version}: поля прежней версии {', '.join(unmapped)} исчезли "
                "без сопоставления — укажите в replaces.fields новое поле или null", file=form.file))
    return issues


def load_forms(folder: Path, catalog: Catalog) -> tuple[list[Form], list[Issue]]:
    """Every form version in `folder` (the catalog's `forms/`), resolved against the catalog."""
    forms: list[Form] = []
    issues: list[Issue] = []
    if not folder.is_dir():
        return forms, issues
    for path in sorted(folder.glob("*.yaml")):
        shown = f"{FORMS_FOLDER}/{path.name}"
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            issues.append(Issue.error(f"файл формы не читается: {exc}", file=shown))
            continue
        try:
            form = Form.model_validate({**(data or {}), "file": shown})
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                issues.append(Issue.error(f"поле «{where}»: {error['msg']}", file=shown, column=where))
            continue
        found = _check_form(form, catalog, shown)
        issues += found
        if not found:
            decl = next(d for d in catalog.datasets if d.name == form.dataset)
            forms.append(_resolved(form, decl))
    issues += _check_versions(forms)
    return forms, issues


def forms_folder(catalog_path: Path) -> Path:
    return Path(catalog_path) / FORMS_FOLDER


@lru_cache(maxsize=1)
def default_forms() -> tuple[Form, ...]:
    from msoko.engine.catalog.load import DEFAULT_CATALOG, default_catalog

    forms, issues = load_forms(forms_folder(DEFAULT_CATALOG), default_catalog())
    errors = [i for i in issues if i.is_error]
    if errors:
        raise ValueError("default forms are invalid: " + "; ".join(i.format() for i in errors[:5]))
    return tuple(forms)


def latest(forms: list[Form] | tuple[Form, ...], code: str) -> Form | None:
    versions = [f for f in forms if f.code == code]
    return max(versions, key=lambda f: f.version) if versions else None


def form_for_dataset(forms, dataset: str) -> Form | None:
    """The latest version of the form named after the dataset (the default forms are)."""
    return latest(forms, dataset) or next((f for f in sorted(forms, key=lambda f: -f.version)
                                           if f.dataset == dataset), None)


def level_of(form: Form) -> Level:
    return form.respondent.level
