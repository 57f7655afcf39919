"""Committees, meetings, agendas, papers and attendance from ModernGov's web service.

Three answers are read (their shapes as ModernGov's ``mgWebService.asmx`` gives them
and as public projects that read it parse them)::

    GetCommittees
    <committees><committee>
      <committeeid>101</committeeid><committeetitle>Council</committeetitle>
      <committeedeleted>False</committeedeleted><committeeexpired>False</committeeexpired>
    </committee></committees>

    GetMeetings?lCommitteeId=101&sFromDate=01/01/2024&sToDate=31/12/2024
    <getmeetings><committee><committeeid>101</committeeid><committeetitle>Council</committeetitle>
      <committeemeetings><meeting>
        <meetingid>1001</meetingid><meetingdate>24/01/2024</meetingdate>
        <meetingtime>7.00 pm</meetingtime><meetingstatus>Confirmed</meetingstatus>
      </meeting></committeemeetings>
    </committee></getmeetings>

    GetMeeting?lMeetingId=1001
    <meeting>
      <meetingid>1001</meetingid><meetingdate>24/01/2024</meetingdate>
      <meetingtime>7.00 pm</meetingtime><meetingstatus>Confirmed</meetingstatus>
      <meetinglocation>Council Chamber</meetinglocation>
      <agendapublished>True</agendapublished><minutepublished>True</minutepublished>
      <linkeddocuments>…</linkeddocuments>            the meeting's own papers
      <agendaitems><agendaitem>
        <agendaitemid>20001</agendaitemid><agendaitemnumber>4</agendaitemnumber>
        <fulldisplaynumberformat>4.</fulldisplaynumberformat>
        <agendaitemtitle>Budget</agendaitemtitle><agendatext>(escaped HTML)</agendatext>
        <isrestricted>False</isrestricted>
        <linkeddocuments><linkeddoc>
          <attachmentid>5002</attachmentid><title>Budget report</title>
          <url>http://moderngov.example.gov.uk/mgConvert2PDF.aspx?ID=5002</url>
          <isrestricted>False</isrestricted>
        </linkeddoc></linkeddocuments>
      </agendaitem></agendaitems>
      <attendees><attendee memberid="7001" name="Cllr A" attendance="Present"/></attendees>
    </meeting>

The rules, for the clerk who wonders why the record looks as it does:

- **One transaction per run.** Every answer is fetched and checked, and every new
  document downloaded (to a temporary folder), before anything is written; then all
  is written in one transaction. A bad answer (not XML, cut short, the wrong document,
  a meeting that is not there) fails the whole run with one line and writes nothing.
- **Idempotent.** Bodies, meetings, items and documents carry ``source="moderngov"`` and
  ModernGov's id; a second run finds them and changes only what changed upstream.
  Documents already imported are not downloaded again.
- **Bodies** come from every committee not marked deleted; an expired one is inactive.
  Its kind is guessed from the name once (the clerk may change it; re-runs leave it).
- **Meetings** in the date range (``<meetingdate>``, filtered here too because some
  installs ignore the dates asked for). A cancelled or postponed status goes through
  ``cancel_meeting``/``postpone_meeting``; attendance through ``record_attendance``.
- **Agenda items**: ``agendaitemnumber`` 0 is a section heading and is left out. An item
  numbered like ``4.1`` or ``4a`` sits under item 4. An item added after the agenda was
  published is late, so it is recorded as urgent business (the law allows no other).
- **Exempt items**: ``<isrestricted>True</isrestricted>`` with a Schedule 12A paragraph named
  in its title or text ("paragraph 3") is imported as exempt with that paragraph. A
  restricted item that names no paragraph is imported as *confidential* (LGA 1972
  s.100A(3)): kept off every public channel like an exempt one, with no paragraph
  invented for it. An import never lifts an exemption or confidentiality the record
  already has, whatever a later answer says.
- **Documents** are downloaded only from the council's configured ModernGov host
  (a link elsewhere is reported and never fetched), capped at the council's document
  size limit, and typed by content by ``attach_document`` (anything but PDF, DOCX or
  HTML is reported and skipped). Restricted documents are not downloaded: ModernGov
  does not publish them.
- **Publication**: ``<agendapublished>True</agendapublished>`` gives no date, so the agenda
  is recorded with ``publish_agenda(published_elsewhere=True)``: published on the council's
  own site, at the import's time, with no judgement on lateness (which the answer cannot
  support). ``<minutepublished>`` on a meeting in the past goes through ``publish_minutes``
  with the meeting's own minutes document, if it has one.
- ``<webcasturl>`` is not in the documented shape; it is read if an install sends it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import tempfile
import xml.etree.ElementTree as ET  # for its types and ParseError; defusedxml parses
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moothall.core import audit
from moothall.councils.importers.sources import TIMEOUT_SECONDS
from moothall.councils.models import Council, Councillor
from moothall.meetings import domain
from moothall.meetings.importers import ImportFailed
from moothall.meetings.importers.sources import AnswerSource, Site, fetch, host_of
from moothall.meetings.models import (
    AgendaItem,
    Attendance,
    Body,
    Document,
    Meeting,
    MeetingSettings,
)

SOURCE = "moderngov"
LONDON = zoneinfo.ZoneInfo("Europe/London")  # ModernGov gives UK local times

_ID = re.compile(r"^\d{1,18}$")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_TIME = re.compile(
    r"^(\d{1,2})(?:[.:](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|noon|midday)?$", re.IGNORECASE
)
_PARAGRAPH = re.compile(r"\bpara(?:graph)?s?\.?\s*(\d{1,2})\b", re.IGNORECASE)
_SUB_NUMBER = re.compile(r"^(\d+)\s*(?:\.\s*\d+|\(?[a-z]{1,2}\)?)$", re.IGNORECASE)
_url_validator = URLValidator(schemes=["http", "https"])

_MAX_TITLE = AgendaItem._meta.get_field("title").max_length or 500
_MAX_VENUE = Meeting._meta.get_field("venue").max_length or 300
_MAX_BODY = Body._meta.get_field("name").max_length or 200
_MAX_URL = Document._meta.get_field("source_url").max_length or 500


# --- What the answers say ----------------------------------------------------------


@dataclass(frozen=True)
class CommitteeRecord:
    source_id: str
    title: str
    deleted: bool
    expired: bool


@dataclass(frozen=True)
class MeetingListing:
    source_id: str
    date: dt.date


@dataclass(frozen=True)
class DocumentRecord:
    source_id: str
    title: str
    url: str
    restricted: bool
    kind: str
    exempt_paragraph: int | None


@dataclass(frozen=True)
class ItemRecord:
    source_id: str
    display_number: str
    parent_id: str | None  # the ModernGov id of the item it sits under
    title: str
    description: str
    kind: str
    exempt_paragraph: int | None
    confidential: bool
    documents: tuple[DocumentRecord, ...]


@dataclass(frozen=True)
class AttendeeRecord:
    member_id: str
    name: str
    status: str  # an Attendance.Status value


@dataclass(frozen=True)
class MeetingRecord:
    source_id: str
    start: dt.datetime
    venue: str
    status: str  # a Meeting.Status value
    status_text: str
    webcast_url: str
    agenda_published: bool
    minutes_published: bool
    items: tuple[ItemRecord, ...]
    documents: tuple[DocumentRecord, ...]  # the meeting's own papers (agenda pack, minutes)
    attendees: tuple[AttendeeRecord, ...]


@dataclass
class ImportSummary:
    bodies: int = 0
    bodies_created: int = 0
    bodies_updated: int = 0
    meetings_created: int = 0
    meetings_updated: int = 0
    meetings_unchanged: int = 0
    items_created: int = 0
    items_updated: int = 0
    documents_created: int = 0
    documents_skipped: int = 0
    attendance_recorded: int = 0
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        return {
            "bodies": self.bodies,
            "bodies_created": self.bodies_created,
            "bodies_updated": self.bodies_updated,
            "meetings_created": self.meetings_created,
            "meetings_updated": self.meetings_updated,
            "meetings_unchanged": self.meetings_unchanged,
            "items_created": self.items_created,
            "items_updated": self.items_updated,
            "documents_created": self.documents_created,
            "documents_skipped": self.documents_skipped,
            "attendance_recorded": self.attendance_recorded,
        }


# --- Parsing ----------------------------------------------------------------------------


def _parse(data: bytes, answer: str, operation: str, root_tag: str) -> ET.Element:
    try:
        root = fromstring(data)
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise ImportFailed(
            _("%(answer)s is not well-formed XML (line %(line)d, column %(column)d).")
            % {"answer": answer, "line": line, "column": column}
        ) from None
    except DefusedXmlException:
        raise ImportFailed(
            _("%(answer)s uses entities or a DTD, which are refused.") % {"answer": answer}
        ) from None
    except (ValueError, LookupError):  # e.g. an unknown encoding in the XML declaration
        raise ImportFailed(
            _("%(answer)s declares an encoding that cannot be read.") % {"answer": answer}
        ) from None
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.rsplit("}", 1)[1]
    if root.tag != root_tag:
        raise ImportFailed(
            _("%(answer)s is not a ModernGov %(operation)s answer (the document is <%(tag)s>).")
            % {"answer": answer, "operation": operation, "tag": str(root.tag)[:40]}
        )
    return root


def _text(el: ET.Element | None) -> str:
    """The element's text, entities ModernGov encoded twice decoded, whitespace made single."""
    if el is None:
        return ""
    return " ".join(html.unescape("".join(el.itertext())).split())


