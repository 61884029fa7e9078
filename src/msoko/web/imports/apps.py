from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "msoko.web.imports"
    label = "imports"
    verbose_name = "Загрузка данных"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from msoko.web.imports.models import ImportRecord

        auditlog.register(ImportRecord)
