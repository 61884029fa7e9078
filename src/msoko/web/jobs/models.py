"""A job: long work (an import, a recompute, a report) run outside the request, with its progress.

A job is its owner's: only the user who started it sees it (`owned_by`), so its page and its result
never leak across scopes.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "в очереди"
    RUNNING = "running", "выполняется"
    DONE = "done", "готово"
    REJECTED = "rejected", "данные не приняты"
    FAILED = "failed", "сбой"


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("вид", max_length=32)
    label = models.CharField("описание", max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name="кто запустил")
    status = models.CharField("состояние", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    stage = models.CharField("этап", max_length=255, blank=True)
    done = models.BigIntegerField("сделано", default=0)
    total = models.BigIntegerField("всего", null=True, blank=True)
    result = models.JSONField("результат", default=dict, blank=True)
    created = models.DateTimeField("создано", auto_now_add=True)
    # the server process that accepted the job (`processes.current()`): a job whose process died is failed
    # at the next start (`orphans.reap`), and its uploaded file removed
    process = models.CharField("процесс", max_length=128, blank=True)
    upload = models.CharField("загруженный файл", max_length=1000, blank=True)
    finished = models.DateTimeField("завершено", null=True, blank=True)

    class Meta:
        verbose_name = "задание"
        verbose_name_plural = "задания"
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.REJECTED, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return max(0, min(100, round(100 * self.done / self.total)))

    @classmethod
    def owned_by(cls, user):
        return cls.objects.filter(owner=user) if user.is_authenticated else cls.objects.none()
