"""A workspace settings file (`detection.yaml`, `ratings.yaml`) read into a pydantic model: the model's
defaults where the file is silent, located issues in Russian where it is wrong (a user edits these files)."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from msoko.core.issues import Issue

M = TypeVar("M", bound=BaseModel)

# pydantic's error types in Russian; any other type keeps pydantic's own message
ERRORS_RU = {
    "greater_than_equal": "должно быть не меньше {ge}",
    "less_than_equal": "должно быть не больше {le}",
    "greater_than": "должно быть больше {gt}",
    "less_than": "должно быть меньше {lt}",
    "float_parsing": "ожидается число", "float_type": "ожидается число",
    "int_parsing": "ожидается целое число", "int_type": "ожидается целое число",
    "int_from_float": "ожидается целое число", "bool_parsing": "ожидается да/нет (true/false)",
    "bool_type": "ожидается да/нет (true/false)", "dict_type": "ожидается словарь",
    "list_type": "ожидается список", "string_type": "ожидается строка",
    "literal_error": "допустимы: {expected}",
}


def error_ru(err: dict) -> str:
    text = ERRORS_RU.get(err["type"])
    ctx = {k: f"{v:g}" if isinstance(v, float) else v for k, v in (err.get("ctx") or {}).items()}
    try:
        return text.format(**ctx) if text else err["msg"]
    except (KeyError, IndexError):
        return err["msg"]


def load_settings(model: type[M], path: Path | None) -> tuple[M | None, list[Issue]]:
    """Defaults of `model`, overridden by the YAML file when it exists; a broken file gives located issues."""
    if path is None or not path.exists():
        return model(), []
    name = path.name
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8")) or {}
    except UnicodeDecodeError as exc:  # e.g. saved in Windows-1251 by a text editor
        line = raw[:exc.start].count(b"\n") + 1
        return None, [Issue.error("файл настроек не в кодировке UTF-8: сохраните его в UTF-8", file=name, row=line)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Issue.error(f"файл настроек не читается как YAML: {getattr(exc, 'problem', exc)}",
                                  file=name, row=mark.line + 1 if mark else None)]
    if not isinstance(data, dict):
        return None, [Issue.error("файл настроек должен содержать словарь параметров", file=name)]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            text = (f"неизвестный параметр «{where}»" if err["type"] == "extra_forbidden"
                    else f"недопустимое значение «{where}»: {error_ru(err)}")
            issues.append(Issue.error(text, file=name, column=where))
        return None, issues
