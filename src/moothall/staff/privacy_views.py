"""The council's privacy settings at /<council>/staff/privacy/: what its privacy notice
says about it as data controller, and how long consultation respondents stay linked to
their accounts. Council admins only (``Action.EDIT_COUNCIL``); every change is audited."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from moothall.accounts.access import get_council_for
from moothall.accounts.models import PrivacySettings
from moothall.accounts.privacy_notice import EDITABLE, update_privacy_settings
from moothall.accounts.rules import Action
from moothall.core.forms import add_verb_errors, posted


class PrivacySettingsForm(forms.ModelForm):
    class Meta:
        model = PrivacySettings
        fields = EDITABLE


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def privacy_settings(request: HttpRequest, council: str) -> HttpResponse:
    here = get_council_for(request.user, council, Action.EDIT_COUNCIL)
    current = PrivacySettings.for_council(here)
    form = PrivacySettingsForm(posted(request), instance=current)
    if form.is_valid():
        try:
            update_privacy_settings(
                request.user, here, **{name: form.cleaned_data[name] for name in EDITABLE}
            )
        except ValidationError as error:
            add_verb_errors(form, error)
        else:
            messages.success(request, _("The privacy settings are saved."))
            return redirect("staff:privacy_settings", council=here.slug)
    return render(request, "staff/privacy/settings.html", {"council": here, "form": form})
