"""Sign-up, log-in/out (Django's auth views) and the API-token page."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .forms import ApiTokenCreateForm, SignUpForm
from .selectors import api_token_get_for_user, api_token_list
from .services import api_token_create, api_token_revoke


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("/")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}.")
        return redirect(request.GET.get("next") or "/")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """List tokens; POST creates one and shows its key on this response only (never stored)."""
    form = ApiTokenCreateForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        token, new_key = api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = ApiTokenCreateForm()
    response = render(
        request, "accounts/tokens.html", {"form": form, "tokens": api_token_list(user=request.user), "new_key": new_key}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = api_token_revoke(token=api_token_get_for_user(user=request.user, token_id=token_id))
    messages.success(request, f"Token '{token.name}' revoked.")
    return redirect("accounts:tokens")
