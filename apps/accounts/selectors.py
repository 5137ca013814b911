"""Account reads."""
from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import ApiToken


def api_token_list(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def api_token_get_for_user(*, user: AbstractBaseUser, token_id: int) -> ApiToken:
    """Another user's token is a 404, never a 403: its existence is not disclosed."""
    return get_object_or_404(ApiToken, pk=token_id, user=user)