def _raw(el: ET.Element | None) -> str:
    """The element's text as written, trimmed (for addresses, whose ``&`` must stay as it is)."""
    return "".join(el.itertext()).strip() if el is not None else ""


def _flag(el: ET.Element, tag: str) -> bool:
    return _text(el.find(tag)).lower() == "true"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _date(text: str, answer: str) -> dt.date:
    match = _DATE.match(text)
    try:
        if not match:
            raise ValueError(text)
        return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise ImportFailed(
            _("%(answer)s has a date “%(date)s” that is not dd/mm/yyyy.")
            % {"answer": answer, "date": text[:30]}
        ) from None


def _time(text: str, answer: str, warnings: list[str]) -> dt.time:
    if not text:
        warnings.append(_("%(answer)s gives no time: midnight is used.") % {"answer": answer})
        return dt.time(0, 0)
    match = _TIME.match(text.strip())
    try:
        if not match:
            raise ValueError(text)
        hour, minute = int(match[1]), int(match[2] or 0)
        suffix = (match[3] or "").lower().replace(".", "")
        if suffix in ("am", "pm") and not 1 <= hour <= 12:
            raise ValueError(text)
        if suffix == "pm" and hour != 12:
            hour += 12
        elif suffix == "am" and hour == 12:
            hour = 0
        return dt.time(hour, minute)
    except ValueError:
        raise ImportFailed(
            _("%(answer)s has a time “%(time)s” that cannot be read.")
            % {"answer": answer, "time": text[:30]}
        ) from None


