"""`msoko forms list|open|template|submit|accept|status` — data collection campaigns (formats.md v2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from msoko.cli.common import (
    EXIT_REJECTED,
    HomeOption,
    console,
    err_console,
    migrate,
    print_issues,
    setup_django,
    usage_error,
)

app = typer.Typer(help="Сбор данных: формы и кампании.", no_args_is_help=True)

CampaignArgument = Annotated[int, typer.Argument(help="Номер кампании (msoko forms open печатает его).",
                                                 show_default=False)]


def _django(home):
    ws = setup_django(home)
    migrate()
    return ws


def _refuse(reasons: list[str], summary: str = "Ничего не изменено.") -> typer.Exit:
    for reason in reasons:
        err_console.print(f"Ошибка: {reason}", style="red", markup=False, soft_wrap=True)
    err_console.print(summary, style="bold red", markup=False)
    return typer.Exit(EXIT_REJECTED)


def _campaign(pk: int):
    from msoko.web.collection.models import Campaign

    campaign = Campaign.objects.select_related("form").filter(pk=pk).first()
    if campaign is None:
        raise usage_error(f"кампания {pk} не найдена.")
    return campaign


@app.command("list")
def list_forms(home: HomeOption = None) -> None:
    """Формы: код, версия, набор данных, уровень респондента."""
    from msoko.cli.common import workspace
    from msoko.ingest.declared import catalog_and_forms

    ws = workspace(home)
    _, forms, issues = catalog_and_forms(ws)
    if issues:
        print_issues(issues)
        raise typer.Exit(EXIT_REJECTED)
    for form in sorted(forms, key=lambda f: (f.code, f.version)):
        kinds = ",".join(form.respondent.kinds) or "все"
        level = str(form.respondent.level) + (f" ({kinds})" if str(form.respondent.level) == "organisation" else "")
        typer.echo(f"{form.code}\t{form.version}\t{form.dataset}\t{level}\t{form.title}")


@app.command("open")
def open_campaign(
    form: Annotated[str, typer.Argument(help="Код формы (msoko forms list).", show_default=False)],
    year: Annotated[int, typer.Option("--year", help="Год данных.", show_default=False)],
    deadline: Annotated[str, typer.Option("--deadline", help="Срок сдачи, ГГГГ-ММ-ДД.", show_default=False)],
    municipality: Annotated[list[str] | None, typer.Option("--municipality", help="Только этот муниципалитет; "
                                                           "можно несколько раз.", show_default=False)] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Виды организаций (school, kindergarten, "
                                                   "additional); по умолчанию — из формы.", show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Открыть кампанию сбора: форма × год × организации (фиксируются сейчас) × срок. Печатает номер."""
    try:
        due = date.fromisoformat(deadline)
    except ValueError:
        raise usage_error(f"срок «{deadline}» — ожидается дата ГГГГ-ММ-ДД.") from None
    _django(home)
    from msoko.web.collection.services import Refused
    from msoko.web.collection.services import open_campaign as run

    try:
        campaign = run(form, year, due, municipalities=municipality or (), kinds=kind or ())
    except Refused as refused:
        raise _refuse(refused.reasons) from None
    console.print(f"Открыта кампания «{campaign.form.title}», {year}: респондентов "
                  f"{campaign.respondents.count()}, срок {due:%d.%m.%Y}.", markup=False)
    typer.echo(str(campaign.pk))


