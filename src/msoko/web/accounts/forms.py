"""The region admin's forms: a new user, a user's role and scope."""

from __future__ import annotations

from django import forms

from msoko.web.access import restrict
from msoko.web.accounts.roles import Role
from msoko.web.registry.models import Municipality, Organisation, Region


def scope_choices(actor) -> list:
    """Every registry unit inside the actor's scope, grouped by level (the value is the unit's code)."""
    groups = []
    for label, model in (("Регион", Region), ("Муниципалитеты", Municipality), ("Организации", Organisation)):
        units = restrict(model.objects.order_by("name"), actor).values_list("code", "name")
        if units:
            groups.append((label, [(code, f"{name} ({code})") for code, name in units]))
    return groups


class ScopeForm(forms.Form):
    role = forms.ChoiceField(label="Роль", choices=Role.choices)
    scope = forms.ChoiceField(label="Область доступа (регион, муниципалитет или организация — по роли)")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scope_choices(actor)


class NewUserForm(ScopeForm):
    username = forms.CharField(label="Логин", max_length=150)
    field_order = ["username", "role", "scope"]
