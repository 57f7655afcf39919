"""Staff must turn on two-factor authentication before they do anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from moothall.accounts.rules import has_mfa, needs_mfa

# Paths a staff member without MFA may still reach: signing in and out, setting
# up MFA itself, the language switcher, assets.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/media/", "/favicon")


class RequireStaffMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key is None:
            # People sign in by session only (ModelBackend and allauth, no tokens): a request
            # without one is nobody's, and there is no user to look up. The answer would
            # differ with a session cookie, as a cache must know.
            response = self.get_response(request)
            patch_vary_headers(response, ("Cookie",))
            return response
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and needs_mfa(user)
            and not has_mfa(user)
        ):
            messages.warning(
                request,
                _("Your role needs two-factor authentication. Set it up to carry on."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