@app.command("template")
def template(
    campaign: CampaignArgument,
    output: Annotated[Path, typer.Option("-o", "--output", help="Файл XLSX.", show_default=False)],
    org: Annotated[str | None, typer.Option("--org", help="Шаблон одной организации.", show_default=False)] = None,
    municipality: Annotated[str | None, typer.Option("--municipality", help="Шаблон муниципалитета: "
                                                     "строка на организацию.", show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Заполненный текущими значениями шаблон XLSX: строка кодов столбцов, org_id, строка на организацию."""
    if (org is None) == (municipality is None):
        raise usage_error("укажите ровно одно из --org или --municipality.")
    _django(home)
    from msoko.web.collection.excel import build_template

    found = _campaign(campaign)
    respondents = found.respondents.select_related("organisation", "municipality")
    if org is not None:
        respondents = respondents.filter(organisation__code=org)
    else:
        respondents = respondents.filter(municipality__code=municipality)
    respondents = list(respondents)
    if not respondents:
        raise _refuse([f"в кампании {campaign} нет респондентов «{org or municipality}»"])
    build_template(found, respondents, output)
    console.print(f"Шаблон записан: {output} (строк {len(respondents)}).", markup=False)


@app.command("submit")
def submit(
    campaign: CampaignArgument,
    file: Annotated[Path, typer.Argument(help="Заполненный шаблон XLSX.", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Только проверить и показать изменения.")] = False,
    home: HomeOption = None,
) -> None:
    """Заполненный шаблон становится ответами (состояние submitted); при ошибке — ничего не сохраняется."""
    if not file.is_file():
        raise usage_error(f"файл «{file}» не найден.")
    _django(home)
    from msoko.web.collection.excel import apply_plan, read_upload
    from msoko.web.collection.services import Refused

    plan = read_upload(file, _campaign(campaign))
    if not plan.ok:
        raise _refuse(plan.errors, "Файл не принят, ничего не сохранено.")
    for row in plan.rows:
        for code, (before, after) in row.changes.items():
            typer.echo(f"{row.respondent.unit_code}\t{code}\t{'' if before is None else before} → "
                       f"{'' if after is None else after}")
    if dry_run:
        console.print(f"Проверка без записи: строк к отправке {len(plan.rows)}, пустых {plan.skipped}.",
                      markup=False)
        return
    try:
        count = apply_plan(plan, None, label="cli")
    except Refused as refused:
        raise _refuse(refused.reasons, "Файл не принят, ничего не сохранено.") from None
    console.print(f"Отправлено ответов: {count}.", markup=False)


@app.command("accept")
def accept(
    campaign: CampaignArgument,
    org: Annotated[list[str] | None, typer.Option("--org", help="Принять ответ этой организации (или "
                                                  "муниципалитета); можно несколько раз.", show_default=False)] = None,
    all_submitted: Annotated[bool, typer.Option("--all-submitted", help="Принять все отправленные и "
                                                "согласованные ответы.")] = False,
    home: HomeOption = None,
) -> None:
    """Регион принимает ответы; принятые данные публикуются в набор данных."""
    if not org and not all_submitted:
        raise usage_error("укажите --org ID или --all-submitted.")
    _django(home)
    from django.db.models import Q

    from msoko.web.collection.models import State
    from msoko.web.collection.services import Refused, accept_many

    found = _campaign(campaign)
    respondents = found.respondents.select_related("organisation", "municipality", "campaign")
    if all_submitted:
        chosen = list(respondents.filter(state__in=(State.SUBMITTED, State.APPROVED)))
    else:
        chosen = list(respondents.filter(Q(organisation__code__in=org) |
                                         Q(organisation__isnull=True, municipality__code__in=org)))
        missing = sorted(set(org) - {r.unit_code for r in chosen})
        if missing:
            raise _refuse([f"«{code}» не входит в кампанию {campaign}" for code in missing])
    if not chosen:
        raise _refuse(["нет ответов для приёма"])
    try:
        accepted, outcomes = accept_many(chosen, None, label="cli")
    except Refused as refused:
        raise _refuse(refused.reasons) from None
    published = next((o for o in outcomes if o is not None), None)
    console.print(f"Принято ответов: {len(accepted)}; опубликовано в набор «{found.form.dataset}»"
                  + (f" (загрузка {published.import_id})" if published else "") + ".", markup=False)


@app.command("status")
def status(
    campaign: CampaignArgument,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Файл CSV; без него — стандартный "
                                                "вывод.", show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """CSV: org_id, municipality_id, state, submitted_at, on_time."""
    _django(home)
    from msoko.core.spreadsheet import write_csv
    from msoko.web.collection.services import status_rows

    write_csv(["org_id", "municipality_id", "state", "submitted_at", "on_time"], status_rows(_campaign(campaign)),
              output)


@app.command("remind")
def remind(home: HomeOption = None) -> None:
    """Напоминания: респондентам — за 3 дня до срока, координаторам — о просроченных формах."""
    _django(home)
    from msoko.web.collection.reminders import send_reminders

    console.print(f"Создано напоминаний: {send_reminders()}.", markup=False)
