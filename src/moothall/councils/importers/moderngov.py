"""Councillors from ModernGov's ``mgWebService.asmx/GetCouncillorsByWard`` answer.

The answer looks like this (one ``<ward>`` per ward, one ``<councillor>`` per seat)::

    <councillorsbyward><wards><ward>
      <wardtitle>Brunswick Park</wardtitle>
      <councillors><councillor>
        <councillorid>50000524</councillorid>
        <fullusername>Councillor Radha Burgess</fullusername>
        <photosmallurl>…</photosmallurl><photobigurl>…</photobigurl>
        <politicalpartytitle>Labour</politicalpartytitle>
        <keyposts>Deputy Cabinet Member for Digital Strategy</keyposts>
        <workaddress><line1>…</line1><postcode>…</postcode><phone>…</phone>
                     <mobile>…</mobile><email>…</email></workaddress>
        <homeaddress>…</homeaddress>
        <surgerydetails><line1>…</line1></surgerydetails>
        <termsofoffice><termofoffice><startdate>27/05/2014</startdate>
                                     <enddate>unspecified</enddate></termofoffice></termsofoffice>
      </councillor></councillors>
    </ward></wards></councillorsbyward>

``<homeaddress>`` is a councillor's private address. It is cut out of the tree
as soon as the document is parsed, so nothing it holds can be read, stored,
logged or shown.

The answer is parsed and checked whole before anything is written; a document
that is not this shape raises :class:`ImportFailed` and the database is untouched.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # for its types and ParseError; defusedxml parses
from dataclasses import dataclass, field
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from moothall.core import audit
from moothall.councils.importers import ImportFailed
from moothall.councils.importers.sources import display_name
from moothall.councils.models import (
    Council,
    Councillor,
    KeyPost,
    Party,
    Person,
    TermOfOffice,
    Ward,
)

SOURCE = "moderngov"
ROOT_TAG = "councillorsbyward"
PRIVATE_TAGS = frozenset({"homeaddress"})

# How the register and ModernGov address people; stripped for the person's name.
_LEADING_TITLES = re.compile(
    r"^(?:(?:the\s+)?(?:deputy\s+)?(?:lord\s+)?mayor|councillor|cllr\.?)\s+", re.IGNORECASE
)
# Several key posts in one <keyposts> text, e.g. "Cabinet Member for X / Chair of Y".
_KEY_POST_SEPARATORS = re.compile(r"\s*(?:[\r\n]+|;|\s/\s)\s*")
_LINE_TAG = re.compile(r"^line(\d+)$")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_OPEN_DATES = {"", "unspecified"}
_url_validator = URLValidator(schemes=["http", "https"])

_MAX = {
    "source_id": Councillor._meta.get_field("source_id").max_length or 64,
    "title": Councillor._meta.get_field("title").max_length or 200,
    "ward": Ward._meta.get_field("name").max_length or 200,
    "phone": Councillor._meta.get_field("work_phone").max_length or 50,
    "photo": Councillor._meta.get_field("photo_url").max_length or 500,
    "party": Party._meta.get_field("name").max_length or 200,
    "key_post": KeyPost._meta.get_field("title").max_length or 300,
    "ward_slug": Ward._meta.get_field("slug").max_length or 120,
}


@dataclass(frozen=True)
class TermRecord:
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class CouncillorRecord:
    """One councillor as the answer publishes them: work details only, already checked."""

    source_id: str
    title: str
    name: str
    ward_name: str
    party_name: str
    key_posts: tuple[str, ...]
    work_address: str
    work_phone: str
    work_email: str
    surgery_details: str
    photo_url: str
    terms: tuple[TermRecord, ...]


@dataclass
class CouncillorsAnswer:
    ward_names: list[str]
    councillors: list[CouncillorRecord]
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportSummary:
    wards: int = 0
    wards_created: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ended: int = 0
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "wards": self.wards,
            "wards_created": self.wards_created,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "ended": self.ended,
        }


# --- Parsing ----------------------------------------------------------------


def parse_councillors_by_ward(data: bytes) -> CouncillorsAnswer:
    """Parse and check a GetCouncillorsByWard answer. Raises ImportFailed if unusable."""
    try:
        root = fromstring(data)
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise ImportFailed(
            _("This is not well-formed XML (line %(line)d, column %(column)d).")
            % {"line": line, "column": column}
        ) from None
    except DefusedXmlException:
        raise ImportFailed(_("The XML uses entities or a DTD, which are refused.")) from None
    except (ValueError, LookupError):  # e.g. an unknown encoding in the XML declaration
        raise ImportFailed(_("The XML declares an encoding that cannot be read.")) from None

    _strip_namespaces(root)
    _drop_private(root)
    if root.tag != ROOT_TAG:
        raise ImportFailed(
            _("This is not a ModernGov GetCouncillorsByWard answer (the document is <%(tag)s>).")
            % {"tag": str(root.tag)[:40]}
        )

    answer = CouncillorsAnswer(ward_names=[], councillors=[])
    seen_wards: set[str] = set()
    seen_ids: set[str] = set()
    for ward_el in root.findall("wards/ward"):
        ward_name = _text(ward_el.find("wardtitle"))
        if not ward_name or len(ward_name) > _MAX["ward"]:
            raise ImportFailed(_("A <ward> has a missing or over-long <wardtitle>."))
        if _ward_key(ward_name) not in seen_wards:
            seen_wards.add(_ward_key(ward_name))
            answer.ward_names.append(ward_name)
        for el in ward_el.findall("councillors/councillor"):
            record = _parse_councillor(el, ward_name, answer.warnings)
            if record.source_id in seen_ids:
                raise ImportFailed(
                    _("Councillor id %(id)s appears twice.") % {"id": record.source_id}
                )
            seen_ids.add(record.source_id)
            answer.councillors.append(record)

    # An empty answer would end every councillor's term: far likelier a broken
    # service than a council with no members, so it is refused.
    if not answer.councillors:
        raise ImportFailed(_("The answer lists no councillors."))
    return answer


def _strip_namespaces(root: ET.Element) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.rsplit("}", 1)[1]


def _drop_private(root: ET.Element) -> None:
    """Cut every home-address element out of the tree before anything reads it."""
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in PRIVATE_TAGS:
                parent.remove(child)


def _text(el: ET.Element | None) -> str:
    """The element's text with runs of whitespace made single spaces."""
    if el is None:
        return ""
    return " ".join("".join(el.itertext()).split())


