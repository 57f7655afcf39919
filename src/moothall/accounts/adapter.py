from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from moothall.core.audit import record
from moothall.core.http import client_ip

LOGIN_CODE_EMAIL = "account/email/login_code"
VERIFICATION_EMAILS = (
    "account/email/email_confirmation",
    "account/email/email_confirmation_signup",
)


class AccountAdapter(DefaultAccountAdapter):
    """Moothall's hooks into allauth (kept small; allauth does the work)."""

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rules, worked out once per request and shared with our own rate limits
        # and the signing verbs (core.http.client_ip). A request whose address cannot be
        # told is refused (403), as allauth refuses it.
        ip = client_ip(request)
        if ip is None:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        if template_prefix == LOGIN_CODE_EMAIL and context.get("code"):
            request = context.get("request") or self.request
            reauthentication = bool(context.get("reauthentication"))
            context = {
                **context,
                "code_url": login_code_url(
                    request, context["code"], reauthentication=reauthentication
                ),
                "expires_minutes": max(1, app_settings.LOGIN_BY_CODE_TIMEOUT // 60),
            }
        elif template_prefix in VERIFICATION_EMAILS:
            context = {
                **context,
                "expires_minutes": max(1, app_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT // 60),
            }
        super().send_mail(template_prefix, email, context)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """allauth asks for the password (or a new code) again before MFA is set up or
        changed, even straight after signing in. Someone who signed in in this session
        within the reauthentication window has just proved who they are: staff sent to set
        up MFA on their first sign-in would otherwise be asked twice in a row.
        """
        required = super().is_reauthentication_required(app=app, **kwargs)
        return required and not signed_in_moments_ago(self.request or allauth_context.request)


def login_code_url(request: HttpRequest, code: str, *, reauthentication: bool = False) -> str:
    """The link in a sign-in email: the "enter your code" page with the code filled in.

    allauth keeps the half-finished sign-in in the session, so the link only
    works in the browser where it began; anywhere else it leads back to the
    start. A safe ``next`` the person asked for is carried along.
    """
    name = (
        "account_confirm_reauthentication_code"
        if reauthentication
        else "account_confirm_login_code"
    )
    query = {"code": code}
    next_url = request.POST.get("next") or request.GET.get("next")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        query["next"] = next_url
    return request.build_absolute_uri(f"{reverse(name)}?{urlencode(query)}")


def signed_in_moments_ago(request: HttpRequest | None) -> bool:
    """Did the person signed in on ``request`` authenticate within the reauthentication window?"""
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return False
    # allauth records every authentication step of this session (password, code, MFA).
    records = get_authentication_records(request, user)
    if not records:
        return False
    return time.time() - records[-1]["at"] < app_settings.REAUTHENTICATION_TIMEOUT


def drop_unproven_password(
    sender: Any, request: HttpRequest | None, email_address: EmailAddress, **kwargs: Any
) -> None:
    """On allauth's ``email_confirmed``: forget a password nobody proved the address for.

    Anyone may sign up with someone else's address and a password of their choosing;
    the address then waits, unconfirmed, and the password opens nothing. If the owner
    later signs in with an emailed code, allauth confirms the address, and that
    stranger's password would open the owner's account. So when signing in by code
    is what first confirms an account's address, a password set before then is
    removed (the owner can set a new one). Side effects: saves the user's password
    as unusable and writes an audit entry "account.unproven_password_removed".
    """
    user = email_address.user
    if request is None or not user.has_usable_password():
        return
    records = get_authentication_records(request, user)
    if not records or records[-1].get("method") != "code" or records[-1].get("reauthenticated"):
        return
    confirmed_before = (
        EmailAddress.objects.filter(user=user, verified=True).exclude(pk=email_address.pk).exists()
    )
    if confirmed_before:
        return
    with transaction.atomic():
        # The very instance allauth is signing in: its session hash must match the new one.
        user.set_unusable_password()
        user.save(update_fields=["password"])
        record("account.unproven_password_removed", actor=user, target=user)
