"""API tokens: issued (shown once), checked by their SHA-256, revoked.

A token reads `msoko_<40 url-safe characters>`; the prefix makes a leaked one easy to recognise in logs and
secret scanners, and `prefix` (its first 12 characters) lets its owner tell tokens apart on the profile.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from msoko.web.accounts.models import ApiToken, User

PREFIX = "msoko_"
TOUCH_EVERY = timedelta(minutes=1)  # `last_used` is written at most this often (not on every request)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue(user: User, label: str = "") -> str:
    """A new token of `user`; returns the token itself — it is stored only hashed, so this is the one sight."""
    raw = PREFIX + secrets.token_urlsafe(30)
    ApiToken.objects.create(user=user, digest=digest(raw), prefix=raw[:12], label=label[:200])
    return raw


def user_of(raw: str) -> User | None:
    """The active user an unrevoked token belongs to, or None."""
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=digest(raw), revoked__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user


def revoke(token: ApiToken) -> None:
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])


def revoke_all(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked__isnull=True).update(revoked=timezone.now())
