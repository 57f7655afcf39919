"""What of open council business the site search finds (discovered by moothall.search).

Agenda items of published agendas, published documents once their text is read (minutes
as a kind of their own), and published decisions. Nothing exempt, ever: each function
below returns no entry for an exempt object, or one under an exempt item, and the index
drops the entry when that changes. Items, papers and decisions are re-read whenever
their meeting or any item of it is saved, because the verbs publish papers and pass
exemption down with ``QuerySet.update()``, which sends no signal.
"""

from __future__ import annotations

import html
import re
from typing import Any

import markdown
import nh3
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moothall.meetings.models import AgendaItem, Decision, Document, Meeting
from moothall.search.registry import Entry, depends, register

_SPACES = re.compile(r"[ \t]+")


def plain_text(source: str) -> str:
    """Markdown as the words a reader sees (no markup, no HTML)."""
    if not source:
        return ""
    rendered = markdown.markdown(source, extensions=["sane_lists"], output_format="html")
    text = html.unescape(nh3.clean(rendered.replace("</p>", "</p>\n"), tags=set()))
    return _SPACES.sub(" ", text).strip()


def _item_hidden(item: AgendaItem | None) -> bool:
    # is_exempt is kept by the verbs; the paragraph is checked too in case an item was
    # saved as exempt and not yet renumbered.
    return item is not None and (item.is_exempt or item.exempt_paragraph is not None)


def agenda_item_entries(item: AgendaItem) -> list[Entry]:
    meeting = item.meeting
    if _item_hidden(item) or meeting.agenda_published_at is None:
        return []
    return [
        Entry(
            council_id=meeting.council_id,
            body_id=meeting.body_id,
            kind="agenda_item",
            object_id=item.pk,
            title=item.title,
            text=plain_text(item.description),
            date=timezone.localdate(meeting.start),
            url=item.get_absolute_url(),
        )
    ]


def _document_entry(document: Document, kind: str) -> list[Entry]:
    if (
        document.is_exempt
        or document.exempt_paragraph is not None
        or document.published_at is None
        or _item_hidden(document.agenda_item)
        # Indexed once reading its text has finished (a document whose text cannot be
        # read is still found by its title).
        or document.extraction == Document.Extraction.PENDING
    ):
        return []
    meeting = document.meeting
    return [
        Entry(
            council_id=document.council_id,
            body_id=meeting.body_id if meeting else None,
            kind=kind,
            object_id=document.pk,
            title=document.title,
            text=document.text if document.extraction == Document.Extraction.DONE else "",
            date=timezone.localdate(meeting.start if meeting else document.published_at),
            url=document.get_absolute_url(),
        )
    ]


def document_entries(document: Document) -> list[Entry]:
    if document.kind == Document.Kind.MINUTES:
        return []
    return _document_entry(document, "document")


def minutes_entries(document: Document) -> list[Entry]:
    if document.kind != Document.Kind.MINUTES:
        return []
    return _document_entry(document, "minutes")


def decision_entries(decision: Decision) -> list[Entry]:
    if decision.is_exempt or decision.published_at is None or _item_hidden(decision.agenda_item):
        return []
    meeting = decision.meeting
    text = "\n\n".join(part for part in (decision.text, decision.reasons) if part)
    return [
        Entry(
            council_id=decision.council_id,
            body_id=meeting.body_id if meeting else None,
            kind="decision",
            object_id=decision.pk,
            title=decision.title,
            text=plain_text(text),
            date=decision.decided_on,
            url=decision.get_absolute_url(),
        )
    ]


def _meeting_content(meeting_id: int | None) -> list[tuple[type[Any], dict[str, Any]]]:
    if meeting_id is None:
        return []
    lookup = {"meeting_id": meeting_id}
    return [(AgendaItem, lookup), (Document, lookup), (Decision, lookup)]


register(
    "agenda_item",
    AgendaItem,
    agenda_item_entries,
    label=_("Agenda item"),
    queryset=lambda: AgendaItem.objects.select_related("meeting__council"),
    council_field="meeting__council",
)
register(
    "document",
    Document,
    document_entries,
    label=_("Document"),
    queryset=lambda: Document.objects.select_related("council", "meeting", "agenda_item"),
    text_weight="C",
)
register(
    "decision",
    Decision,
    decision_entries,
    label=_("Decision"),
    queryset=lambda: Decision.objects.select_related("council", "meeting", "agenda_item"),
)
register(
    "minutes",
    Document,
    minutes_entries,
    label=_("Minutes"),
    queryset=lambda: Document.objects.select_related("council", "meeting", "agenda_item"),
    text_weight="C",
)
# Publishing an agenda stamps its papers with QuerySet.update(); changing an item's
# exemption passes it to sub-items, papers and decisions the same way.
depends(Meeting, lambda meeting: _meeting_content(meeting.pk))
depends(AgendaItem, lambda item: _meeting_content(item.meeting_id))
