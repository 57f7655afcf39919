"""Saved-search digests: email each person what newly matches their saved searches."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from moothall.core.mail import queue_email
from moothall.search.models import SavedSearch
from moothall.search.parser import QueryError
from moothall.search.query import search

logger = logging.getLogger(__name__)

HITS_PER_EMAIL = 20
# Entries are indexed just after their own commit: leave a margin so that one whose
# indexing transaction was still open when we looked is sent next time, not missed.
SETTLE = dt.timedelta(minutes=2)


@dataclass
class DigestSummary:
    searches: int = 0
    sent: int = 0


def send_digest(saved: SavedSearch, *, until: dt.datetime) -> bool:
    """Email the entries first indexed since the last digest; True when one was sent.

    Claims the window with a conditional update, so two runs at once never both send.
    Side effects: one email (after commit), ``last_sent_at`` moved to ``until``.
    """
    if until <= saved.last_sent_at:
        return False
    try:
        results = search(
            saved.query,
            council=saved.council,
            body=saved.body_id,
            kinds=saved.kinds or None,
            date_from=saved.date_from,
            date_to=saved.date_to,
            indexed_after=saved.last_sent_at,
            indexed_until=until,
            limit=HITS_PER_EMAIL,
        )
    except QueryError:
        logger.warning("Saved search %s no longer parses; skipped", saved.pk)
        return False
    with transaction.atomic():
        claimed = SavedSearch.objects.filter(pk=saved.pk, last_sent_at=saved.last_sent_at).update(
            last_sent_at=until
        )
        if not claimed or not results.total:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            queue_email(
                saved.user.email,
                "search/email/digest",
                {
                    "saved": saved,
                    "hits": results.hits,
                    "total": results.total,
                    "more": results.total - len(results.hits),
                    "search_url": _search_url(saved),
                    "manage_url": reverse("search:saved"),
                },
            )
    return True


def _search_url(saved: SavedSearch) -> str:
    params: list[tuple[str, str]] = [("q", saved.query)]
    if saved.council is not None:
        params.append(("council", saved.council.slug))
    if saved.body_id:
        params.append(("body", str(saved.body_id)))
    params.extend(("type", kind) for kind in saved.kinds)
    return reverse("search:search") + "?" + urlencode(params)


def send_digests(now: dt.datetime | None = None) -> DigestSummary:
    """Run every saved search of an active person; email those with something new."""
    until = (now or timezone.now()) - SETTLE
    summary = DigestSummary()
    searches = SavedSearch.objects.filter(user__is_active=True).select_related("user", "council")
    for saved in searches.order_by("pk").iterator(chunk_size=200):
        summary.searches += 1
        if send_digest(saved, until=until):
            summary.sent += 1
    return summary
