"""The management cycle: goals, indicators, collection, monitoring, analysis, recommendations, measures,
decisions and the analysis of the measures' effect, per system and track."""
from django.apps import AppConfig


class CycleConfig(AppConfig):
    name = "msoko.web.cycle"
    label = "cycle"
    verbose_name = "Управленческий цикл"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from msoko.web.cycle import models

        for model in (models.Cycle, models.Goal, models.CycleIndicator, models.CollectionMethod,
                      models.MonitoringEvent, models.Analysis, models.Recommendation, models.Decision,
                      models.EffectivenessReview, models.Document):
            auditlog.register(model)
        auditlog.register(models.Measure, m2m_fields={"organisations"})
