"""A council's privacy notice at /<council>/privacy/, built from its settings."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from moothall.accounts.privacy_notice import notice_for
from moothall.councils.models import Council


@require_safe
def privacy_notice(request: HttpRequest, council: str) -> HttpResponse:
    found = get_object_or_404(Council, slug=council)
    return render(
        request,
        "public/privacy/notice.html",
        {"council": found, "notice": notice_for(found)},
    )
