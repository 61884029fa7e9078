"""`msoko report` — the analytical report (справка) of a region, a municipality or an organisation.

    msoko report --scope municipality --id mo9901 --format docx -o справка.docx
    msoko report --scope municipality --id mo9901 --each-organisation --format pdf -o школы.zip

Reads the stored results (`msoko compute`); nothing is recomputed. The file is written aside and renamed
into place, so a failed run leaves nothing behind. Exit status: 0 done; 1 the workspace is not ready
(no results, no registry, a broken template); 2 wrong usage (scope, format, unknown id, no -o).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from msoko.cli.common import (
    EXIT_REJECTED,
    HomeOption,
    console,
    err_console,
    migrate,
    setup_django,
    usage_error,
    workspace,
)


def cycle_data(home, scope: str, codes: list[str]) -> dict[str, dict | None]:
    """The management-cycle section of each report (issue 8), from the web's cycle records."""
    setup_django(home)
    migrate()
    from msoko.web.cycle.digest import report_section

    return {code: report_section(scope, code) for code in codes}


def report(
    scope: Annotated[str, typer.Option("--scope", help="region | municipality | organisation")] = "region",
    id_: Annotated[str | None, typer.Option("--id", help="Код региона, муниципалитета или организации "
                                            "(для региона можно не указывать).")] = None,
    format_: Annotated[str, typer.Option("--format", help="docx | pdf | xlsx")] = "docx",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Файл справки (ZIP при --each-organisation).",
                                                show_default=False)] = None,
    each_organisation: Annotated[bool, typer.Option(
        "--each-organisation", help="Справки всех организаций муниципалитета (или региона) в одном ZIP.")] = False,
    template: Annotated[Path | None, typer.Option(
        "--template", help="Шаблон DOCX (по умолчанию templates/report/spravka.docx рабочего пространства или "
                           "поставляемый).", show_default=False)] = None,
    kind: Annotated[str, typer.Option("--kind", help="analytical (справка) | evaluation (экспертное заключение "
                                                     "оценки МУМ)")] = "analytical",
    home: HomeOption = None,
) -> None:
    """Информационно-аналитическая справка в DOCX, PDF или XLSX по сохранённым результатам расчёта."""
    if kind == "evaluation":
        from msoko.cli.evaluation import write_conclusion

        if scope != "municipality" or not id_ or format_ not in ("docx", "pdf") or output is None:
            raise usage_error("--kind evaluation: укажите --scope municipality --id КОД --format docx|pdf -o ФАЙЛ.")
        console.print(write_conclusion(home, id_, format_, output), markup=False, soft_wrap=True)
        return
    if kind != "analytical":
        raise usage_error(f"--kind: ожидается analytical или evaluation, получено «{kind}».")
    from msoko.reports import FORMATS, SCOPES, ReportError, ReportSource, write_batch, write_report

    if scope not in SCOPES:
        raise usage_error(f"--scope: ожидается одно из {', '.join(SCOPES)}, получено «{scope}».")
    if format_ not in FORMATS:
        raise usage_error(f"--format: ожидается одно из {', '.join(FORMATS)}, получено «{format_}».")
    if output is None:
        raise usage_error("укажите файл справки: -o ФАЙЛ.")
    if each_organisation and scope == "organisation":
        raise usage_error("--each-organisation применяется к --scope municipality или region.")
    if id_ is None and scope != "region":
        raise usage_error("укажите код муниципалитета или организации: --id КОД.")
    ws = workspace(home)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        source = ReportSource.load(ws)
        code = id_ or source.registry.region_code
        with Progress(*columns, console=err_console, transient=True) as progress:
            task = progress.add_task("Справка", total=None)

            def step(stage: str, done: int, total: int | None) -> None:
                progress.update(task, description=stage, completed=done, **({"total": total} if total else {}))

            if each_organisation:
                from msoko.reports.context import resolve

                codes = [o.code for o in resolve(source, scope, code).orgs]
                step("Управленческий цикл", 0, None)
                count = write_batch(source, codes, format_, output, root=ws.root, template=template,
                                    cycles=cycle_data(home, "organisation", codes),
                                    workers=min(2, os.cpu_count() or 1), progress=step)
                summary = f"Справки организаций ({count}) записаны в {output}"
            else:
                document = write_report(source, scope, code, format_, output, root=ws.root, template=template,
                                        cycle=cycle_data(home, scope, [code])[code], progress=step)
                summary = (f"Справка «{document.fields['объект']}» записана в {output} "
                           f"(версия данных {document.provenance['digest']})")
    except ReportError as exc:
        if exc.usage:
            raise usage_error(f"{exc} Ничего не записано.") from None
        err_console.print(f"Ошибка: {exc} Ничего не записано.", style="red", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_REJECTED) from None
    console.print(summary, markup=False, soft_wrap=True)
