"""Account and API-token services (writes)."""
from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .models import ApiToken

KEY_PREFIX = "pw_"
#: Tokens used within this many seconds are not re-stamped, to avoid a write per request.
LAST_USED_RESOLUTION_S = 60


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def user_create(*, username: str, password: str, email: str = "") -> AbstractBaseUser:
    return get_user_model().objects.create_user(username=username, email=email, password=password)


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its key: the only moment the key is ever available."""
    name = name.strip()
    if not name:
        raise ValueError("a token needs a name")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=key[:10], key_sha256=api_token_hash(key))
    return token, key


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """Return the active token for ``key`` (stamping its last use), or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_sha256=api_token_hash(key.strip()), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_S:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
