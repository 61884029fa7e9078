"""Users: each bound to one role and one scope (the region, one municipality, or one organisation)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from msoko.web.accounts.roles import SCOPE_LEVEL, Role


class User(AbstractUser):
    role = models.CharField("роль", max_length=32, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        "registry.Region", on_delete=models.PROTECT, null=True, blank=True, verbose_name="регион"
    )
    municipality = models.ForeignKey(
        "registry.Municipality", on_delete=models.PROTECT, null=True, blank=True, verbose_name="муниципалитет"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, null=True, blank=True, verbose_name="организация"
    )

    # a region admin manages the users bound to the region, its municipalities and their organisations
    SCOPE_LOOKUPS = {
        "region": ("region", "municipality__region", "organisation__municipality__region"),
        "municipality": ("municipality", "organisation__municipality"),
        "organisation": "organisation",
    }

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"

    def clean(self) -> None:
        super().clean()
        if not self.role:
            return
        level = SCOPE_LEVEL[Role(self.role)]
        bound = {"region": self.region_id, "municipality": self.municipality_id, "organisation": self.organisation_id}
        if bound[level] is None:
            raise ValidationError({level: f"Для роли «{self.get_role_display()}» нужно указать {self._meta.get_field(level).verbose_name}."})
        extra = [name for name, value in bound.items() if name != level and value is not None]
        if extra:
            raise ValidationError(
                {extra[0]: f"Для роли «{self.get_role_display()}» задаётся только {self._meta.get_field(level).verbose_name}."}
            )


class ApiToken(models.Model):
    """A personal token for the HTTP API: only its SHA-256 is stored (a token is 256 random bits, so a fast
    hash suffices); shown once when issued; revoked, never deleted, so the audit trail keeps it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="пользователь")
    digest = models.CharField("SHA-256 токена", max_length=64, unique=True)
    prefix = models.CharField("начало токена", max_length=16)
    label = models.CharField("назначение", max_length=200, blank=True)
    created = models.DateTimeField("выпущен", auto_now_add=True)
    last_used = models.DateTimeField("последнее использование", null=True, blank=True)
    revoked = models.DateTimeField("отозван", null=True, blank=True)

    class Meta:
        verbose_name = "токен API"
        verbose_name_plural = "токены API"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"

    @property
    def is_active(self) -> bool:
        return self.revoked is None

    @classmethod
    def owned_by(cls, user):
        return cls.objects.filter(user=user) if user.is_authenticated else cls.objects.none()
