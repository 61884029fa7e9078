from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "msoko.web.reports"
    label = "reports"
    verbose_name = "Аналитические справки"
