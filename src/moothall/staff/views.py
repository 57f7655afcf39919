"""The council back-office at /<council>/staff/: thin views over the access helpers and verbs.

Every view fetches through :mod:`moothall.accounts.access` (404 for what does not
exist here, 403 for what the person may not do), validates with a form, calls one
verb from :mod:`moothall.accounts.domain`, and redirects with a message.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from moothall.accounts import access, domain
from moothall.accounts.models import Role, User
from moothall.accounts.residents import eligibility_for
from moothall.accounts.rules import (
    Action,
    actions_at,
    can_change_roles_of,
    can_revoke_verification,
    can_verify_resident,
    roles_at,
)
from moothall.councils.models import Council
from moothall.moderation.queue import workload
from moothall.staff.audit_views import audit_log  # noqa: F401  (staff/urls.py: views.audit_log)
from moothall.staff.forms import (
    GrantRoleForm,
    ResidentSearchForm,
    RevokeRoleForm,
    RevokeVerificationForm,
    VerifyResidentForm,
)

RESIDENTS_PER_PAGE = 25
ROLES_PER_PAGE = 50


def _resident_url(council: Council, resident: User, known_email: str = "") -> str:
    url = reverse("staff:resident", kwargs={"council": council.slug, "user_id": resident.pk})
    return f"{url}?{urlencode({'email': known_email})}" if known_email else url


def _known_email(request: HttpRequest) -> str:
    """The exact email a staff member searched for, carried from the search to the record."""
    return request.GET.get("email", "").strip()[:254]


@never_cache  # pages show people's details: not for the back button or a cache
@login_required
@require_safe
def dashboard(request: HttpRequest, council: str) -> HttpResponse:
    here = access.get_council_for(request.user, council, Action.VIEW_STAFF_AREA)
    allowed = actions_at(request.user, here)
    role_labels = [Role.Kind(kind).label for kind in sorted(roles_at(request.user, here))]
    can_moderate = Action.MODERATE in allowed
    return render(
        request,
        "staff/dashboard.html",
        {
            "council": here,
            "role_labels": role_labels,
            "can_view_residents": Action.VIEW_RESIDENTS in allowed,
            "can_verify": Action.VERIFY_RESIDENT in allowed,
            "can_manage_roles": Action.MANAGE_ROLES in allowed,
            "can_view_audit_log": Action.VIEW_AUDIT_LOG in allowed,
            "can_manage_meetings": Action.MANAGE_MEETINGS in allowed,
            "can_moderate": can_moderate,
            "moderation": workload(here) if can_moderate else None,
            "can_manage_voice": Action.MANAGE_VOICE in allowed,
            "can_manage_budgets": Action.MANAGE_BUDGETS in allowed,
            "can_manage_consultations": Action.MANAGE_CONSULTATIONS in allowed,
            "can_edit_council": Action.EDIT_COUNCIL in allowed,
        },
    )


@never_cache
@login_required
@require_safe
def residents(request: HttpRequest, council: str) -> HttpResponse:
    here = access.get_council_for(request.user, council, Action.VIEW_RESIDENTS)
    form = ResidentSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    found = access.search_residents(here, query) if form.is_valid() else User.objects.none()
    page = Paginator(found, RESIDENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/residents.html",
        {
            "council": here,
            "form": form,
            "query": query,
            "page": page,
            "page_query": urlencode({"q": query}) if query else "",
        },
    )


@never_cache
@login_required
@require_safe
def resident(request: HttpRequest, council: str, user_id: int) -> HttpResponse:
    here = access.get_council_for(request.user, council, Action.VIEW_RESIDENTS)
    known_email = _known_email(request)
    person = access.get_resident_for(request.user, here, user_id, known_email=known_email)
    history = list(access.verification_history(here, person))
    active = next((v for v in history if v.revoked_at is None), None)
    return render(
        request,
        "staff/resident.html",
        {
            "council": here,
            "person": person,
            "lives_here": access.residents_of(here).filter(pk=person.pk).exists(),
            "eligibility": eligibility_for(person, here),
            "history": history,
            "active": active,
            "is_self": person.pk == request.user.pk,
            "can_verify": active is None and can_verify_resident(request.user, person, here),
            "can_revoke": active is not None and can_revoke_verification(request.user, active),
            "verify_url": _verify_url(here, person, known_email),
        },
    )


def _verify_url(council: Council, person: User, known_email: str) -> str:
    url = reverse("staff:verify_resident", kwargs={"council": council.slug, "user_id": person.pk})
    return f"{url}?{urlencode({'email': known_email})}" if known_email else url


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify_resident(request: HttpRequest, council: str, user_id: int) -> HttpResponse:
    here = access.get_council_for(request.user, council, Action.VERIFY_RESIDENT)
    known_email = _known_email(request)
    person = access.get_resident_for(request.user, here, user_id, known_email=known_email)
    if not can_verify_resident(request.user, person, here):
        raise PermissionDenied
    form = VerifyResidentForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            domain.verify_resident(
                request.user,
                person,
                here,
                form.cleaned_data["method"],
                form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(person)s is now a verified resident of %(council)s.")
                % {"person": person, "council": here},
            )
            return redirect(_resident_url(here, person))
    return render(
        request,
        "staff/verify_resident.html",
        {
            "council": here,
            "person": person,
            "form": form,
            "action_url": _verify_url(here, person, known_email),
            "back_url": _resident_url(here, person, known_email),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def revoke_verification(request: HttpRequest, council: str, verification_id: int) -> HttpResponse:
    here = access.get_council_for(request.user, council, Action.REVOKE_VERIFICATION)
    verification = access.get_verification_for(request.user, here, verification_id)
    if not can_revoke_verification(request.user, verification):
        raise PermissionDenied
    person = verification.user
    if verification.revoked_at is not None:
        messages.info(request, _("That verification has already been revoked."))
        return redirect(_resident_url(here, person))
    form = RevokeVerificationForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            domain.revoke_verification(request.user, verification, form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(person)s is no longer a verified resident of %(council)s.")
                % {"person": person, "council": here},
            )
            return redirect(_resident_url(here, person))
    return render(
        request,
        "staff/revoke_verification.html",
        {
            "council": here,
            "person": person,
            "verification": verification,
            "form": form,
            "back_url": _resident_url(here, person),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def roles(request: HttpRequest, council: str) -> HttpResponse:
    here = access.get_council_for(request.user, council, Action.MANAGE_ROLES)
    form = GrantRoleForm(request.POST if request.method == "POST" else None, council=here)
    if form.is_valid():
        assert form.user is not None
        if not can_change_roles_of(request.user, form.user, here):
            form.add_error("email", _("You cannot change your own roles."))
        else:
            try:
                role, created = domain.grant_role(
                    request.user,
                    form.user,
                    here,
                    form.cleaned_data["kind"],
                    councillor=form.cleaned_data["councillor"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                values = {"person": form.user, "role": role.get_kind_display()}
                if created:
                    messages.success(request, _("%(person)s now has the role “%(role)s”.") % values)
                else:
                    already = _("%(person)s already had the role “%(role)s”.")
                    messages.info(request, already % values)
                return redirect("staff:roles", council=here.slug)
    page = Paginator(access.council_roles(here), ROLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/roles.html",
        {"council": here, "form": form, "page": page, "page_query": ""},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def revoke_role(request: HttpRequest, council: str, role_id: int) -> HttpResponse:
    here = access.get_council_for(request.user, council, Action.MANAGE_ROLES)
    role = access.get_role_for(request.user, here, role_id)
    if not can_change_roles_of(request.user, role.user, here):
        raise PermissionDenied
    form = RevokeRoleForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            domain.revoke_role(request.user, role, form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(person)s no longer has the role “%(role)s”.")
                % {"person": role.user, "role": role.get_kind_display()},
            )
            return redirect("staff:roles", council=here.slug)
    return render(
        request,
        "staff/revoke_role.html",
        {"council": here, "role": role, "form": form},
    )
