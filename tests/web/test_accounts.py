"""Accounts: role/scope binding, hashed passwords, CSRF, throttled login, the audit log."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from msoko.web.accounts.models import User
from msoko.web.accounts.roles import Role
from tests.web.personas import PASSWORD


def test_a_password_is_stored_only_as_a_hash(world):
    stored = User.objects.get(username="analyst").password
    assert PASSWORD not in stored
    assert stored.startswith("pbkdf2_sha256$")


def test_a_coordinator_without_a_municipality_is_refused(world):
    user = User(username="lost", role=Role.MUNICIPAL_COORDINATOR)
    with pytest.raises(ValidationError) as caught:
        user.full_clean()
    assert "муниципалитет" in str(caught.value)


def test_a_school_operator_cannot_also_hold_a_municipality(world):
    user = User(
        username="double",
        role=Role.SCHOOL_OPERATOR,
        organisation=world.organisations["a1"],
        municipality=world.municipalities["B"],
    )
    with pytest.raises(ValidationError):
        user.full_clean()


def test_a_persona_logs_in_with_its_password(world):
    client = Client()
    response = client.post(reverse("login"), {"username": "coordinator_a", "password": PASSWORD})
    assert response.status_code == 302
    assert "Городской округ А" in client.get(reverse("home")).content.decode()


def test_a_login_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "coordinator_a", "password": PASSWORD})
    assert response.status_code == 403


def test_repeated_wrong_passwords_lock_the_login_even_for_the_right_one(world, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "analyst", "password": "неверный"})
        assert response.status_code in (200, 429)
    response = client.post(reverse("login"), {"username": "analyst", "password": PASSWORD})
    assert response.status_code == 429
    assert "заблокирован" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_requires_a_post(client, world):
    client.force_login(world.users["analyst"])
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302


def test_a_change_to_an_organisation_is_in_the_audit_log_with_its_author(world):
    from auditlog.context import set_actor

    school = world.organisations["a1"]
    with set_actor(world.users["region_admin"]):
        school.students = 812
        school.save()
    entry = LogEntry.objects.get_for_object(school).order_by("-timestamp").first()
    assert entry.actor == world.users["region_admin"]
    assert entry.changes_dict["students"] == ["None", "812"]
