"""The database's record of every import: a mirror of the warehouse journal, with who and within which scope.

The warehouse journal (msoko.ingest) is the source of truth for what is active (the status shown is read
from it); this table adds the Django user and the scope the import was made in, so the history is
scoped like everything else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportRecord(models.Model):
    import_id = models.CharField("номер загрузки", max_length=64, unique=True)
    when = models.DateTimeField("когда")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="кто загрузил"
    )
    actor = models.CharField("источник", max_length=150, help_text="имя пользователя или «cli»")
    file_name = models.CharField("файл", max_length=500)
    checksum = models.CharField("контрольная сумма SHA-256", max_length=64, blank=True)
    kind = models.CharField("вид данных", max_length=32)
    dataset = models.CharField("набор данных", max_length=64, blank=True)
    profile = models.CharField("профиль импорта", max_length=255, blank=True)
    rows = models.BigIntegerField("строк", default=0)
    warning_count = models.IntegerField("предупреждений", default=0)
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, null=True, blank=True)
    municipality = models.ForeignKey("registry.Municipality", on_delete=models.PROTECT, null=True, blank=True)
    organisation = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, null=True, blank=True)

    # A region sees every import of the region; a municipality its own uploads; a school its own.
    SCOPE_LOOKUPS = {"region": "region", "municipality": "municipality", "organisation": "organisation"}

    class Meta:
        verbose_name = "загрузка"
        verbose_name_plural = "загрузки"
        ordering = ["-when"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.when:%d.%m.%Y %H:%M})"
