"""Data collection: forms, campaigns, submissions, approval and completeness."""
from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "msoko.web.collection"
    label = "collection"
    verbose_name = "Сбор данных"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from msoko.web.collection import models

        auditlog.register(models.FormVersion)
        auditlog.register(models.Campaign, m2m_fields={"municipalities"})
        auditlog.register(models.Respondent)
