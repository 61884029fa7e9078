from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "msoko.web.dashboards"
    label = "dashboards"
    verbose_name = "Панели показателей"