def _id(text: str, what: str, answer: str) -> str:
    if not _ID.match(text):
        raise ImportFailed(
            _("%(answer)s has a %(what)s “%(id)s” that is not a number.")
            % {"answer": answer, "what": what, "id": text[:30]}
        )
    return text


def _paragraph(*texts: str) -> int | None:
    """The Schedule 12A paragraph (1–7) a text names, e.g. “exempt under paragraph 3”."""
    for text in texts:
        for match in _PARAGRAPH.finditer(text):
            number = int(match[1])
            if 1 <= number <= 7:
                return number
    return None


class _PlainText(HTMLParser):
    """ModernGov's agenda text is HTML; the description is plain paragraphs."""

    _BLOCKS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
    BREAK = "\x00"

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self._BLOCKS:
            self.parts.append(self.BREAK)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self.parts.append(self.BREAK)

    def handle_data(self, data: str) -> None:
        self.parts.append(data.replace(self.BREAK, " "))


def plain_text(markup: str) -> str:
    """HTML as plain paragraphs: one blank line between blocks, whitespace tidied."""
    parser = _PlainText()
    parser.feed(html.unescape(markup) if "&lt;" in markup else markup)
    parser.close()
    blocks = (" ".join(block.split()) for block in "".join(parser.parts).split(parser.BREAK))
    return "\n\n".join(block for block in blocks if block)


def _item_kind(title: str, exempt_paragraph: int | None) -> str:
    if exempt_paragraph is not None:
        return AgendaItem.Kind.EXEMPT
    lowered = title.lower()
    for needle, kind in (
        ("apolog", AgendaItem.Kind.APOLOGIES),
        ("declaration", AgendaItem.Kind.DECLARATIONS),
        ("minutes", AgendaItem.Kind.MINUTES),
        ("petition", AgendaItem.Kind.PETITION),
        ("question", AgendaItem.Kind.QUESTION),
        ("motion", AgendaItem.Kind.MOTION),
        ("urgent", AgendaItem.Kind.URGENT),
        ("exclusion of the press", AgendaItem.Kind.OTHER),
    ):
        if needle in lowered:
            return kind
    return AgendaItem.Kind.REPORT


def _document_kind(title: str, *, on_item: bool) -> str:
    lowered = title.lower()
    for needles, kind in (
        (("agenda", "reports pack", "frontsheet"), Document.Kind.AGENDA_PACK),
        (("minutes",), Document.Kind.MINUTES),
        (("decision",), Document.Kind.DECISION_NOTICE),
        (("appendix", "annex"), Document.Kind.APPENDIX),
    ):
        if any(needle in lowered for needle in needles):
            return kind
    return Document.Kind.REPORT if on_item else Document.Kind.OTHER


def _attendance(text: str) -> str | None:
    """ModernGov's attendance wording as a status; "" when not yet known; None if unknown."""
    wording = " ".join(text.lower().split())
    if not wording or wording.startswith("expected"):
        return ""
    if wording.startswith("present") and "substitute" in wording:
        return Attendance.Status.SUBSTITUTE
    if wording.startswith("apolog"):
        return Attendance.Status.APOLOGIES
    if wording.startswith("absent"):
        return Attendance.Status.ABSENT
    if wording.startswith(("present", "in attendance", "attended", "virtual")):
        return Attendance.Status.PRESENT
    return None


