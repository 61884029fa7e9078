from django.apps import AppConfig


class CycleConfig(AppConfig):
    name = "msoko.web.cycle"
    label = "cycle"
    verbose_name = "Управленческий цикл"