def _lines(el: ET.Element | None) -> list[str]:
    """The <line1>…<lineN> children in number order, blank ones left out."""
    if el is None:
        return []
    numbered = []
    for child in el:
        match = _LINE_TAG.match(str(child.tag))
        if match:
            numbered.append((int(match[1]), _text(child)))
    return [text for _, text in sorted(numbered) if text]


def _ward_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def person_name(full_name: str) -> str:
    """“Councillor Jane Smith” → “Jane Smith” (also Cllr, Mayor, Deputy Mayor, Lord Mayor)."""
    name = full_name
    while match := _LEADING_TITLES.match(name):
        name = name[match.end() :]
    return name.strip() or full_name


def _parse_councillor(el: ET.Element, ward_name: str, warnings: list[str]) -> CouncillorRecord:
    source_id = _text(el.find("councillorid"))
    if not source_id or len(source_id) > _MAX["source_id"]:
        raise ImportFailed(_("A <councillor> has a missing or over-long <councillorid>."))
    title = _text(el.find("fullusername"))
    if not title or len(title) > _MAX["title"]:
        raise ImportFailed(
            _("Councillor %(id)s has a missing or over-long <fullusername>.") % {"id": source_id}
        )

    def warn(message: str) -> None:
        warnings.append(f"{title} ({source_id}): {message}")

    work = el.find("workaddress")
    address_lines = _lines(work)
    postcode = _text(work.find("postcode")) if work is not None else ""
    if postcode:
        address_lines.append(postcode)

    phone = ""
    if work is not None:
        phone = _text(work.find("phone")) or _text(work.find("mobile"))
    if len(phone) > _MAX["phone"]:
        warn(_("the work phone number is too long and was left out"))
        phone = ""

    email = _text(work.find("email")) if work is not None else ""
    if email:
        try:
            validate_email(email)
        except ValidationError:
            warn(_("the work email “%(email)s” is not an email address") % {"email": email})
            email = ""

    photo = _text(el.find("photobigurl")) or _text(el.find("photosmallurl"))
    if photo:
        try:
            if len(photo) > _MAX["photo"]:
                raise ValidationError("too long")
            _url_validator(photo)
        except ValidationError:
            warn(_("the photo address is not a usable web address"))
            photo = ""

    party = _text(el.find("politicalpartytitle"))
    if party and (len(party) > _MAX["party"] or not slugify(party)):
        warn(_("the party name “%(party)s” cannot be used") % {"party": party[:50]})
        party = ""

    key_posts: list[str] = []
    posts_el = el.find("keyposts")
    raw_posts = "".join(posts_el.itertext()) if posts_el is not None else ""
    for part in _KEY_POST_SEPARATORS.split(raw_posts.strip()):
        post = " ".join(part.split())
        if not post or post in key_posts:
            continue
        if len(post) > _MAX["key_post"]:
            warn(_("a key post was shortened to fit"))
            post = post[: _MAX["key_post"] - 1] + "…"
        key_posts.append(post)

    surgery = el.find("surgerydetails")
    surgery_lines = _lines(surgery) or ([_text(surgery)] if _text(surgery) else [])

    terms: dict[dt.date | None, dt.date | None] = {}
    for term_el in el.findall("termsofoffice/termofoffice"):
        start = _date(term_el.find("startdate"), source_id)
        end = _date(term_el.find("enddate"), source_id)
        if start and end and end < start:
            # The council still lists them for the ward, so the seat is taken as held.
            warn(
                _("a term ends (%(end)s) before it starts (%(start)s); it is kept open")
                % {"end": end.isoformat(), "start": start.isoformat()}
            )
            end = None
        terms[start] = end

    return CouncillorRecord(
        source_id=source_id,
        title=title,
        name=person_name(title),
        ward_name=ward_name,
        party_name=party,
        key_posts=tuple(key_posts),
        work_address="\n".join(address_lines),
        work_phone=phone,
        work_email=email,
        surgery_details="\n".join(surgery_lines),
        photo_url=photo,
        terms=tuple(TermRecord(start, end) for start, end in terms.items()),
    )


