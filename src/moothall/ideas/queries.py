"""Reading ideas: the list with its filters and sorts, and what one idea's page shows.

The site and the API use these, so both list, filter and hide the same way. Every
function runs a fixed number of queries, however many ideas, comments or links there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet

from moothall.councils.models import Council, Topic, Ward
from moothall.ideas.models import (
    Comment,
    Idea,
    IdeaAgendaLink,
    IdeaResponse,
    IdeaTimelineEntry,
)
from moothall.meetings.models import Decision

# Sort keys and their orderings; each has an index (see Idea.Meta.indexes).
SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-created_at", "-id"),
    "supported": ("-support_count", "-id"),
    "active": ("-last_activity_at", "-id"),
}
DEFAULT_SORT = "newest"
LISTED_STATUSES = [s for s in Idea.Status.values if s != Idea.Status.MERGED]


@dataclass(frozen=True)
class Filters:
    """What a list is narrowed to (each optional) and how it is sorted."""

    topic: Topic | None = None
    ward: Ward | None = None
    status: str = ""
    kind: str = ""
    sort: str = DEFAULT_SORT


def visible_ideas(council: Council) -> QuerySet[Idea]:
    """Every idea of ``council`` the public may open: all but those moderators hid or have
    yet to check (merged ones lead to the idea they were merged into)."""
    return Idea.objects.filter(council=council, hidden_at__isnull=True, awaiting_moderation=False)


def listed_ideas(council: Council, filters: Filters = Filters()) -> QuerySet[Idea]:
    """The ideas a list shows: never merged ones, narrowed and sorted by ``filters``."""
    found = visible_ideas(council).exclude(status=Idea.Status.MERGED)
    if filters.topic is not None:
        found = found.filter(topic=filters.topic)
    if filters.ward is not None:
        found = found.filter(ward=filters.ward)
    if filters.status in LISTED_STATUSES:
        found = found.filter(status=filters.status)
    if filters.kind in Idea.Kind.values:
        found = found.filter(kind=filters.kind)
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    return found.select_related("topic", "ward").order_by(*order)


def paginate(found: QuerySet[Idea], number: Any, per_page: int) -> Page:
    """One page of ``found``: the page's ids first (read from the sort's index alone, so a
    deep page costs little more than the first), then those rows. Three queries."""
    ids_page = Paginator(found.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(cast("Iterable[int]", ids_page.object_list))
    rows = list(found.filter(pk__in=ids)) if ids else []
    return Page(rows, ids_page.number, ids_page.paginator)


@dataclass
class CommentNode:
    """A comment with its replies, in the order they were written."""

    comment: Comment
    replies: list[CommentNode] = field(default_factory=list)


def comment_tree(idea: Idea, viewer: Any = None) -> list[CommentNode]:
    """The idea's comments as threads (one query); of those waiting to be checked, only
    ``viewer``'s own."""
    nodes: dict[int, CommentNode] = {}
    roots: list[CommentNode] = []
    shown = Q(awaiting_moderation=False)
    if getattr(viewer, "is_authenticated", False):
        shown |= Q(author=viewer)
    for comment in (
        idea.comments.filter(shown).select_related("author").order_by("created_at", "id")
    ):
        node = CommentNode(comment)
        nodes[comment.pk] = node
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent is not None else roots).append(node)
    return roots


def public_agenda_links(idea: Idea) -> list[IdeaAgendaLink]:
    """The meetings an idea was placed before, never by an exempt item; the decision only
    when the public may see it."""
    links = list(
        idea.agenda_links.filter(agenda_item__is_exempt=False)
        .select_related("agenda_item__meeting__body", "agenda_item__meeting__council")
        .prefetch_related(
            Prefetch("decision", queryset=Decision.objects.public().select_related("council"))
        )
        .order_by("created_at", "id")
    )
    return links


def public_timeline(idea: Idea) -> list[IdeaTimelineEntry]:
    """The idea's public history, less entries about an agenda item that has since become
    exempt or been taken off the agenda, and about a decision that is no longer public."""
    entries = list(idea.timeline.select_related("agenda_item").order_by("at", "id"))
    named = {
        entry.details.get("decision")
        for entry in entries
        if isinstance(entry.details.get("decision"), int)
    }
    public_decisions = (
        set(Decision.objects.public().filter(pk__in=named).values_list("pk", flat=True))
        if named
        else set()
    )
    shown = []
    for entry in entries:
        about_item = entry.kind in (
            IdeaTimelineEntry.Kind.PLACED_ON_AGENDA,
            IdeaTimelineEntry.Kind.DECISION_LINKED,
        )
        if about_item and (entry.agenda_item is None or entry.agenda_item.is_exempt):
            continue
        decision = entry.details.get("decision")
        if decision is not None and decision not in public_decisions:
            continue
        shown.append(entry)
    return shown


def responses_of(idea: Idea) -> list[IdeaResponse]:
    return list(
        idea.responses.select_related("councillor__person", "councillor__council").order_by(
            "created_at", "id"
        )
    )


def ideas_by_id(council: Council, pk: Any) -> Idea | None:
    """One idea of ``council`` by an id typed by a person (None for anything else)."""
    text = str(pk).strip().lstrip("#")
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return visible_ideas(council).filter(pk=int(text)).first()