def _meeting_status(text: str) -> str:
    wording = text.lower()
    if "cancel" in wording:
        return Meeting.Status.CANCELLED
    if "postpone" in wording:
        return Meeting.Status.POSTPONED
    return Meeting.Status.SCHEDULED


def parse_committees(data: bytes) -> list[CommitteeRecord]:
    """Parse and check a GetCommittees answer. Raises ImportFailed if unusable."""
    answer = _("The GetCommittees answer")
    root = _parse(data, answer, "GetCommittees", "committees")
    committees: dict[str, CommitteeRecord] = {}
    for el in root.iter("committee"):
        source_id = _id(_text(el.find("committeeid")), _("committee id"), answer)
        title = _text(el.find("committeetitle"))
        if not title or len(title) > _MAX_BODY:
            raise ImportFailed(
                _("%(answer)s: committee %(id)s has a missing or over-long <committeetitle>.")
                % {"answer": answer, "id": source_id}
            )
        committees.setdefault(
            source_id,
            CommitteeRecord(
                source_id=source_id,
                title=title,
                deleted=_flag(el, "committeedeleted"),
                expired=_flag(el, "committeeexpired"),
            ),
        )
    return list(committees.values())


def parse_meetings(data: bytes, committee_id: str) -> list[MeetingListing]:
    """Parse and check a committee's GetMeetings answer. Raises ImportFailed if unusable."""
    answer = _("The GetMeetings answer for committee %(id)s") % {"id": committee_id}
    root = _parse(data, answer, "GetMeetings", "getmeetings")
    listings: dict[str, MeetingListing] = {}
    for el in root.iter("meeting"):
        source_id = _id(_text(el.find("meetingid")), _("meeting id"), answer)
        listings.setdefault(
            source_id, MeetingListing(source_id, _date(_text(el.find("meetingdate")), answer))
        )
    return list(listings.values())


def parse_meeting(data: bytes, meeting_id: str, warnings: list[str]) -> MeetingRecord:
    """Parse and check a GetMeeting answer for ``meeting_id``. Raises ImportFailed if unusable."""
    answer = _("The GetMeeting answer for meeting %(id)s") % {"id": meeting_id}
    root = _parse(data, answer, "GetMeeting", "meeting")
    if _text(root.find("meetingid")) != meeting_id:
        raise ImportFailed(
            _("%(answer)s holds no such meeting (it may not exist).") % {"answer": answer}
        )
    date = _date(_text(root.find("meetingdate")), answer)
    start = dt.datetime.combine(
        date, _time(_text(root.find("meetingtime")), answer, warnings), tzinfo=LONDON
    )
    status_text = _text(root.find("meetingstatus"))

    venue = _text(root.find("meetinglocation"))
    if len(venue) > _MAX_VENUE:
        warnings.append(_("%(answer)s: the venue was shortened to fit.") % {"answer": answer})
        venue = _shorten(venue, _MAX_VENUE)

    webcast = _raw(root.find("webcasturl"))
    if webcast:
        try:
            if len(webcast) > _MAX_URL:
                raise ValidationError("too long")
            _url_validator(webcast)
        except ValidationError:
            warnings.append(
                _("%(answer)s: the webcast address is not a usable web address.")
                % {"answer": answer}
            )
            webcast = ""

    items: list[ItemRecord] = []
    by_number: dict[str, str] = {}
    seen: set[str] = set()
    for el in root.findall("agendaitems/agendaitem"):
        item = _parse_item(el, answer, by_number, warnings)
        if item is None or item.source_id in seen:
            continue
        seen.add(item.source_id)
        items.append(item)

    attendees: list[AttendeeRecord] = []
    for el in root.findall("attendees/attendee"):
        member_id = el.get("memberid") or _text(el.find("memberid"))
        name = el.get("name") or _text(el.find("name"))
        wording = el.get("attendance") or _text(el.find("attendance"))
        status = _attendance(wording)
        if not member_id or status == "":
            continue
        if status is None:
            warnings.append(
                _("%(answer)s: the attendance “%(wording)s” of %(name)s is not understood.")
                % {"answer": answer, "wording": wording[:50], "name": name or member_id}
            )
            continue
        attendees.append(AttendeeRecord(member_id=member_id.strip(), name=name, status=status))

    return MeetingRecord(
        source_id=meeting_id,
        start=start,
        venue=venue,
        status=_meeting_status(status_text),
        status_text=status_text,
        webcast_url=webcast,
        agenda_published=_flag(root, "agendapublished"),
        minutes_published=_flag(root, "minutepublished"),
        items=tuple(items),
        documents=_parse_documents(root, answer, on_item=False, paragraph=None),
        attendees=tuple(attendees),
    )


