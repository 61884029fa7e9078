"""`msoko evaluation open|assign|sheet|score|reconcile|decide|publish` and `msoko export evaluation` — the МУМ
evaluation (issue 16, formats.md v2). The work is msoko.web.evaluation.services'; here only the arguments, the
located Russian errors (exit 1, nothing written) and the printed ids."""

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
    reject,
    setup_django,
    usage_error,
)
from msoko.cli.exports import app as export_app
from msoko.core.issues import Issue
from msoko.core.spreadsheet import write_csv

app = typer.Typer(help="Оценка муниципальных механизмов управления качеством образования (МУМ).",
                  no_args_is_help=True)

CampaignArgument = Annotated[int, typer.Argument(help="Номер кампании (печатает «msoko evaluation open»).")]
MunicipalityOption = Annotated[str, typer.Option("--municipality", help="Код муниципалитета.")]
EXPORT_COLUMNS = ["municipality_id", "system", "track", "position", "max_score", "score", "status"]
SUMMARY_COLUMNS = ["municipality_id", "system", "score", "max_score", "percent", "level", "rank"]
AGREEMENT_COLUMNS = ["system", "items", "experts", "alpha"]


def _django(home):
    setup_django(home)
    migrate()


def _fail(message: str) -> typer.Exit:
    err_console.print(f"Ошибка: {message} Ничего не записано.", style="red", markup=False, soft_wrap=True)
    return typer.Exit(EXIT_REJECTED)


def _campaign(pk: int | None):
    from msoko.web.evaluation.models import Campaign

    campaign = Campaign.objects.filter(pk=pk).first() if pk is not None else Campaign.objects.order_by(
        "-year", "-pk").first()
    if campaign is None:
        raise usage_error(f"нет кампании {pk}." if pk is not None else "кампаний оценки МУМ ещё нет.")
    return campaign


def _municipality(code: str):
    from msoko.web.registry.models import Municipality

    m = Municipality.objects.filter(code=code).first()
    if m is None:
        raise usage_error(f"нет муниципалитета с кодом «{code}».")
    return m


def _user(username: str):
    from msoko.web.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise usage_error(f"нет пользователя «{username}».")
    return user


