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
