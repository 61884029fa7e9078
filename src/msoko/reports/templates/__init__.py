"""Report templates an administrator edits without code: the DOCX layout and the texts.

The shipped defaults live beside this file (`spravka.docx`, `texts.yaml`). A workspace overrides either by
a file of the same name in `<workspace>/templates/report/`; `msoko report --template FILE` names a DOCX
template for one run. The DOCX template's styles (headings, body text, tables, page set-up, header and
footer) are used for the report, its `{{field}}` marks are filled in (`FIELDS`), and the generated body
replaces the paragraph holding `{{содержание}}`. The fields are documented in docs/reports.ru.md.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import yaml

from msoko.reports.data import ReportError

SHIPPED = Path(__file__).parent
DOCX_NAME = "spravka.docx"
TEXTS_NAME = "texts.yaml"
BODY_FIELD = "содержание"
FIELDS = {
    "заголовок": "название справки (title в texts.yaml)",
    "объект": "регион, муниципалитет или организация, о которой справка",
    "уровень": "«регион», «муниципалитет» или «образовательная организация»",
    "регион": "название региона",
    "муниципалитет": "название муниципалитета (пусто в справке по региону)",
    "учебный_год": "последний учебный год с данными, например «2025/2026 учебного года»",
    "дата_данных": "дата расчёта показателей, например «22 ноября 2026 г.»",
    "версия_данных": "короткий отпечаток версий данных и каталога",
    "орган": "орган, выпускающий справку (issuer в texts.yaml; пусто — не печатается)",
    "подготовил": "кто подготовил справку (prepared_by в texts.yaml)",
    "подписант": "должность подписывающего (signature.position в texts.yaml)",
    "подписант_фио": "фамилия и инициалы подписывающего (signature.name в texts.yaml)",
    BODY_FIELD: "место, куда вставляется текст справки (отдельным абзацем)",
}
TEXT_FIELDS = {"indicator", "value", "reference", "reasons", "groups"}


def workspace_folder(root: Path) -> Path:
    return Path(root) / "templates" / "report"


def docx_template(root: Path | None, explicit: Path | None = None) -> Path:
    """The DOCX template to use: the one named, else the workspace's, else the shipped default."""
    if explicit is not None:
        if not Path(explicit).is_file():
            raise ReportError(f"шаблон «{explicit}» не найден.")
        return Path(explicit)
    own = workspace_folder(root) / DOCX_NAME if root is not None else None
    return own if own is not None and own.is_file() else SHIPPED / DOCX_NAME


@dataclass(frozen=True)
class Texts:
    title: str
    introduction: str
    recommendations: dict
    # the authority block and the signature block (issue 17): who issues the справка, who prepared it, who signs
    issuer: str = ""
    prepared_by: str = ""
    signer_position: str = "Руководитель"
    signer_name: str = ""


def _plain(value, where: str, file: Path, default: str = "") -> str:
    """An optional one-line text without fields (the authority and signature block)."""
    if value is None:
        return default
    if not isinstance(value, str) or len(value) > 300 or "\n" in value.strip():
        raise ReportError(f"{file}: «{where}» — нужна одна строка текста (до 300 знаков).")
    return value.strip()


def _check(text: str, where: str, file: Path) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ReportError(f"{file}: «{where}» — нужен непустой текст.")
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise ReportError(f"{file}: «{where}» — непарная фигурная скобка ({exc}).") from None
    unknown = names - TEXT_FIELDS
    if unknown:
        raise ReportError(f"{file}: «{where}» — неизвестное поле {{{sorted(unknown)[0]}}}; "
                          f"допустимы: {', '.join('{' + n + '}' for n in sorted(TEXT_FIELDS))}.")
    return text.strip()


def load_texts(root: Path | None) -> Texts:
    own = workspace_folder(root) / TEXTS_NAME if root is not None else None
    file = own if own is not None and own.is_file() else SHIPPED / TEXTS_NAME
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ReportError(f"{file}: файл текстов справки не читается ({type(exc).__name__}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("recommendations"), dict):
        raise ReportError(f"{file}: нет раздела «recommendations».")
    rec = data["recommendations"]
    indicator = rec.get("indicator") if isinstance(rec.get("indicator"), dict) else {}
    checked = {key: _check(rec.get(key), f"recommendations.{key}", file) for key in ("shnor", "shnsu", "objectivity",
                                                                                     "none")}
    checked["indicator"] = {key: _check(value, f"recommendations.indicator.{key}", file)
                            for key, value in indicator.items()}
    if "default" not in checked["indicator"]:
        raise ReportError(f"{file}: нет текста «recommendations.indicator.default».")
    signature = data.get("signature") if isinstance(data.get("signature"), dict) else {}
    return Texts(_check(data.get("title"), "title", file), _check(data.get("introduction"), "introduction", file),
                 checked, issuer=_plain(data.get("issuer"), "issuer", file),
                 prepared_by=_plain(data.get("prepared_by"), "prepared_by", file),
                 signer_position=_plain(signature.get("position"), "signature.position", file, "Руководитель"),
                 signer_name=_plain(signature.get("name"), "signature.name", file))
