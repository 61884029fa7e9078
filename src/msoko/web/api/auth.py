"""Who is calling: a personal token (`Authorization: Bearer msoko_…`) or, for the browsable docs and the
pages' own scripts, the logged-in session (with its CSRF check on writes). Nobody else: 401."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from msoko.web.accounts import tokens


class BearerToken(HttpBearer):
    openapi_description = "Личный токен: `msoko users token ЛОГИН` или страница «Профиль»."

    def authenticate(self, request, token: str):
        user = tokens.user_of(token)
        if user is None:
            return None
        request.user = user  # the scope gate and the throttle read request.user
        return user


class ActiveSession(SessionAuth):
    """The session of a logged-in, active user (Django's session middleware has set request.user)."""

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated and user.is_active else None


AUTH = [BearerToken(), ActiveSession()]