def _parse_item(
    el: ET.Element, answer: str, by_number: dict[str, str], warnings: list[str]
) -> ItemRecord | None:
    source_id = _id(_text(el.find("agendaitemid")), _("agenda item id"), answer)
    number = _text(el.find("agendaitemnumber"))
    title = _text(el.find("agendaitemtitle"))
    if number in ("", "0") or not title:
        return None  # a section heading, not business
    if len(title) > _MAX_TITLE:
        warnings.append(
            _("%(answer)s: the title of item %(id)s was shortened to fit.")
            % {"answer": answer, "id": source_id}
        )
        title = _shorten(title, _MAX_TITLE)
    agenda_text = el.find("agendatext")
    description = plain_text("".join(agenda_text.itertext())) if agenda_text is not None else ""
    restricted = _flag(el, "isrestricted")
    paragraph = _paragraph(title, description) if restricted else None

    display = (_text(el.find("fulldisplaynumberformat")) or number).rstrip(".").strip()
    sub = _SUB_NUMBER.match(display)
    parent_id = by_number.get(sub[1]) if sub else None
    by_number.setdefault(display, source_id)
    return ItemRecord(
        source_id=source_id,
        display_number=display,
        parent_id=parent_id,
        title=title,
        description=description,
        kind=_item_kind(title, paragraph),
        exempt_paragraph=paragraph,
        # Restricted with no paragraph named: confidential (s.100A(3)), never published.
        confidential=restricted and paragraph is None,
        documents=_parse_documents(el, answer, on_item=True, paragraph=paragraph),
    )


def _parse_documents(
    parent: ET.Element, answer: str, *, on_item: bool, paragraph: int | None
) -> tuple[DocumentRecord, ...]:
    documents: dict[str, DocumentRecord] = {}
    for el in parent.findall("linkeddocuments/linkeddoc"):
        url = _raw(el.find("url"))
        if not url:
            continue
        attachment = _text(el.find("attachmentid"))
        if attachment:
            source_id = _id(attachment, _("attachment id"), answer)
        else:  # an id that stays the same for the same link
            source_id = "url-" + hashlib.sha256(url.encode()).hexdigest()[:40]
        title = _shorten(_text(el.find("title")) or url.rsplit("/", 1)[-1][:100], _MAX_TITLE)
        restricted = _flag(el, "isrestricted")
        documents.setdefault(
            source_id,
            DocumentRecord(
                source_id=source_id,
                title=title,
                url=url,
                restricted=restricted,
                kind=_document_kind(title, on_item=on_item),
                # A restricted paper is never downloaded; any other follows its item.
                exempt_paragraph=paragraph,
            ),
        )
    return tuple(documents.values())


# --- Reading a run's answers (nothing is written) ---------------------------------------


@dataclass
class Answers:
    committees: list[CommitteeRecord]
    meetings: list[tuple[str, MeetingRecord]]  # (committee id, meeting), in date order
    warnings: list[str]


def read_answers(source: AnswerSource, date_from: dt.date, date_to: dt.date) -> Answers:
    """Fetch and check every answer of a run. Raises ImportFailed for the first bad one."""
    warnings: list[str] = []
    committees = parse_committees(source.committees())
    listed: dict[str, str] = {}  # meeting id → committee id
    for committee in committees:
        if committee.deleted:
            continue
        data = source.meetings(committee.source_id, date_from, date_to)
        if data is None:
            continue
        for listing in parse_meetings(data, committee.source_id):
            if date_from <= listing.date <= date_to:
                listed.setdefault(listing.source_id, committee.source_id)
    meetings = [
        (committee_id, parse_meeting(source.meeting(meeting_id), meeting_id, warnings))
        for meeting_id, committee_id in listed.items()
    ]
    meetings.sort(key=lambda pair: (pair[1].start, int(pair[1].source_id)))
    return Answers(committees=committees, meetings=meetings, warnings=warnings)


# --- Downloading the papers (nothing is written) ----------------------------------------


@dataclass
class _Downloads:
    folder: Path
    # document source id → (its bytes on disk, the address they came from)
    files: dict[str, tuple[Path, str]] = field(default_factory=dict)
    skipped: int = 0


def _wanted_documents(record: MeetingRecord) -> Iterator[tuple[str, DocumentRecord]]:
    """(where, document) for every paper of the meeting, the meeting's own first."""
    for document in record.documents:
        yield _("meeting %(id)s") % {"id": record.source_id}, document
    for item in record.items:
        for document in item.documents:
            yield (
                _("meeting %(id)s, item %(number)s")
                % {"id": record.source_id, "number": item.display_number},
                document,
            )


