"""Recompute from the web: after an import, an accepted form or a changed setting, the results are brought
up to date by a background job (`engine.pipeline.run_all`, the same sequence as `msoko compute`).

`request_recompute(actor)` is what other apps call. It is debounced: while a recompute is still waiting
in the queue, further requests join it (it will read everything written before it starts), so ten imports
in a row cost one or two recomputes, not ten. A request while one is running queues one more — the
running one may have read the warehouse before the latest change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from msoko.core.issues import RejectedInput
from msoko.engine.incremental import describe
from msoko.engine.pipeline import STAGES, run_all
from msoko.web.jobs.models import Job, JobStatus
from msoko.web.jobs.runner import Report, submit

KIND = "recompute"
LABEL = "Пересчёт результатов"
STEP = 100  # progress units per stage


def queued() -> Job | None:
    return Job.objects.filter(kind=KIND, status=JobStatus.QUEUED).order_by("created").first()


def request_recompute(actor, *, reason: str = "") -> Job:
    """The recompute job that will include every change made so far: the one still queued, or a new one."""
    with transaction.atomic():
        waiting = queued()
        if waiting is not None:
            return waiting
        label = f"{LABEL} ({reason})" if reason else LABEL
        return submit(kind=KIND, label=label, owner=actor, function=run_recompute)


def latest_unfinished(user) -> Job | None:
    """The recompute the user started that has not finished (the import's page links to its progress)."""
    return (Job.owned_by(user).filter(kind=KIND, status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
            .order_by("-created").first())


def run_recompute(report: Report) -> tuple[str, dict]:
    """The body of the job: every stage of the pipeline as one progress bar of len(STAGES) × STEP."""
    total = len(STAGES) * STEP

    def progress(stage: str, name: str, done: int, of: int) -> None:
        index = STAGES.index(stage) if stage in STAGES else 0
        within = round(STEP * done / of) if of else 0
        report(f"{stage}: {name}" if name else stage, index * STEP + min(within, STEP), total)

    engine = settings.COMPUTE_ENGINE
    if engine == "spark":
        from msoko.engine.spark import NOT_INSTALLED, spark_available

        if not spark_available():
            return JobStatus.REJECTED, {
                "summary": f"Сервер настроен считать показатели на Spark (MSOKO_ENGINE=spark), но {NOT_INSTALLED} — "
                           "или уберите MSOKO_ENGINE. Результаты не пересчитаны, действуют прежние.",
                "issues": []}
    try:
        summary = run_all(settings.WORKSPACE, progress=progress, engine=engine)
    except RejectedInput as rejected:
        return JobStatus.REJECTED, {
            "summary": "Настройки расчёта (каталог показателей, detection.yaml или ratings.yaml) содержат ошибки; "
                       "результаты не пересчитаны, действуют прежние.",
            "issues": [issue.as_dict() for issue in rejected.issues][:1000]}
    data = summary.as_dict()
    years = ", ".join(str(y) for y in summary.years) or "нет данных"
    # the run is incremental: say what it recomputed and why (engine.incremental.describe)
    said = " ".join(describe(summary.plan))
    if summary.plan["mode"] == "full" or summary.plan.get("indicator_datasets"):
        said += (f" Показателей рассчитано: {data['computed']} (годы: {years}), ожидают данных: {data['waiting']}; "
                 f"{data['seconds']:.1f} с.")
    return JobStatus.DONE, {
        "summary": said,
        "issues": data["warnings"][:1000],
        "pipeline": {key: data[key] for key in ("run_id", "rows", "computed", "waiting", "years", "seconds",
                                                 "stages", "plan", "engine")},
        "next_url": "/",
        "next_label": "На главную",
    }
