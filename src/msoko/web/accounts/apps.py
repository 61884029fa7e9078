from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "msoko.web.accounts"
    label = "accounts"
    verbose_name = "Пользователи и роли"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from msoko.web.accounts.models import ApiToken, User

        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(ApiToken, exclude_fields=["digest", "last_used"])
