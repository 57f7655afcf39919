from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """What every page's chrome needs: the site name and the languages on offer."""
    return {
        "SITE_NAME": getattr(settings, "SITE_NAME", "Moothall"),
        "LANGUAGES": settings.LANGUAGES,
    }
