"""User management for the region admin (scoped to their region) and each user's profile with API tokens.

Every lookup goes through the scope gate: a user bound outside the admin's region is «не найден» (404).
A password (new or reset) and an API token are shown once, on the page that answers the POST, never stored
in clear.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from msoko.web.access import can, get_in_scope
from msoko.web.accounts import services, tokens
from msoko.web.accounts.forms import NewUserForm, ScopeForm
from msoko.web.accounts.models import ApiToken
from msoko.web.accounts.roles import Action


def _require_manager(user) -> None:
    if not can(user, Action.MANAGE_USERS):
        raise PermissionDenied("Управление пользователями доступно администратору региона.")


@login_required
def users_page(request):
    _require_manager(request.user)
    created = None
    if request.method == "POST":
        form = NewUserForm(request.POST, actor=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user, password = services.create(data["username"], data["role"], data["scope"],
                                                 within=request.user)
            except services.UserRejected as rejected:
                form.add_error(None, str(rejected))
            else:
                created = (user, password)
                form = NewUserForm(actor=request.user)
    else:
        form = NewUserForm(actor=request.user)
    users = [(user, services.scope_label(user)) for user in services.managed_by(request.user)]
    return render(request, "accounts/users.html", {"form": form, "users": users, "created": created})


@login_required
def user_page(request, pk: int):
    _require_manager(request.user)
    managed = get_in_scope(services.managed_by(request.user), request.user, pk=pk)
    password = None
    form = ScopeForm(initial={"role": managed.role, "scope": _scope_code(managed)}, actor=request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        if managed.pk == request.user.pk and action in ("deactivate", "scope"):
            messages.error(request, "Свою учётную запись отключить или перевести нельзя.")
        elif action == "scope":
            form = ScopeForm(request.POST, actor=request.user)
            if form.is_valid():
                try:
                    services.change_scope(managed, form.cleaned_data["role"], form.cleaned_data["scope"],
                                          within=request.user)
                    messages.success(request, "Роль и область доступа изменены.")
                except services.UserRejected as rejected:
                    form.add_error(None, str(rejected))
        elif action == "deactivate":
            services.deactivate(managed)
            messages.success(request, "Пользователь отключён; его токены API отозваны.")
        elif action == "activate":
            services.activate(managed)
            messages.success(request, "Пользователь снова может входить.")
        elif action == "reset":
            password = services.reset_password(managed)
    return render(request, "accounts/user.html", {"managed": managed, "form": form, "password": password,
                                                  "scope_label": services.scope_label(managed)})


def _scope_code(user) -> str | None:
    for name in services.SCOPE_MODELS:
        bound = getattr(user, name)
        if bound is not None:
            return bound.code
    return None


@login_required
def profile_page(request):
    issued = None
    if request.method == "POST":
        issued = tokens.issue(request.user, request.POST.get("label", "").strip() or "профиль")
    return render(request, "accounts/profile.html", {
        "tokens": ApiToken.owned_by(request.user), "issued": issued,
        "scope_label": services.scope_label(request.user)})


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken.owned_by(request.user), pk=pk)  # a token is its owner's alone
    tokens.revoke(token)
    messages.success(request, f"Токен {token.prefix}… отозван.")
    return redirect("profile")