def _download(
    council: Council,
    answers: Answers,
    site: Site | None,
    downloads: _Downloads,
    *,
    fetch_files: bool,
    timeout: float,
    warnings: list[str],
) -> None:
    known = set(
        Document.objects.filter(council=council, source=SOURCE).values_list("source_id", flat=True)
    )
    limit = MeetingSettings.for_council(council).document_max_bytes
    for _committee_id, record in answers.meetings:
        for where, document in _wanted_documents(record):
            if document.source_id in known or document.source_id in downloads.files:
                continue

            def skip(reason: str, where: str = where, document: DocumentRecord = document) -> None:
                downloads.skipped += 1
                warnings.append(
                    _("%(where)s: document “%(title)s” (%(id)s) %(reason)s")
                    % {
                        "where": where,
                        "title": document.title,
                        "id": document.source_id,
                        "reason": reason,
                    }
                )

            if document.restricted:
                skip(_("is restricted, so it was not downloaded."))
                continue
            if site is None:
                skip(
                    _("was not downloaded: %(council)s has no ModernGov address.")
                    % {"council": council}
                )
                continue
            address = site.resolve(document.url)
            if address is None:
                skip(
                    _("is on %(host)s, not %(site)s, so it was not downloaded.")
                    % {"host": host_of(document.url, site), "site": site.hostname}
                )
                continue
            if not fetch_files:
                downloads.files[document.source_id] = (Path(), address)  # counted, not fetched
                continue
            try:
                data = fetch(address, site, max_bytes=limit, timeout=timeout)
            except ImportFailed as exc:
                skip(_("could not be downloaded: %(error)s") % {"error": exc})
                continue
            path = downloads.folder / f"{len(downloads.files)}.bin"
            path.write_bytes(data)
            downloads.files[document.source_id] = (path, address)


# --- Importing ------------------------------------------------------------------------------


class _DryRun(Exception):
    """Raised to roll back a dry run's transaction."""


def import_meetings(
    council: Council,
    source: AnswerSource,
    *,
    date_from: dt.date,
    date_to: dt.date,
    site: Site | None = None,
    pages: Site | None = None,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    timeout: float = TIMEOUT_SECONDS,
    actor: Any = None,
) -> ImportSummary:
    """Bring ``council``'s bodies, meetings, agendas, papers and attendance in line with
    ModernGov's answers for meetings from ``date_from`` to ``date_to`` (inclusive).

    ``site`` is the council's configured ModernGov site: the only host documents are
    downloaded from (None: no document is downloaded). ``pages`` is the site whose pages
    the records point back to (``source_url``; ``site`` if not given).

    Side effects, after every answer has been checked and every new paper downloaded,
    all in one transaction and all through the verbs of :mod:`moothall.meetings.domain`
    (``actor=None``): bodies, meetings, items and documents created or updated, agendas
    and minutes published, attendance recorded, meetings cancelled or postponed, one
    ``meetings.imported`` audit entry.
    A dry run checks and counts but writes nothing and downloads nothing.
    Raises ImportFailed for an unusable answer; the database is then untouched.
    """
    now = now or timezone.now()
    answers = read_answers(source, date_from, date_to)
    summary = ImportSummary(warnings=list(answers.warnings))
    with tempfile.TemporaryDirectory(prefix="moothall-moderngov-") as folder:
        downloads = _Downloads(folder=Path(folder))
        _download(
            council,
            answers,
            site,
            downloads,
            fetch_files=not dry_run,
            timeout=timeout,
            warnings=summary.warnings,
        )
        summary.documents_skipped = downloads.skipped
        try:
            with transaction.atomic():
                # One import per council at a time: a second waits here for the first.
                Council.objects.select_for_update().filter(pk=council.pk).first()
                _write(
                    council,
                    answers,
                    downloads,
                    summary,
                    pages=pages or site,
                    now=now,
                    dry_run=dry_run,
                )
                audit.record(
                    "meetings.imported",
                    actor=actor,
                    council=council,
                    source=source.description,
                    date_from=date_from.isoformat(),
                    date_to=date_to.isoformat(),
                    warnings=len(summary.warnings),
                    **summary.counts(),
                )
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
    return summary


def _write(
    council: Council,
    answers: Answers,
    downloads: _Downloads,
    summary: ImportSummary,
    *,
    pages: Site | None,
    now: dt.datetime,
    dry_run: bool,
) -> None:
    bodies = _sync_bodies(council, answers.committees, summary, pages)
    councillors = {
        c.source_id: c for c in Councillor.objects.filter(council=council, source=SOURCE)
    }
    existing = {
        m.source_id: m
        for m in Meeting.objects.filter(council=council, source=SOURCE).select_related("body")
    }
    for committee_id, record in answers.meetings:
        try:
            _import_meeting(
                council,
                bodies[committee_id],
                record,
                existing.get(record.source_id),
                councillors,
                downloads,
                summary,
                pages=pages,
                now=now,
                dry_run=dry_run,
            )
        except ValidationError as error:
            raise ImportFailed(
                _("Meeting %(id)s could not be imported: %(error)s")
                % {"id": record.source_id, "error": " ".join(error.messages)}
            ) from None


