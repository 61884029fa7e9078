"""The registry: region → municipality → organisation, and academic years.

Each model says how it is reached from a user's scope (`SCOPE_LOOKUPS`): the one gate in
`msoko.web.access` reads it, so a new model joins the scoping by declaring the same three lookups.
"""

from __future__ import annotations

from django.db import models


class Region(models.Model):
    code = models.CharField("код", max_length=64, unique=True)
    name = models.CharField("название", max_length=255)

    SCOPE_LOOKUPS = {"region": "pk", "municipality": None, "organisation": None}

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    code = models.CharField("код", max_length=64, unique=True)
    name = models.CharField("название", max_length=255)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name="регион")

    SCOPE_LOOKUPS = {"region": "region", "municipality": "pk", "organisation": None}

    class Meta:
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", "школа"
    KINDERGARTEN = "kindergarten", "детский сад"
    ADDITIONAL = "additional", "дополнительное образование"


class Locality(models.TextChoices):
    URBAN = "urban", "городская"
    RURAL = "rural", "сельская"


class Organisation(models.Model):
    code = models.CharField("код (логин ФИС ОКО)", max_length=64, unique=True)
    name = models.CharField("название", max_length=500)
    kind = models.CharField("вид", max_length=16, choices=OrganisationKind.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="organisations", verbose_name="муниципалитет"
    )
    locality = models.CharField("местность", max_length=8, choices=Locality.choices, blank=True)
    small_school = models.BooleanField("малокомплектная", null=True, blank=True)
    remote = models.BooleanField("удалённая", null=True, blank=True)
    advanced = models.BooleanField("лицей / гимназия / углублённое изучение", null=True, blank=True)
    correctional = models.BooleanField("коррекционная", null=True, blank=True)
    students = models.PositiveIntegerField("обучающихся", null=True, blank=True)
    teachers = models.PositiveIntegerField("педагогов", null=True, blank=True)

    SCOPE_LOOKUPS = {"region": "municipality__region", "municipality": "municipality", "organisation": "pk"}

    class Meta:
        verbose_name = "организация"
        verbose_name_plural = "организации"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AcademicYear(models.Model):
    """A school year named by the calendar year of its spring: 2024 = 2023/24 (as in formats.md)."""

    year = models.PositiveSmallIntegerField("год", unique=True)

    class Meta:
        verbose_name = "учебный год"
        verbose_name_plural = "учебные годы"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year - 1}/{str(self.year)[-2:]}"