def _date(el: ET.Element | None, source_id: str) -> dt.date | None:
    text = _text(el)
    if text.lower() in _OPEN_DATES:
        return None
    match = _DATE.match(text)
    try:
        if not match:
            raise ValueError(text)
        return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise ImportFailed(
            _("Councillor %(id)s has a term date “%(date)s” that is not dd/mm/yyyy.")
            % {"id": source_id, "date": text[:30]}
        ) from None


# --- Importing ----------------------------------------------------------------


def import_councillors(
    council: Council,
    data: bytes,
    *,
    today: dt.date | None = None,
    actor: Any = None,
    source: str = "",
) -> ImportSummary:
    """Bring ``council``'s wards and councillors in line with a GetCouncillorsByWard answer.

    Side effects, all in one transaction after the whole answer has been checked:
    creates wards (matched by name), parties, people and councillors (matched by
    ModernGov id), updates what changed, replaces terms of office and key posts
    that changed, ends the open terms (on ``today``) of this council's ModernGov
    councillors missing from the answer (never deletes them) and writes one
    ``councillors.imported`` audit entry. Raises ImportFailed for an unusable answer.
    """
    answer = parse_councillors_by_ward(data)
    today = today or timezone.localdate()
    summary = ImportSummary(wards=len(answer.ward_names), warnings=list(answer.warnings))

    with transaction.atomic():
        # One import per council at a time: a second waits here for the first.
        Council.objects.select_for_update().filter(pk=council.pk).first()
        wards = _sync_wards(council, answer.ward_names, summary)
        existing = {
            c.source_id: c
            for c in Councillor.objects.filter(council=council, source=SOURCE)
            .select_related("person")
            .prefetch_related("terms", "key_posts")
        }
        parties: dict[str, Party | None] = {}
        for record in answer.councillors:
            ward = wards[_ward_key(record.ward_name)]
            party = _party(record.party_name, parties)
            councillor = existing.get(record.source_id)
            if councillor is None:
                _create_councillor(council, record, ward, party, today)
                summary.created += 1
            elif _update_councillor(councillor, record, ward, party, today):
                summary.updated += 1
            else:
                summary.unchanged += 1

        summary.ended = _end_missing(council, {r.source_id for r in answer.councillors}, today)
        audit.record(
            "councillors.imported",
            actor=actor,
            council=council,
            source=display_name(source),
            wards=summary.wards,
            wards_created=summary.wards_created,
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
            ended=summary.ended,
            warnings=len(summary.warnings),
        )
    return summary


def _sync_wards(council: Council, names: list[str], summary: ImportSummary) -> dict[str, Ward]:
    wards: dict[str, Ward] = {}
    taken_slugs: set[str] = set()
    for ward in Ward.objects.filter(council=council).order_by("pk"):
        wards.setdefault(_ward_key(ward.name), ward)
        taken_slugs.add(ward.slug)
    for name in names:
        if _ward_key(name) in wards:
            continue
        base = slugify(name)[: _MAX["ward_slug"] - 4].strip("-") or "ward"
        slug, n = base, 1
        while slug in taken_slugs:
            n += 1
            slug = f"{base}-{n}"
        wards[_ward_key(name)] = Ward.objects.create(council=council, name=name, slug=slug)
        taken_slugs.add(slug)
        summary.wards_created += 1
    return wards


