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


# ---- user management by the region admin -----------------------------------------------------------------
def _admin(client, world):
    client.force_login(world.users["region_admin"])
    return client


def test_the_region_admin_creates_a_user_in_the_region_who_then_logs_in(client, world):
    page = _admin(client, world).post(reverse("users"), {
        "username": "novaya", "role": Role.SCHOOL_OPERATOR, "scope": world.organisations["b1"].code})
    assert page.status_code == 200
    created = User.objects.get(username="novaya")
    assert (created.role, created.organisation) == (Role.SCHOOL_OPERATOR, world.organisations["b1"])
    password = page.content.decode().split("<code>")[1].split("</code>")[0]
    assert password not in created.password  # shown once, stored hashed
    other = Client()
    assert other.post(reverse("login"), {"username": "novaya", "password": password}).status_code == 302
    assert world.organisations["b1"].name in other.get(reverse("home")).content.decode()


def test_the_region_admin_cannot_bind_a_user_outside_the_region_or_to_the_wrong_level(client, world):
    from msoko.web.registry.models import Municipality, Region

    elsewhere = Municipality.objects.create(code="mun-Z", name="Чужой округ",
                                            region=Region.objects.create(code="78", name="Соседняя"))
    _admin(client, world)
    outside = client.post(reverse("users"), {"username": "z", "role": Role.MUNICIPAL_COORDINATOR,
                                             "scope": elsewhere.code})
    assert "Чужой округ" not in outside.content.decode()  # not even offered
    wrong_level = client.post(reverse("users"), {"username": "z", "role": Role.MUNICIPAL_COORDINATOR,
                                                 "scope": world.organisations["a1"].code})
    assert "не найден" in wrong_level.content.decode()
    assert not User.objects.filter(username="z").exists()


def test_the_user_list_shows_only_the_region_and_never_a_superuser(client, world):
    User.objects.create(username="root-secret", is_superuser=True)
    page = _admin(client, world).get(reverse("users")).content.decode()
    for persona in ("analyst", "coordinator_a", "coordinator_b", "operator_a1"):
        assert f">{persona}</a>" in page
    assert "root-secret" not in page and ">no_role</a>" not in page  # no_role has no scope in the region


def test_a_coordinator_may_not_manage_users(client, world):
    client.force_login(world.users["coordinator_a"])
    assert client.get(reverse("users")).status_code == 403


def test_reset_password_and_deactivation(client, world):
    from msoko.web.accounts import tokens

    target = world.users["coordinator_b"]
    raw = tokens.issue(target)
    url = reverse("user", kwargs={"pk": target.pk})
    page = _admin(client, world).post(url, {"action": "reset"}).content.decode()
    password = page.split("<code>")[1].split("</code>")[0]
    assert Client().post(reverse("login"), {"username": "coordinator_b", "password": password}).status_code == 302
    assert Client().post(reverse("login"), {"username": "coordinator_b", "password": PASSWORD}).status_code == 200
    client.post(url, {"action": "deactivate"})
    target.refresh_from_db()
    assert not target.is_active and tokens.user_of(raw) is None
    assert Client().post(reverse("login"), {"username": "coordinator_b", "password": password}).status_code == 200


def test_the_region_admin_moves_a_user_to_another_municipality(client, world):
    target = world.users["coordinator_a"]
    _admin(client, world).post(reverse("user", kwargs={"pk": target.pk}), {
        "action": "scope", "role": Role.MUNICIPAL_COORDINATOR, "scope": world.municipalities["B"].code})
    target.refresh_from_db()
    assert target.municipality == world.municipalities["B"]


def test_a_token_issued_on_the_profile_is_shown_once_and_revocable(client, world):
    from msoko.web.accounts import tokens
    from msoko.web.accounts.models import ApiToken

    client.force_login(world.users["analyst"])
    page = client.post(reverse("profile"), {"label": "скрипт"}).content.decode()
    raw = page.split("Новый токен: <code>")[1].split("</code>")[0]
    stored = ApiToken.objects.get(user=world.users["analyst"])
    assert raw not in stored.digest and stored.digest == tokens.digest(raw)
    assert raw not in client.get(reverse("profile")).content.decode()
    assert tokens.user_of(raw) == world.users["analyst"]
    client.post(reverse("token-revoke", kwargs={"pk": stored.pk}))
    assert tokens.user_of(raw) is None