def _body_kind(title: str) -> str:
    lowered = title.lower()
    if lowered in ("council", "full council", "county council", "council meeting"):
        return Body.Kind.FULL_COUNCIL
    if lowered.startswith(("cabinet", "executive", "the executive")):
        return Body.Kind.CABINET
    if "scrutiny" in lowered:
        return Body.Kind.SCRUTINY
    if "sub-committee" in lowered or "sub committee" in lowered:
        return Body.Kind.SUB_COMMITTEE
    if "panel" in lowered:
        return Body.Kind.PANEL
    if "parish meeting" in lowered:
        return Body.Kind.PARISH_MEETING
    return Body.Kind.COMMITTEE


def _sync_bodies(
    council: Council, committees: list[CommitteeRecord], summary: ImportSummary, pages: Site | None
) -> dict[str, Body]:
    existing = {b.source_id: b for b in Body.objects.filter(council=council, source=SOURCE)}
    bodies: dict[str, Body] = {}
    for committee in committees:
        if committee.deleted:
            continue
        summary.bodies += 1
        url = pages.page(f"mgCommitteeDetails.aspx?ID={committee.source_id}") if pages else ""
        body = existing.get(committee.source_id)
        if body is None:
            body = domain.create_body(
                None,
                council,
                name=committee.title,
                kind=_body_kind(committee.title),
                source=SOURCE,
                source_id=committee.source_id,
                source_url=url,
            )
            if committee.expired:
                domain.update_body(None, body, is_active=False)
            summary.bodies_created += 1
        else:
            wanted = {"name": committee.title, "is_active": not committee.expired}
            if url:
                wanted["source_url"] = url
            changes = {k: v for k, v in wanted.items() if getattr(body, k) != v}
            if changes:
                domain.update_body(None, body, **changes)
                summary.bodies_updated += 1
        bodies[committee.source_id] = body
    return bodies


def _import_meeting(
    council: Council,
    body: Body,
    record: MeetingRecord,
    meeting: Meeting | None,
    councillors: dict[str, Councillor],
    downloads: _Downloads,
    summary: ImportSummary,
    *,
    pages: Site | None,
    now: dt.datetime,
    dry_run: bool,
) -> None:
    url = (
        pages.page(f"ieListDocuments.aspx?CId={body.source_id}&MId={record.source_id}")
        if pages
        else ""
    )
    changed = False
    if meeting is None:
        meeting = domain.create_meeting(
            None,
            body,
            start=record.start,
            venue=record.venue,
            webcast_url=record.webcast_url,
            source=SOURCE,
            source_id=record.source_id,
            source_url=url,
        )
        summary.meetings_created += 1
        created = True
    else:
        created = False
        wanted: dict[str, Any] = {"start": record.start, "venue": record.venue}
        if record.webcast_url:
            wanted["webcast_url"] = record.webcast_url
        changes = {k: v for k, v in wanted.items() if getattr(meeting, k) != v}
        if changes:
            domain.update_meeting(None, meeting, **changes)
            changed = True

    changed |= _sync_items(meeting, record, downloads, summary, dry_run=dry_run)
    changed |= _publish(meeting, record, now)
    changed |= _sync_attendance(meeting, record, councillors, summary)
    changed |= _sync_status(meeting, record, summary)
    if not created:
        if changed:
            summary.meetings_updated += 1
        else:
            summary.meetings_unchanged += 1


def _sync_items(
    meeting: Meeting,
    record: MeetingRecord,
    downloads: _Downloads,
    summary: ImportSummary,
    *,
    dry_run: bool,
) -> bool:
    changed = False
    items = {i.source_id: i for i in meeting.items.filter(source=SOURCE)}
    for item_record in record.items:
        item = items.get(item_record.source_id)
        if item is None:
            item = _add_item(meeting, item_record, items)
            summary.items_created += 1
            changed = True
        elif _update_item(item, item_record):
            summary.items_updated += 1
            changed = True
        items[item_record.source_id] = item

    papers: list[tuple[AgendaItem | None, DocumentRecord]] = [(None, d) for d in record.documents]
    papers += [(items[i.source_id], d) for i in record.items for d in i.documents]
    for item, document in papers:
        if _attach(meeting, item, document, downloads, summary, dry_run=dry_run):
            changed = True
    return changed


def _add_item(meeting: Meeting, record: ItemRecord, items: dict[str, AgendaItem]) -> AgendaItem:
    late = meeting.is_agenda_published
    return domain.add_agenda_item(
        None,
        meeting,
        title=record.title,
        kind=record.kind,
        description=record.description,
        parent=items.get(record.parent_id) if record.parent_id else None,
        exempt_paragraph=record.exempt_paragraph,
        is_confidential=record.confidential,
        # The law allows an item after publication only as urgent business.
        is_urgent=late,
        urgency_reason=_("Added by the council after the agenda was published.") if late else "",
        source=SOURCE,
        source_id=record.source_id,
    )