def _party(name: str, cache: dict[str, Party | None]) -> Party | None:
    if not name:
        return None
    if name not in cache:
        # "Labour" and "labour" share a slug (which is unique): treat them as one party.
        cache[name] = (
            Party.objects.filter(name=name).first()
            or Party.objects.filter(slug=slugify(name)[:200]).first()
            or Party.named(name)
        )
    return cache[name]


def _councillor_values(record: CouncillorRecord, ward: Ward, party: Party | None) -> dict[str, Any]:
    return {
        "ward": ward,
        "party": party,
        "title": record.title,
        "work_email": record.work_email,
        "work_phone": record.work_phone,
        "work_address": record.work_address,
        "surgery_details": record.surgery_details,
        "photo_url": record.photo_url,
    }


def _create_councillor(
    council: Council, record: CouncillorRecord, ward: Ward, party: Party | None, today: dt.date
) -> Councillor:
    person = Person.objects.create(name=record.name, slug=slugify(record.name)[:200])
    councillor = Councillor.objects.create(
        person=person,
        council=council,
        source=SOURCE,
        source_id=record.source_id,
        **_councillor_values(record, ward, party),
    )
    _sync_terms(councillor, record.terms, [], today)
    _sync_key_posts(councillor, record.key_posts, [])
    return councillor


def _update_councillor(
    councillor: Councillor,
    record: CouncillorRecord,
    ward: Ward,
    party: Party | None,
    today: dt.date,
) -> bool:
    """Apply the record; True if anything about the councillor changed."""
    changed = False
    person = councillor.person
    if person.name != record.name:
        person.name = record.name
        person.slug = slugify(record.name)[:200]
        person.save(update_fields=["name", "slug"])
        changed = True

    fields = [
        name
        for name, value in _councillor_values(record, ward, party).items()
        if getattr(councillor, name) != value
    ]
    if fields:
        for name in fields:
            setattr(councillor, name, _councillor_values(record, ward, party)[name])
        councillor.save(update_fields=[*fields, "updated_at"])
        changed = True

    changed |= _sync_terms(councillor, record.terms, list(councillor.terms.all()), today)
    changed |= _sync_key_posts(councillor, record.key_posts, list(councillor.key_posts.all()))
    return changed


def _sync_terms(
    councillor: Councillor,
    terms: tuple[TermRecord, ...],
    existing: list[TermOfOffice],
    today: dt.date,
) -> bool:
    """Make the councillor's terms those of the answer. True if any changed.

    An answer that gives no terms still says the councillor holds the seat, so
    they keep (or get) one open term: with no known start the first time, and
    starting ``today`` if they come back after their terms were ended. A term
    that ends today is opened again: it is the one an earlier import ended today
    (say, from an answer that briefly left them out), and the seat goes on.
    """
    if not terms:
        if any(t.end_date is None or t.end_date > today for t in existing):
            return False
        ending_today = [t for t in existing if t.end_date == today]
        if ending_today:
            term = max(ending_today, key=lambda t: t.pk)
            term.end_date = None
            term.save(update_fields=["end_date"])
            return True
        TermOfOffice.objects.create(councillor=councillor, start_date=today if existing else None)
        return True

    changed = False
    wanted = {t.start: t.end for t in terms}
    kept: dict[dt.date | None, TermOfOffice] = {}
    for term in sorted(existing, key=lambda t: t.pk):
        if term.start_date in wanted and term.start_date not in kept:
            kept[term.start_date] = term
        else:
            term.delete()
            changed = True
    for start, end in wanted.items():
        match = kept.get(start)
        if match is None:
            TermOfOffice.objects.create(councillor=councillor, start_date=start, end_date=end)
            changed = True
        elif match.end_date != end:
            match.end_date = end
            match.save(update_fields=["end_date"])
            changed = True
    return changed


def _sync_key_posts(
    councillor: Councillor, titles: tuple[str, ...], existing: list[KeyPost]
) -> bool:
    current = [p.title for p in sorted(existing, key=lambda p: (p.order, p.pk))]
    if current == list(titles):
        return False
    KeyPost.objects.filter(councillor=councillor).delete()
    KeyPost.objects.bulk_create(
        KeyPost(councillor=councillor, title=title, order=n) for n, title in enumerate(titles)
    )
    return True


def _end_missing(council: Council, present_ids: set[str], today: dt.date) -> int:
    """End on ``today`` the open terms of this council's ModernGov councillors not in the answer."""
    open_terms = TermOfOffice.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=today),
        councillor__council=council,
        councillor__source=SOURCE,
    ).exclude(councillor__source_id__in=present_ids)
    ended = len(set(open_terms.values_list("councillor_id", flat=True)))
    open_terms.update(end_date=today)
    return ended
