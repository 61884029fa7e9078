"""Step 2: bring parsed YAML to one canonical shape before typing.

- every section item gets an `origin` (file, line of the item and of each field);
- an indicator file's `defaults:` are applied to each of its indicators (explicit values win);
- a share without a unit gets «%»; scalar filters become lists; strings are stripped;
- a system without tracks gets one track, `main`, named like the system.
Nothing is judged here: wrong values pass through for validation to report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from msoko.core.issues import Issue
from msoko.engine.catalog.parse import RawDocument

SECTIONS = ("mechanisms", "systems", "sources", "datasets", "indicators")
FILTER_KEYS = ("procedure", "subject", "grade", "org_kind")


@dataclass
class NormalisedCatalog:
    sections: dict[str, list[dict]] = field(default_factory=lambda: {name: [] for name in SECTIONS})


def _origin(document: RawDocument, path: tuple, item: dict) -> dict:
    return {
        "file": document.file,
        "line": document.line(path),
        "fields": {key: document.line((*path, key)) for key in item if document.line((*path, key))},
    }


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _indicator(raw: dict, defaults: dict) -> dict:
    item = {**defaults, **{k: _strip(v) for k, v in raw.items()}}
    filters = item.get("filters")
    if isinstance(filters, dict):
        item["filters"] = {k: (v if isinstance(v, list) else [v]) if k in FILTER_KEYS else v
                           for k, v in filters.items()}
    if item.get("kind") == "share" and not item.get("unit"):
        item["unit"] = "%"
    if isinstance(item.get("code"), str):
        item["code"] = item["code"].strip()
    return item


def _system(raw: dict) -> dict:
    item = {k: _strip(v) for k, v in raw.items()}
    if isinstance(item.get("code"), (int, float)):
        item["code"] = str(item["code"])
    if not item.get("tracks"):
        item["tracks"] = [{"code": "main", "name": item.get("name", "")}]
    if isinstance(item.get("mechanism"), int):
        item["mechanism"] = str(item["mechanism"])
    return item


def normalise(documents: list[RawDocument]) -> tuple[NormalisedCatalog, list[Issue]]:
    result, issues = NormalisedCatalog(), []
    for document in documents:
        if not isinstance(document.data, dict):
            issues.append(Issue.error("ожидается словарь с разделами каталога", file=document.file, row=1))
            continue
        unknown = sorted(set(document.data) - set(SECTIONS) - {"defaults"})
        for key in unknown:
            issues.append(Issue.error(f"неизвестный раздел «{key}»; допустимы: {', '.join(SECTIONS)}",
                                      file=document.file, row=document.line((key,)), column=key))
        defaults = document.data.get("defaults") or {}
        for section in SECTIONS:
            items = document.data.get(section) or []
            if not isinstance(items, list):
                issues.append(Issue.error(f"раздел «{section}» должен быть списком", file=document.file,
                                          row=document.line((section,)), column=section))
                continue
            for index, raw in enumerate(items):
                path = (section, index)
                if not isinstance(raw, dict):
                    issues.append(Issue.error("ожидается словарь полей", file=document.file,
                                              row=document.line(path), column=section))
                    continue
                if section == "indicators":
                    item = _indicator(raw, defaults if isinstance(defaults, dict) else {})
                elif section == "systems":
                    item = _system(raw)
                else:
                    item = {k: _strip(v) for k, v in raw.items()}
                    if section == "mechanisms" and isinstance(item.get("code"), int):
                        item["code"] = str(item["code"])
                item["origin"] = _origin(document, path, raw)
                result.sections[section].append(item)
    return result, issues