@app.command("open")
def open_campaign(
    year: Annotated[int, typer.Option("--year", help="Год кампании.")],
    rubric: Annotated[Path | None, typer.Option("--rubric", help="Файл рубрики YAML (по умолчанию поставляемая).",
                                                show_default=False)] = None,
    deadline: Annotated[str | None, typer.Option("--deadline", help="Срок форм ГГГГ-ММ-ДД (по умолчанию 15 сентября).",
                                                 show_default=False)] = None,
    tolerance: Annotated[int, typer.Option("--tolerance", help="Допуск расхождения экспертов по параметру.")] = 0,
    region: Annotated[str | None, typer.Option("--region", help="Код региона (если в реестре их несколько).",
                                               show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Открывает кампанию с рубрикой (копия рубрики хранится в кампании); печатает её номер."""
    from msoko.engine.evaluation.rubric import RubricError, load_rubric

    try:
        due = date.fromisoformat(deadline) if deadline else date(year, 9, 15)
    except ValueError:
        raise usage_error(f"--deadline: ожидается дата ГГГГ-ММ-ДД, получено «{deadline}».") from None
    if rubric is not None and not rubric.exists():
        raise usage_error(f"нет файла рубрики {rubric}.")
    try:
        loaded = load_rubric(rubric)
    except RubricError as exc:
        raise reject(exc.issues, "Рубрика не принята, кампания не открыта.") from None
    _django(home)
    from msoko.web.evaluation import services
    from msoko.web.registry.models import Region

    regions = Region.objects.filter(code=region) if region else Region.objects.all()
    if regions.count() != 1:
        raise usage_error("укажите регион: --region КОД." if not region or regions.count() > 1
                          else f"нет региона «{region}».")
    try:
        campaign = services.open_campaign(regions.get(), year, loaded, due, tolerance=tolerance)
    except services.EvaluationError as exc:
        raise _fail(str(exc)) from None
    console.print(f"Кампания оценки МУМ {year}: рубрика {loaded.version} ({loaded.digest}), "
                  f"муниципалитетов {campaign.dossiers.count()}, срок форм {due:%d.%m.%Y}.", markup=False)
    console.print(str(campaign.pk), markup=False)


@app.command("assign")
def assign(
    campaign: CampaignArgument,
    expert: Annotated[str | None, typer.Option("--expert", help="Имя пользователя эксперта.",
                                               show_default=False)] = None,
    municipality: Annotated[str | None, typer.Option("--municipality", help="Код муниципалитета.",
                                                     show_default=False)] = None,
    auto: Annotated[bool, typer.Option("--auto", help="Назначить всем муниципалитетам по 2 эксперта "
                                                      "с равной нагрузкой.")] = False,
    home: HomeOption = None,
) -> None:
    """Назначает эксперта муниципалитету (не из этого муниципалитета и не из его организаций)."""
    _django(home)
    from msoko.web.evaluation import services

    c = _campaign(campaign)
    try:
        if auto:
            console.print(f"Назначено экспертов: {services.auto_assign(c)}.", markup=False)
            return
        if not expert or not municipality:
            raise usage_error("укажите --expert и --municipality (или --auto).")
        dossier = c.dossiers.get(municipality=_municipality(municipality))
        a = services.assign(dossier, _user(expert))
    except services.EvaluationError as exc:
        raise _fail(str(exc)) from None
    console.print(f"Эксперт {expert} назначен: {dossier.municipality.name}.", markup=False)
    console.print(str(a.pk), markup=False)


@app.command("affiliate")
def affiliate(
    expert: Annotated[str, typer.Argument(help="Имя пользователя эксперта.", show_default=False)],
    municipality: Annotated[str | None, typer.Option("--municipality", help="Код муниципалитета места работы.",
                                                     show_default=False)] = None,
    organisation: Annotated[str | None, typer.Option("--organisation", help="Код организации места работы.",
                                                     show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Записывает место работы эксперта: его не назначат этому муниципалитету (конфликт интересов). Без
    --municipality и --organisation место работы стирается."""
    _django(home)
    from msoko.web.evaluation import services
    from msoko.web.registry.models import Organisation

    org = None
    if organisation:
        org = Organisation.objects.select_related("municipality").filter(code=organisation).first()
        if org is None:
            raise usage_error(f"нет организации с кодом «{organisation}».")
    try:
        found = services.set_affiliation(_user(expert), _municipality(municipality) if municipality else None, org)
    except services.EvaluationError as exc:
        raise _fail(str(exc)) from None
    if found is None:
        console.print(f"Место работы эксперта {expert} стёрто.", markup=False)
    else:
        place = f"{found.organisation.name}, " if found.organisation_id else ""
        console.print(f"Эксперт {expert}: место работы — {place}{found.municipality.name}.", markup=False)


def _assignment(c, expert: str, municipality: str):
    from msoko.web.evaluation.models import Assignment

    a = Assignment.objects.filter(dossier__campaign=c, dossier__municipality=_municipality(municipality),
                                  expert=_user(expert)).first()
    if a is None:
        raise usage_error(f"эксперт {expert} не назначен на муниципалитет {municipality} в кампании {c.pk}.")
    return a


@app.command("sheet")
def sheet(
    campaign: CampaignArgument,
    expert: Annotated[str, typer.Option("--expert", help="Имя пользователя эксперта.")],
    municipality: MunicipalityOption,
    output: Annotated[Path, typer.Option("-o", "--output", help="Файл XLSX.")],
    home: HomeOption = None,
) -> None:
    """Оценочный лист эксперта: position, parameter, min, max, score — строка на параметр каждой позиции."""
    _django(home)
    from msoko.web.evaluation.sheets import write_sheet

    write_sheet(_assignment(_campaign(campaign), expert, municipality), output)
    console.print(f"Оценочный лист записан в {output}.", markup=False)


@app.command("score")
def score(
    campaign: CampaignArgument,
    file: Annotated[Path, typer.Argument(help="Заполненный оценочный лист XLSX.")],
    draft: Annotated[bool, typer.Option("--draft", help="Сохранить как черновик, не представляя оценку.")] = False,
    home: HomeOption = None,
) -> None:
    """Загружает заполненный лист (эксперт и муниципалитет — из листа «Сведения»); по умолчанию представляет оценку."""
    if not file.exists():
        raise usage_error(f"нет файла {file}.")
    _django(home)
    from msoko.web.evaluation import services
    from msoko.web.evaluation.sheets import META, read_sheet

    c = _campaign(campaign)
    meta, scores, issues = read_sheet(file, c.rubric)
    if not issues and str(meta.get("campaign")) != str(c.pk):
        issues.append(Issue.error(f"лист относится к кампании {meta.get('campaign')}, а не {c.pk}",
                                  file=f"{file.name}, лист «{META}»"))
    if not issues and meta.get("rubric_digest") != c.rubric_digest:
        issues.append(Issue.error("лист составлен по другой версии рубрики", file=f"{file.name}, лист «{META}»"))
    if issues:
        raise reject(issues, "Лист не принят, ничего не записано.")
    a = _assignment(c, str(meta.get("expert")), str(meta.get("municipality")))
    try:
        a.via_sheet = True
        services.record_scores(a, scores, submit=not draft)
    except services.EvaluationError as exc:
        raise reject([Issue.error(m.strip(), file=file.name) for m in str(exc).split("; ")],
                     "Лист не принят, ничего не записано.") from None
    console.print(f"Оценка эксперта {a.expert.username} по «{a.dossier.municipality.name}» "
                  f"{'сохранена как черновик' if draft else 'представлена'}.", markup=False)


@app.command("reconcile")
def reconcile(
    campaign: CampaignArgument,
    tolerance: Annotated[int | None, typer.Option("--tolerance", help="Допуск по параметру (по умолчанию — кампании).",
                                                  show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Сверяет оценки экспертов: позиции в пределах допуска — согласованы, остальные — расхождение."""
    _django(home)
    from msoko.web.evaluation import services

    s = services.reconcile(_campaign(campaign), tolerance)
    console.print(f"Сверено муниципалитетов: {s.dossiers}; согласовано позиций: {s.agreed}; расхождений: "
                  f"{s.disputed}; ждут оценок экспертов: {len(s.waiting)}"
                  + (f" ({', '.join(s.waiting[:10])})" if s.waiting else "") + ".", markup=False)


@app.command("decide")
def decide(
    campaign: CampaignArgument,
    municipality: MunicipalityOption,
    position: Annotated[str, typer.Option("--position", help="Код позиции рубрики.")],
    score: Annotated[float, typer.Option("--score", help="Балл позиции.")],
    reason: Annotated[str, typer.Option("--reason", help="Письменное обоснование.")],
    chair: Annotated[str | None, typer.Option("--chair", help="Имя пользователя председателя.",
                                              show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Решение председателя по спорной позиции (исходные баллы экспертов сохраняются)."""
    _django(home)
    from msoko.web.evaluation import services

    c = _campaign(campaign)
    try:
        outcome = services.find_outcome(c, municipality, position)
        d = services.decide(outcome, score, reason, _user(chair) if chair else None)
    except services.EvaluationError as exc:
        raise _fail(str(exc)) from None
    console.print(f"Решение по позиции {position} ({outcome.dossier.municipality.name}, раунд {outcome.round}) "
                  "записано.", markup=False)
    console.print(str(d.pk), markup=False)


@app.command("publish")
def publish(campaign: CampaignArgument, home: HomeOption = None) -> None:
    """Публикует итоги: муниципалитеты видят заключения, открывается срок апелляции."""
    _django(home)
    from msoko.web.evaluation import services

    c = _campaign(campaign)
    services.publish(c)
    console.print(f"Итоги опубликованы; апелляции до {c.appeal_until():%d.%m.%Y}.", markup=False)


def _num(value: float | None, digits: int = 2):
    return None if value is None else round(value, digits)


@export_app.command("evaluation")
def export_evaluation(
    campaign: Annotated[int | None, typer.Argument(help="Номер кампании; без него — последняя.",
                                                   show_default=False)] = None,
    summary: Annotated[bool, typer.Option("--summary", help="Итоги по системам и общий, с местом.")] = False,
    agreement: Annotated[bool, typer.Option("--agreement", help="Согласованность экспертов (α Криппендорфа).")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Файл CSV; без него — стандартный вывод.",
                                                show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Оценка МУМ: municipality_id, system, track, position, max_score, score, status (или --summary, --agreement)."""
    if summary and agreement:
        raise usage_error("укажите что-то одно: --summary или --agreement.")
    _django(home)
    from msoko.engine.evaluation.scoring import competition_ranks
    from msoko.web.evaluation import services

    c = _campaign(campaign)
    if agreement:
        report = services.agreement(c)
        write_csv(AGREEMENT_COLUMNS, ([k, a.items, a.experts, _num(a.alpha, 4)] for k, a in report.by_system.items()),
                  output)
        return
    results = services.campaign_results(c)
    if summary:
        keys = [s.code for s in c.rubric.systems] + ["total"]
        ranks = {k: competition_ranks({r.dossier.pk: r.system_total(k).score for r in results}) for k in keys}
        rows = [[r.dossier.municipality.code, k, _num(r.system_total(k).score), r.system_total(k).max_score,
                 _num(r.system_total(k).percent), r.system_total(k).level.code if r.system_total(k).level else None,
                 ranks[k][r.dossier.pk]] for r in results for k in keys]
        write_csv(SUMMARY_COLUMNS, rows, output)
        return
    write_csv(EXPORT_COLUMNS, ([r.dossier.municipality.code, p.position.system, p.position.track, p.position.code,
                                p.position.max_score, _num(p.score), p.status] for r in results for p in r.positions),
              output)


def write_conclusion(home, municipality: str, fmt: str, output: Path, campaign: int | None = None) -> str:
    """`msoko report --kind evaluation`: the expert conclusion of one municipality (latest campaign)."""
    _django(home)
    from msoko.reports.evaluation.conclusion import build_conclusion
    from msoko.reports.evaluation.render import write
    from msoko.web.evaluation import documents, services

    c = _campaign(campaign)
    dossier = c.dossiers.filter(municipality=_municipality(municipality)).first()
    if dossier is None:
        raise usage_error(f"муниципалитет {municipality} не участвует в кампании {c.pk}.")
    write(build_conclusion(documents.conclusion_data(services.dossier_result(dossier))), fmt, output)
    return f"Экспертное заключение «{dossier.municipality.name}» ({c}) записано в {output}"
