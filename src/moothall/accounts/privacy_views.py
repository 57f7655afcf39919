"""The person's own privacy pages under /accounts/profile/: download their data, delete
their account (UK GDPR rights of access, portability and erasure)."""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from moothall.accounts import privacy
from moothall.accounts.models import User
from moothall.core.audit import record


class ConfirmDeletionForm(forms.Form):
    email = forms.CharField(
        label=_("Type your email address to confirm"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Type your email address to confirm")},
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_email(self) -> str:
        typed = self.cleaned_data["email"].strip()
        if typed.lower() != self.user.email.lower():
            raise forms.ValidationError(
                _("That is not the email address of this account"), code="mismatch"
            )
        return typed


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required let only a signed-in person through
    return user


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def download_data(request: HttpRequest) -> HttpResponse:
    """A page explaining the download; its button (a POST) returns the JSON file."""
    user = _user(request)
    if request.method != "POST":
        return render(request, "accounts/download_data.html", {})
    data = privacy.export_personal_data(user)
    record("accounts.download_personal_data", actor=user, sections=len(data["records"]))
    body = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="moothall-my-data-{stamp}.json"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Explain what is kept and what goes; delete once the person types their email."""
    user = _user(request)
    refused = user.is_superuser
    form = ConfirmDeletionForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and not refused and form.is_valid():
        try:
            privacy.delete_account(user, actor=user)
        except privacy.AccountDeletionRefused:
            refused = True
        else:
            logout(request)
            return redirect("accounts:account_deleted")
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form, "refused": refused, "roles": user.roles.select_related("council")},
        status=403 if refused and request.method == "POST" else 200,
    )


@require_safe
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account_deleted.html", {})
