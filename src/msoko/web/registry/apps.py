from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "msoko.web.registry"
    label = "registry"
    verbose_name = "Реестр"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from msoko.web.registry.models import AcademicYear, Municipality, Organisation, Region

        for model in (Region, Municipality, Organisation, AcademicYear):
            auditlog.register(model)