def _update_item(item: AgendaItem, record: ItemRecord) -> bool:
    changes: dict[str, Any] = {}
    if item.title != record.title:
        changes["title"] = record.title
    if item.description != record.description:
        changes["description"] = record.description
    # An exemption is added when the council adds one, and never lifted by an import.
    if record.exempt_paragraph is not None and item.exempt_paragraph is None:
        changes["exempt_paragraph"] = record.exempt_paragraph
    if record.confidential and not item.is_confidential and item.exempt_paragraph is None:
        changes["is_confidential"] = True
    if not changes:
        return False
    domain.update_agenda_item(None, item, **changes)
    return True


def _attach(
    meeting: Meeting,
    item: AgendaItem | None,
    document: DocumentRecord,
    downloads: _Downloads,
    summary: ImportSummary,
    *,
    dry_run: bool,
) -> bool:
    download = downloads.files.pop(document.source_id, None)
    if download is None:
        return False  # already imported, or not downloaded (and reported)
    path, address = download
    if Document.objects.filter(
        council=meeting.council, source=SOURCE, source_id=document.source_id
    ).exists():
        return False  # another import of the same papers finished while this one downloaded
    if dry_run:
        summary.documents_created += 1
        return True
    try:
        domain.attach_document(
            None,
            meeting.council,
            data=path.read_bytes(),
            title=document.title,
            kind=document.kind,
            meeting=meeting,
            agenda_item=item,
            exempt_paragraph=document.exempt_paragraph,
            original_name=document.url.rsplit("/", 1)[-1],
            source=SOURCE,
            source_id=document.source_id,
            source_url=address if len(address) <= _MAX_URL else "",
        )
    except ValidationError as error:
        summary.documents_skipped += 1
        summary.warnings.append(
            _("meeting %(meeting)s: document “%(title)s” (%(id)s) was skipped: %(error)s")
            % {
                "meeting": meeting.source_id,
                "title": document.title,
                "id": document.source_id,
                "error": " ".join(error.messages),
            }
        )
        return False
    summary.documents_created += 1
    return True


def _publish(meeting: Meeting, record: MeetingRecord, now: dt.datetime) -> bool:
    changed = False
    if record.agenda_published and not meeting.is_agenda_published:
        # The answer says the agenda is out, not when: the council published it on its
        # own site, and no judgement on lateness can be made.
        domain.publish_agenda(None, meeting, now=now, published_elsewhere=True)
        changed = True
    if (
        record.minutes_published
        and meeting.minutes_published_at is None
        and Meeting.Status.CANCELLED not in (meeting.status, record.status)
        and meeting.start <= timezone.now()
    ):
        minutes = (
            meeting.documents.filter(agenda_item=None, kind=Document.Kind.MINUTES, is_exempt=False)
            .order_by("id")
            .first()
        )
        domain.publish_minutes(None, meeting, document=minutes)
        changed = True
    return changed


def _sync_attendance(
    meeting: Meeting,
    record: MeetingRecord,
    councillors: dict[str, Councillor],
    summary: ImportSummary,
) -> bool:
    if meeting.status == Meeting.Status.CANCELLED or record.status == Meeting.Status.CANCELLED:
        return False
    entries: dict[int, str] = {}
    for attendee in record.attendees:
        councillor = councillors.get(attendee.member_id)
        if councillor is None:
            summary.warnings.append(
                _(
                    "meeting %(meeting)s: %(name)s (ModernGov id %(id)s) is not a councillor "
                    "imported from ModernGov, so their attendance was not recorded."
                )
                % {"meeting": record.source_id, "name": attendee.name, "id": attendee.member_id}
            )
            continue
        entries[councillor.pk] = attendee.status
    if not entries:
        return False
    recorded = dict(meeting.attendance.values_list("councillor_id", "status"))
    if recorded == entries:
        return False
    domain.record_attendance(None, meeting, entries)
    summary.attendance_recorded += 1
    return True


def _sync_status(meeting: Meeting, record: MeetingRecord, summary: ImportSummary) -> bool:
    wanted, current = record.status, meeting.status
    if wanted == current or (wanted == Meeting.Status.SCHEDULED and current == Meeting.Status.HELD):
        return False
    if wanted == Meeting.Status.SCHEDULED or current in (
        Meeting.Status.CANCELLED,
        Meeting.Status.HELD,
    ):
        # No verb takes a meeting back from cancelled, postponed or held.
        summary.warnings.append(
            _(
                "meeting %(meeting)s is %(status)s here but “%(wording)s” on ModernGov; "
                "left as it is."
            )
            % {
                "meeting": record.source_id,
                "status": meeting.get_status_display().lower(),
                "wording": record.status_text,
            }
        )
        return False
    if wanted == Meeting.Status.CANCELLED:
        domain.cancel_meeting(
            None, meeting, reason=_("The council's ModernGov site lists this meeting as cancelled.")
        )
    else:
        domain.postpone_meeting(
            None, meeting, reason=_("The council's ModernGov site lists this meeting as postponed.")
        )
    return True
