"""Residents' side of moderation: "Report this" and the council's public moderation log.

The log shows what kind of thing was hidden or restored, when, and under which rule:
never the content, the item or a name (:class:`moothall.moderation.models.LogEntry`).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from moothall.core.forms import add_verb_errors, posted
from moothall.councils.models import Council
from moothall.moderation import domain, registry
from moothall.moderation.models import LogEntry
from moothall.public.moderation_forms import ReportForm

LOG_PER_PAGE = 50


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, council: str, kind: str, pk: int) -> HttpResponse:
    here = get_object_or_404(Council, slug=council)
    found = registry.find(kind, here, pk)
    if found is None or not found[0].is_shown(found[1]):
        raise Http404("Nothing to report here.")
    what, obj = found
    form = ReportForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            domain.flag(
                request.user,
                what.name,
                obj,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_verb_errors(form, error)
        else:
            return render(
                request,
                "public/moderation/reported.html",
                {"council": here, "back_url": what.url_of(obj), "what": what.label},
            )
    return render(
        request,
        "public/moderation/report.html",
        {
            "council": here,
            "form": form,
            "what": what.label,
            "back_url": what.url_of(obj),
        },
        status=400 if form.errors else 200,
    )


@require_safe
def log(request: HttpRequest, council: str) -> HttpResponse:
    here = get_object_or_404(Council, slug=council)
    page = Paginator(
        LogEntry.objects.filter(council=here).order_by("-at", "-id"), LOG_PER_PAGE
    ).get_page(request.GET.get("page"))
    rows = [{"what": registry.label_of(entry.kind), "entry": entry} for entry in page.object_list]
    return render(
        request,
        "public/moderation/log.html",
        {"council": here, "page": page, "rows": rows},
    )
