"""Transcripts in the site search (discovered by moothall.search).

One entry per run of consecutive segments of a recording under the same agenda item by
the same speaker, kept on the run's first segment: its title says where and by whom
("Said under item 5, Budget, by Councillor Jane Smith"), its text is the words, its link
plays the recording from there. Nothing under an exempt item, nothing of a meeting whose
agenda is not published. Runs are re-read whenever their recording, meeting, an item of
the meeting or a named councillor changes (the verbs write segments in bulk, so they tell
the search through the recording).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from moothall.councils.models import Councillor, Person
from moothall.live.models import Recording, Segment
from moothall.meetings.models import AgendaItem, Meeting
from moothall.search.registry import Entry, depends, register

# A run longer than this is split (a long speech is found, and linked, by its part).
MAX_RUN = 40


def _voice(segment: Segment) -> tuple[Any, ...]:
    return (segment.item_id, segment.councillor_id or segment.speaker)


def _hidden(item: AgendaItem | None) -> bool:
    return item is not None and (item.is_exempt or item.exempt_paragraph is not None)


def speaker_name(segment: Segment) -> str:
    return str(segment.councillor) if segment.councillor is not None else segment.speaker


def title_of(segment: Segment) -> str:
    """Where and by whom: the agenda-aware title of a run."""
    item, who = segment.item, speaker_name(segment)
    if item is not None and who:
        return gettext("Said under item %(number)s, %(title)s, by %(speaker)s") % {
            "number": item.number,
            "title": item.title,
            "speaker": who,
        }
    if item is not None:
        return gettext("Said under item %(number)s, %(title)s") % {
            "number": item.number,
            "title": item.title,
        }
    if who:
        return gettext("Said at %(meeting)s by %(speaker)s") % {
            "meeting": segment.recording.meeting.display_title,
            "speaker": who,
        }
    return gettext("Said at %(meeting)s") % {"meeting": segment.recording.meeting.display_title}


def transcript_entries(segment: Segment) -> list[Entry]:
    recording = segment.recording
    meeting = recording.meeting
    if _hidden(segment.item) or meeting.agenda_published_at is None:
        return []
    before = (
        Segment.objects.filter(recording_id=recording.pk, position__lt=segment.position)
        .order_by("-position")
        .only("item_id", "councillor_id", "speaker", "position")
        .first()
    )
    run_start = segment.position - segment.position % MAX_RUN if segment.position else 0
    if before is not None and _voice(before) == _voice(segment) and segment.position != run_start:
        return []  # not the first of its run: the first one carries the run
    words = [segment.text]
    following = Segment.objects.filter(
        recording_id=recording.pk,
        position__gt=segment.position,
        position__lt=run_start + MAX_RUN,
    ).order_by("position")
    for other in following.only("item_id", "councillor_id", "speaker", "text"):
        if _voice(other) != _voice(segment):
            break
        words.append(other.text)
    from moothall.live.record import recording_url

    return [
        Entry(
            council_id=meeting.council_id,
            body_id=meeting.body_id,
            kind="transcript",
            object_id=segment.pk,
            title=title_of(segment),
            text=" ".join(words),
            date=timezone.localdate(meeting.start),
            url=f"{recording_url(recording)}?t={int(segment.start_s)}#s{segment.position}",
        )
    ]


register(
    "transcript",
    Segment,
    transcript_entries,
    label=_("Said at a meeting"),
    queryset=lambda: Segment.objects.select_related(
        "recording__meeting__council", "recording__meeting__body", "item", "councillor__person"
    ),
    council_field="recording__meeting__council",
)
depends(Recording, lambda recording: [(Segment, {"recording_id": recording.pk})])
depends(Meeting, lambda meeting: [(Segment, {"recording__meeting_id": meeting.pk})])
depends(AgendaItem, lambda item: [(Segment, {"recording__meeting_id": item.meeting_id})])
depends(Councillor, lambda councillor: [(Segment, {"councillor_id": councillor.pk})])
depends(Person, lambda person: [(Segment, {"councillor__person_id": person.pk})])
