from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm


class SignUpForm(UserCreationForm):
    email = forms.EmailField(required=False, help_text="optional; used only for password resets")

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="what the token is for, e.g. 'laptop' or 'CI'")
