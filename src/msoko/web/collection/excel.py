"""The Excel round-trip: a pre-filled template per organisation or per municipality, and reading it back.

The data sheet «Данные» has Russian headers (row 1), the dataset's column codes (row 2) and one row per
respondent from row 3, keyed by `org_id` (or `municipality_id`); key cells are locked, value cells carry
drop-down lists and number validation. A very hidden sheet «meta» holds the campaign, the form version, the
respondents and the codes, signed with an HMAC under the workspace secret: a template of another campaign or
version, or one whose metadata, codes or keys were changed, is refused before any value is read.

Reading back is a plan (`read_upload`): per cell, the value before and after and every error with sheet and
cell; `apply_plan` submits all rows in one transaction or none.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from msoko.core.spreadsheet import safe_cell
from msoko.engine.forms.model import FieldType
from msoko.engine.forms.values import check_values
from msoko.web.collection import services
from msoko.web.collection.models import Campaign, Respondent, State

DATA_SHEET = "Данные"
META_SHEET = "meta"
JUSTIFICATION = "justification"
FORMAT = 1
FIRST_ROW = 3
MAX_ROWS = 20_000


def _signature(meta: dict) -> str:
    payload = json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), payload, hashlib.sha256).hexdigest()


def _columns(form) -> list[tuple[str, str, object]]:
    """(code, Russian header, field or None) of every value column, in form order."""
    out = [(f.code, f.label + (f", {f.unit}" if f.unit else ""), f) for f in form.fields]
    for roster in form.rosters:
        out += [(code, f"{roster.fill_label(code)} (итог списка «{roster.title}»)", None) for code in roster.fills]
    return out


def _flag_text(value) -> object:
    return {1: "да", 0: "нет"}.get(value, value)


def build_template(campaign: Campaign, respondents: list[Respondent], path: Path) -> Path:
    form = campaign.form.form()
    key = "municipality_id" if campaign.form.level == "municipality" else "org_id"
    columns = _columns(form)
    wb = Workbook()
    sheet = wb.active
    sheet.title = DATA_SHEET
    header = ["Код", "Наименование", *[c[1] for c in columns], "Обоснование отклонений (мягкие проверки)"]
    codes = [key, "name", *[c[0] for c in columns], JUSTIFICATION]
    sheet.append(header)
    sheet.append(codes)
    bold, grey = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    for col in range(1, len(header) + 1):
        for row in (1, 2):
            cell = sheet.cell(row=row, column=col)
            cell.font, cell.fill = bold, grey
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for (_code, _title, f), col in zip(columns, range(3, 3 + len(columns)), strict=True):
        if f is not None and f.help:
            sheet.cell(row=1, column=col).comment = Comment(f.help, "msoko")
        sheet.column_dimensions[get_column_letter(col)].width = 18
    sheet.column_dimensions["B"].width = 40
    sheet.row_dimensions[1].height = 75
    for respondent in respondents:
        values = respondent.values
        justification = "; ".join(respondent.justifications.values())
        row = [respondent.unit_code, safe_cell(respondent.unit_name)]
        for code, _title, f in columns:
            value = values.get(code)
            row.append(_flag_text(value) if f is not None and f.type is FieldType.FLAG else safe_cell(value)
                       if isinstance(value, str) else value)
        row.append(safe_cell(justification) if justification else None)
        sheet.append(row)
    last = FIRST_ROW + len(respondents) - 1
    if respondents:
        unlocked = Protection(locked=False)
        for row in range(FIRST_ROW, last + 1):
            for col in range(3, len(codes) + 1):
                sheet.cell(row=row, column=col).protection = unlocked
        for (_code, _title, f), col in zip(columns, range(3, 3 + len(columns)), strict=True):
            letter = get_column_letter(col)
            area = f"{letter}{FIRST_ROW}:{letter}{last}"
            validation = _validation(f)
            if validation is not None:
                validation.add(area)
                sheet.add_data_validation(validation)
    sheet.freeze_panes = "C3"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    meta = {"format": FORMAT, "campaign": campaign.pk, "form": campaign.form.code,
            "version": campaign.form.version, "year": campaign.year, "key": key,
            "units": [r.unit_code for r in respondents], "codes": codes}
    info = wb.create_sheet(META_SHEET)
    info.append(["meta", json.dumps(meta, ensure_ascii=False, sort_keys=True)])
    info.append(["signature", _signature(meta)])
    info.sheet_state = "veryHidden"
    info.protection.sheet = True
    wb.save(path)
    return path


def _validation(f) -> DataValidation | None:
    if f is None:
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              error="Целое число не меньше 0", showErrorMessage=True)
    if f.type is FieldType.FLAG:
        return DataValidation(type="list", formula1='"да,нет"', allow_blank=True, showErrorMessage=True,
                              error="Выберите «да» или «нет»")
    if f.choices:
        listed = ",".join(str(c) for c in f.choices)
        if len(listed) < 250:
            return DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True, showErrorMessage=True)
        return None
    if f.type in (FieldType.INT, FieldType.NUMBER):
        kind = "whole" if f.type is FieldType.INT else "decimal"
        low = f.min if f.min is not None else -1e12
        high = f.max if f.max is not None else 1e12
        return DataValidation(type=kind, operator="between", formula1=str(low), formula2=str(high),
                              allow_blank=True, showErrorMessage=True,
                              error=f"Число от {low:g} до {high:g}")
    return None


# ---- reading back -------------------------------------------------------------------------------------

@dataclass
class RowPlan:
    respondent: Respondent
    cell_row: int
    raw: dict
    justification: str
    changes: dict = field(default_factory=dict)  # code → [before, after]


@dataclass
class Plan:
    campaign: Campaign | None = None
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and self.campaign is not None


def _where(row: int, col: int) -> str:
    return f"лист «{DATA_SHEET}», ячейка {get_column_letter(col)}{row}"


def _refused(message: str) -> Plan:
    return Plan(errors=[message])


def read_upload(path: Path, campaign: Campaign, user=None, *, allowed: set[str] | None = None) -> Plan:
    """Check a filled template against `campaign`; `allowed`: the unit codes the uploader may submit."""
    from msoko.ingest.tabular import cell_text

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — a file that is not a workbook is refused, never a traceback
        return _refused("файл не читается как книга Excel (XLSX)")
    try:
        if META_SHEET not in wb.sheetnames or DATA_SHEET not in wb.sheetnames:
            return _refused("это не шаблон msoko: нет служебного листа; скачайте шаблон кампании заново")
        info = {r[0]: r[1] for r in wb[META_SHEET].iter_rows(min_row=1, max_row=5, values_only=True) if r}
        try:
            meta = json.loads(info.get("meta") or "")
        except (TypeError, ValueError):
            return _refused("служебный лист шаблона повреждён; скачайте шаблон заново")
        if not hmac.compare_digest(str(info.get("signature") or ""), _signature(meta)):
            return _refused("служебные данные шаблона изменены или шаблон выдан другой системой — файл не принят")
        if meta.get("campaign") != campaign.pk:
            return _refused(f"шаблон относится к другой кампании ({meta.get('campaign')}), а не к {campaign.pk}")
        if meta.get("form") != campaign.form.code or meta.get("version") != campaign.form.version:
            return _refused(f"шаблон формы «{meta.get('form')}» версии {meta.get('version')}, а кампания собирает "
                            f"версию {campaign.form.version}")
        rows = list(wb[DATA_SHEET].iter_rows(min_row=1, max_row=MAX_ROWS + FIRST_ROW, values_only=True))
    finally:
        wb.close()
    codes = meta["codes"]
    if len(rows) < 2 or [cell_text(v) for v in rows[1][:len(codes)]] != codes:
        return _refused(f"лист «{DATA_SHEET}», строка 2: коды столбцов изменены — не меняйте строку кодов")
    plan = Plan(campaign=campaign)
    units = set(meta["units"])
    respondents = {r.unit_code: r for r in campaign.respondents.select_related("organisation", "municipality")
                   .filter(**({"organisation__code__in": units} if meta["key"] == "org_id"
                              else {"organisation__isnull": True, "municipality__code__in": units}))}
    form = campaign.form.form()
    seen: set[str] = set()
    for index, cells in enumerate(rows[2:], start=FIRST_ROW):
        cells = list(cells) + [None] * (len(codes) - len(cells))
        texts = {code: cell_text(value).strip() for code, value in zip(codes, cells, strict=False)}
        unit = texts.get(meta["key"], "")
        values = {c: texts[c] for c in codes[2:-1]}
        if not unit and not any(values.values()):
            continue
        if unit not in units or unit not in respondents:
            plan.errors.append(f"{_where(index, 1)}: код «{unit}» не из этого шаблона — ключевые ячейки менять нельзя")
            continue
        if unit in seen:
            plan.errors.append(f"{_where(index, 1)}: «{unit}» повторяется")
            continue
        seen.add(unit)
        respondent = respondents[unit]
        if not any(values.values()):
            plan.skipped += 1
            continue
        if allowed is not None and unit not in allowed:
            plan.errors.append(f"{_where(index, 1)}: «{unit}» вне вашей зоны доступа")
            continue
        if user is not None and not services.may_fill(user, respondent):
            plan.errors.append(f"{_where(index, 1)}: нет права заполнять форму «{respondent.unit_name}»")
            continue
        if respondent.state == State.ACCEPTED:
            plan.errors.append(f"{_where(index, 1)}: форма «{respondent.unit_name}» уже принята регионом")
            continue
        if not services.entry_open(respondent):
            plan.errors.append(f"{_where(index, 1)}: срок сдачи прошёл и ввод закрыт")
            continue
        justification = texts.get(JUSTIFICATION, "")
        prev = services.previous_values(respondent)
        soft_codes = [c.code for c in form.checks if str(c.kind) == "soft"]
        checked = check_values(form, values, prev=prev,
                               justifications={c: justification for c in soft_codes} if justification else None)
        col_of = {code: i + 1 for i, code in enumerate(codes)}
        for code, messages in checked.field_errors.items():
            plan.errors += [f"{_where(index, col_of[code])}: {m}" for m in messages]
        for failed in checked.hard:
            cols = ", ".join(f"{get_column_letter(col_of[c])}{index}" for c in failed.fields if c in col_of)
            plan.errors.append(f"лист «{DATA_SHEET}», ячейки {cols}: проверка «{failed.code}»: {failed.message}")
        for failed in checked.unjustified:
            plan.errors.append(f"{_where(index, col_of[JUSTIFICATION])}: {failed.message} — заполните обоснование")
        after = {c: v for c, v in checked.values.items() if v is not None}
        before = {c: v for c, v in respondent.values.items() if v is not None}
        row = RowPlan(respondent, index, values, justification, services.diff(before, after))
        plan.rows.append(row)
    return plan


def apply_plan(plan: Plan, user, *, label: str = "excel") -> int:
    """Submit every planned row; all or nothing. Returns the number submitted."""
    if not plan.ok:
        raise services.Refused(plan.errors)
    form = plan.campaign.form.form()
    soft_codes = [c.code for c in form.checks if str(c.kind) == "soft"]
    with transaction.atomic():
        for row in plan.rows:
            justifications = {c: row.justification for c in soft_codes} if row.justification else {}
            services.submit(row.respondent, user, row.raw, justifications=justifications, label=label,
                            replace=True, rosters={})  # the sheet gives roster totals directly
    return len(plan.rows)
