"""Step 3 (typing) and the whole pipeline: parse → normalise → type → validate.

`load_catalog(path)` returns the catalog (or None when it cannot be typed at all) and every issue found.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ValidationError

from msoko.core.issues import Issue, has_errors
from msoko.engine.catalog.model import Catalog, DatasetDecl, Indicator, Mechanism, Source, System
from msoko.engine.catalog.normalise import normalise
from msoko.engine.catalog.parse import parse_catalog
from msoko.engine.catalog.validate import validate

DEFAULT_CATALOG = Path(__file__).parent / "default"

MODELS: dict[str, type[BaseModel]] = {
    "mechanisms": Mechanism, "systems": System, "sources": Source, "datasets": DatasetDecl,
    "indicators": Indicator,
}
REQUIRED_RU = "не указано обязательное поле"


def _label(item: dict) -> str:
    for key in ("code", "id", "name"):
        if item.get(key):
            return f"«{item[key]}»: "
    return ""


def _typed(section: str, item: dict) -> tuple[BaseModel | None, list[Issue]]:
    try:
        return MODELS[section].model_validate(item), []
    except ValidationError as exc:
        origin = item.get("origin") or {}
        issues = []
        for error in exc.errors():
            loc = [str(part) for part in error["loc"]]
            field = loc[0] if loc else None
            row = (origin.get("fields") or {}).get(field, origin.get("line"))
            if error["type"] == "missing":
                message = f"{REQUIRED_RU} «{'.'.join(loc)}»"
            elif error["type"] == "extra_forbidden":
                message = f"неизвестное поле «{'.'.join(loc)}»"
            elif error["type"] == "enum":
                message = (f"поле «{'.'.join(loc)}»: недопустимое значение «{error.get('input')}»; допустимы: "
                           f"{error.get('ctx', {}).get('expected', '')}")
            elif error["type"] == "string_pattern_mismatch":
                message = f"поле «{'.'.join(loc)}»: значение «{error.get('input')}» не соответствует формату"
            else:
                message = f"поле «{'.'.join(loc)}»: неверное значение {error.get('input')!r} ({error['msg']})"
            issues.append(Issue.error(_label(item) + message, file=origin.get("file"), row=row,
                                      column=".".join(loc) or None))
        return None, issues


def build(sections: dict[str, list[dict]]) -> tuple[Catalog, list[Issue]]:
    typed: dict[str, list] = {name: [] for name in MODELS}
    issues: list[Issue] = []
    for section, items in sections.items():
        for item in items:
            model, found = _typed(section, item)
            issues += found
            if model is not None:
                typed[section].append(model)
    return Catalog(**{name: tuple(models) for name, models in typed.items()}), issues


def load_catalog(path: Path | str | None = None, *, data_columns: dict | None = None
                 ) -> tuple[Catalog | None, list[Issue]]:
    """`data_columns`: the further columns a workspace's data hold (`sources.data_columns`), which its
    formulas may use."""
    path = Path(path) if path else DEFAULT_CATALOG
    documents, issues = parse_catalog(path, base=path if path.is_dir() else path.parent)
    if not documents:
        return None, issues
    normalised, found = normalise(documents)
    issues += found
    catalog, found = build(normalised.sections)
    issues += found
    if data_columns:
        catalog = catalog.model_copy(update={"data_columns": data_columns})
    issues += validate(catalog)
    return catalog, issues


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The shipped catalog (loaded once; it is immutable); raises if it does not validate (a packaging bug, caught by the tests)."""
    catalog, issues = load_catalog(DEFAULT_CATALOG)
    if catalog is None or has_errors(issues):
        raise ValueError("default catalog is invalid: " + "; ".join(i.format() for i in issues[:5]))
    return catalog
