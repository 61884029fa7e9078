"""The evaluation of municipal mechanisms (МУМ): campaign, primary data form, expert scores, reconciliation."""
from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "msoko.web.evaluation"
    label = "evaluation"
    verbose_name = "Оценка муниципальных механизмов"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from msoko.web.evaluation import models

        for model in (models.Campaign, models.Dossier, models.Assignment, models.ExpertPosition, models.Outcome,
                      models.Decision, models.Appeal, models.ExpertAffiliation):
            auditlog.register(model)
