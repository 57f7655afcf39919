"""The person's own account pages (allauth serves signing in, codes, passwords and MFA)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from moothall.accounts.forms import ProfileForm
from moothall.accounts.models import Role, User
from moothall.accounts.residents import Eligibility, eligibilities_for, update_profile
from moothall.accounts.rules import STAFF_ROLES, has_mfa
from moothall.councils.lookup import UnknownPostcode, representation_for
from moothall.councils.postcodes import InvalidPostcode


@never_cache  # shows where the person lives: not for the back button on a shared computer
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Show and edit the signed-in person's name and postcode, and what the postcode tells us."""
    user = request.user
    assert isinstance(user, User)  # login_required let only a signed-in person through
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            changed = update_profile(
                user,
                name=form.cleaned_data["name"],
                postcode=form.cleaned_data["postcode"],
            )
            if changed:
                messages.success(request, _("Your details have been saved."))
            else:
                messages.info(request, _("Nothing has changed."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(initial={"name": user.name, "postcode": user.postcode})
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "mfa_on": has_mfa(user), "roles": _roles(user), **_areas(user)},
    )


def _roles(user: User) -> list[Role]:
    """The person's roles, each council's back-office linked where the role is a staff one."""
    roles = list(
        user.roles.select_related("council", "councillor__person", "councillor__council").order_by(
            "council__short_name", "kind"
        )
    )
    for role in roles:
        role.is_staff_role = role.kind in STAFF_ROLES  # type: ignore[attr-defined]
    return roles


def _areas(user: User) -> dict[str, Any]:
    """The councils and wards covering the saved postcode, with the person's standing at each."""
    if not user.postcode:
        return {"representations": [], "postcode_unknown": False}
    try:
        answer = representation_for(user.postcode)
    except (UnknownPostcode, InvalidPostcode):
        return {"representations": [], "postcode_unknown": True}
    levels = eligibilities_for(user, [r.council for r in answer.representations])
    for r in answer.representations:
        if r.ward is not None:
            r.ward.council = r.council  # the ward's link needs its council's slug: no query each
    rows = [
        {
            "council": r.council,
            "ward": r.ward,
            "eligibility": levels.get(r.council.pk, Eligibility.NONE),
        }
        for r in answer.representations
    ]
    return {"representations": rows, "postcode_unknown": False}
