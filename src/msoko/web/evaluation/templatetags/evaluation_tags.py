"""Scores as a Russian reader writes them: «276», «3,5», «—» when not known yet."""
from django import template

from msoko.reports.evaluation.conclusion import fmt_score

register = template.Library()


@register.filter
def score(value):
    return fmt_score(value)


@register.filter
def status_ru(value):
    from msoko.reports.evaluation.conclusion import STATUS_RU

    return STATUS_RU.get(value, value)
