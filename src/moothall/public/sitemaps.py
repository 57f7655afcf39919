"""The sitemap at /sitemap.xml: councils, bodies, meetings, public decisions and documents.

Exempt decisions and documents never appear: they come through the same public querysets
as the pages.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from moothall.councils.models import Council
from moothall.meetings.models import Body, Decision, Document, Meeting


class CouncilSitemap(Sitemap):
    def items(self) -> QuerySet[Council]:
        return Council.objects.order_by("pk")

    def lastmod(self, item: Council) -> dt.datetime:
        return item.updated_at


class BodySitemap(Sitemap):
    def items(self) -> QuerySet[Body]:
        return Body.objects.select_related("council").order_by("pk")

    def lastmod(self, item: Body) -> dt.datetime:
        return item.updated_at


class MeetingSitemap(Sitemap):
    def items(self) -> QuerySet[Meeting]:
        return Meeting.objects.select_related("council").order_by("pk")

    def lastmod(self, item: Meeting) -> dt.datetime:
        return item.updated_at


class DecisionSitemap(Sitemap):
    def items(self) -> QuerySet[Decision]:
        return Decision.objects.public().select_related("council").order_by("pk")

    def lastmod(self, item: Decision) -> dt.datetime:
        return item.updated_at


class DocumentSitemap(Sitemap):
    def items(self) -> QuerySet[Document]:
        return Document.objects.public().select_related("council").order_by("pk")

    def lastmod(self, item: Document) -> dt.datetime | None:
        return item.published_at


SITEMAPS: dict[str, type[Sitemap]] = {
    "councils": CouncilSitemap,
    "bodies": BodySitemap,
    "meetings": MeetingSitemap,
    "decisions": DecisionSitemap,
    "documents": DocumentSitemap,
}
