"""Sign-up, log-in/out and API tokens: create, show once, authenticate, revoke."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken
from apps.accounts.services import api_token_authenticate, api_token_create, api_token_hash, api_token_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return get_user_model().objects.create_user(username="ada", password="correct-horse-battery")


def test_signup_creates_user_and_logs_in(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "grace", "email": "g@example.org", "password1": "a-long-passphrase-9", "password2": "a-long-passphrase-9"},
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="grace").exists()
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200 and b"API tokens" in page.content


def test_signup_rejects_mismatched_passwords(client):
    response = client.post(
        "/accounts/signup/", {"username": "grace", "password1": "a-long-passphrase-9", "password2": "other-passphrase-9"}
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="grace").exists()


def test_login_and_logout(client, user):
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "ada", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get("/accounts/tokens/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_token_is_stored_hashed_and_shown_once(client, user):
    client.force_login(user)
    response = client.post("/accounts/tokens/", {"name": "laptop"})
    assert response.status_code == 200
    key = re.search(rb'id="new-token-key">([^<]+)<', response.content).group(1).decode()
    token = ApiToken.objects.get(user=user)
    assert token.name == "laptop"
    assert token.key_sha256 == api_token_hash(key)
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    again = client.get("/accounts/tokens/")
    assert key.encode() not in again.content
    assert token.prefix.encode() in again.content


def test_token_authenticates_api_requests_with_token_and_bearer(user):
    _, key = api_token_create(user=user, name="ci")
    for scheme in ("Token", "Bearer"):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")
        response = api.get("/api/me/")
        assert response.status_code == 200, response.content
        assert response.json()["username"] == "ada"
    assert ApiToken.objects.get(user=user).last_used_at is not None


def test_revoked_or_wrong_token_is_rejected(client, user):
    token, key = api_token_create(user=user, name="ci")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token pw_not-a-real-key")
    assert api.get("/api/me/").status_code == 401

    client.force_login(user)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(key=key) is None
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/me/").status_code == 401


def test_cannot_revoke_someone_elses_token(client, user):
    other = get_user_model().objects.create_user(username="eve", password="x-long-passphrase-1")
    token, _ = api_token_create(user=user, name="ci")
    client.force_login(other)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_is_idempotent(user):
    token, _ = api_token_create(user=user, name="ci")
    first = api_token_revoke(token=token).revoked_at
    assert api_token_revoke(token=token).revoked_at == first


def test_token_of_inactive_user_is_rejected(user):
    _, key = api_token_create(user=user, name="ci")
    user.is_active = False
    user.save()
    assert api_token_authenticate(key=key) is None


def test_token_needs_a_name(user):
    with pytest.raises(ValueError):
        api_token_create(user=user, name="   ")
