"""Importing and exporting Polis open data in the back-office, at
/<council>/staff/deliberations/import/ and /<council>/staff/deliberations/<slug>/export/.

Only staff who run consultations (``Action.MANAGE_CONSULTATIONS``, through
:func:`moothall.accounts.access.get_council_for`: 404 for an unknown council, 403 for
anyone else) may do either. An import is a .zip of the export's CSV files, checked
(names, paths, sizes) before anything is unpacked, then imported in one transaction by
:func:`moothall.deliberation.interchange.import_zip`: any problem comes back into the
form, and nothing is written. An export is a .zip of the four files.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from moothall.accounts.access import get_council_for
from moothall.accounts.rules import Action
from moothall.core.audit import record_export
from moothall.core.forms import add_verb_errors, posted
from moothall.deliberation.interchange import InterchangeError, import_zip, pack_zip
from moothall.deliberation.models import Conversation, Vote
from moothall.staff.deliberation_import_forms import ImportForm


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def conversation_import(request: HttpRequest, council: str) -> HttpResponse:
    here = get_council_for(request.user, council, Action.MANAGE_CONSULTATIONS)
    form = ImportForm(posted(request), request.FILES if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            conversation = import_zip(
                here, data["file"], by=request.user, slug=data["slug"] or None, mode=data["mode"]
            )
        except InterchangeError as error:
            form.add_error("file", str(error))
        except ValidationError as error:
            add_verb_errors(form, error)
        else:
            messages.success(
                request,
                _("Imported “%(title)s”: %(people)d participants, %(statements)d statements.")
                % {
                    "title": conversation.title,
                    "people": conversation.participants.count(),
                    "statements": conversation.statements.count(),
                },
            )
            return redirect(
                reverse(
                    "public:conversation_report",
                    kwargs={"council": here.slug, "slug": conversation.slug},
                )
            )
    return render(
        request,
        "staff/deliberations/import.html",
        {"council": here, "form": form, "conversations_url": _conversations_url(here.slug)},
    )


def _conversations_url(council: str) -> str:
    try:
        return reverse("staff:conversations", kwargs={"council": council})
    except NoReverseMatch:  # the list comes with the deliberation back-office
        return reverse("staff:dashboard", kwargs={"council": council})


@never_cache
@login_required
@require_safe
def conversation_export(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    here = get_council_for(request.user, council, Action.MANAGE_CONSULTATIONS)
    conversation = Conversation.objects.filter(council=here, slug=slug).first()
    if conversation is None:
        raise Http404("No such conversation.")
    conversation.council = here
    body = pack_zip(conversation)
    record_export(
        "deliberation.conversation_exported",
        actor=request.user,
        council=here,
        target=conversation,
        format="polis",
        rows=conversation.participants.count(),
        votes=Vote.objects.filter(conversation=conversation).count(),
    )
    name = f"{here.slug}-{conversation.slug}-polis-{timezone.localdate().isoformat()}.zip"
    response = HttpResponse(body, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
