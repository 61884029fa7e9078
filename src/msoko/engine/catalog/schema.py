"""The JSON Schema of a (normalised) catalog, generated from the models and checked in.

Regenerate with `python -m msoko.engine.catalog.schema`; tests/engine/test_catalog_schema.py fails when
the committed file differs. Indicator files may also carry `defaults:`, applied before typing.
"""

from __future__ import annotations

import json
from pathlib import Path

from msoko.engine.catalog.model import Catalog

SCHEMA_PATH = Path(__file__).with_name("catalog.schema.json")


def catalog_schema() -> dict:
    schema = Catalog.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Каталог показателей МСОКО"
    return schema


def schema_text() -> str:
    return json.dumps(catalog_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
