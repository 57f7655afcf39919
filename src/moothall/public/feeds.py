"""Atom feeds of a council's new meetings, decisions and documents, newest first.

Public content only: decisions and documents come through the same public querysets as
the pages (never exempt, never under an exempt item, documents only once published).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from moothall.core.text import render_markdown
from moothall.councils.models import Council
from moothall.meetings.models import Decision, Document, Meeting

FEED_LENGTH = 50


class _CouncilFeed(Feed):
    feed_type = Atom1Feed

    request: HttpRequest | None = None

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # One feed object serves every request (it sits in the URLconf): answer each
        # from a copy that knows its own request, for absolute enclosure links.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def get_object(self, request: HttpRequest, council: str) -> Council:
        return get_object_or_404(Council, slug=council)

    def author_name(self, obj: Council) -> str:
        return obj.name


class MeetingsFeed(_CouncilFeed):
    def title(self, obj: Council) -> str:
        return gettext("Meetings of %(council)s") % {"council": obj.name}

    def subtitle(self, obj: Council) -> str:
        return gettext("Meetings as they are scheduled, newest first.")

    def link(self, obj: Council) -> str:
        return reverse("public:meetings", kwargs={"council": obj.slug})

    def items(self, obj: Council) -> QuerySet[Meeting]:
        return (
            Meeting.objects.all()
            .filter(council=obj)
            .select_related("council", "body")
            .order_by("-created_at", "-id")[:FEED_LENGTH]
        )

    def item_title(self, item: Meeting) -> str:
        when = formats.date_format(timezone.localtime(item.start), "j F Y, H:i")
        title = f"{item.display_title}, {when}"
        if item.status in (Meeting.Status.CANCELLED, Meeting.Status.POSTPONED):
            title = f"{title} ({item.get_status_display()})"
        return title

    def item_description(self, item: Meeting) -> str:
        parts = [item.body.name, str(item.get_status_display())]
        if item.venue:
            parts.append(item.venue)
        if item.status_reason and item.status != Meeting.Status.SCHEDULED:
            parts.append(gettext("Reason: %(reason)s") % {"reason": item.status_reason})
        return " – ".join(parts)

    def item_link(self, item: Meeting) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Meeting) -> dt.datetime:
        return item.created_at

    def item_updateddate(self, item: Meeting) -> dt.datetime:
        return item.updated_at


class DecisionsFeed(_CouncilFeed):
    def title(self, obj: Council) -> str:
        return gettext("Decisions of %(council)s") % {"council": obj.name}

    def subtitle(self, obj: Council) -> str:
        return gettext("Decisions as they are recorded, newest first.")

    def link(self, obj: Council) -> str:
        return reverse("public:decisions", kwargs={"council": obj.slug})

    def items(self, obj: Council) -> QuerySet[Decision]:
        return (
            Decision.objects.public()
            .filter(council=obj)
            .select_related("council")
            .order_by("-decided_on", "-id")[:FEED_LENGTH]
        )

    def item_title(self, item: Decision) -> str:
        return item.title

    def item_description(self, item: Decision) -> SafeString:
        return render_markdown(item.text)

    def item_link(self, item: Decision) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Decision) -> dt.datetime:
        return item.published_at or item.created_at

    def item_updateddate(self, item: Decision) -> dt.datetime:
        return item.updated_at


class DocumentsFeed(_CouncilFeed):
    def title(self, obj: Council) -> str:
        return gettext("Documents of %(council)s") % {"council": obj.name}

    def subtitle(self, obj: Council) -> str:
        return gettext("Agendas, reports and minutes as they are published, newest first.")

    def link(self, obj: Council) -> str:
        return reverse("public:meetings", kwargs={"council": obj.slug})

    def items(self, obj: Council) -> QuerySet[Document]:
        return (
            Document.objects.public()
            .filter(council=obj)
            .select_related("council", "stored_file", "meeting__body")
            .order_by("-published_at", "-id")[:FEED_LENGTH]
        )

    def item_title(self, item: Document) -> str:
        return item.title

    def item_description(self, item: Document) -> str:
        if item.meeting is not None:
            return f"{item.get_kind_display()} – {item.meeting}"
        return str(item.get_kind_display())

    def item_link(self, item: Document) -> str:
        return item.get_absolute_url()

    def item_enclosures(self, item: Document) -> list[Enclosure]:
        path = reverse("public:document_file", kwargs={"council": item.council.slug, "pk": item.pk})
        url = self.request.build_absolute_uri(path) if self.request is not None else path
        return [Enclosure(url, str(item.stored_file.size), item.stored_file.content_type)]

    def item_pubdate(self, item: Document) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Document) -> dt.datetime:
        return item.published_at or item.created_at
