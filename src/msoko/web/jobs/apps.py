from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "msoko.web.jobs"
    label = "jobs"
    verbose_name = "Фоновые задания"
