"""Verbs: every change to a petition, its signatures, counts and obligations.

Each verb runs in one transaction, checks permission through
:mod:`moothall.accounts.rules` (raising ``PermissionDenied``), refuses bad input with
``ValidationError`` before writing anything, writes an audit entry for staff actions,
adds a line to the petition's timeline where the public should know, and sends email
only after commit. Views, the API, commands and tasks call these.

Signing needs no account: a signature counts once its emailed link is followed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import logging
import random
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connections, transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from moothall.accounts.rules import Action, can, can_contribute
from moothall.core import mail
from moothall.core.audit import record
from moothall.core.mail import queue_email
from moothall.core.text import render_markdown
from moothall.core.validation import characters, invalid, line, reason, text
from moothall.councils.models import Council, Postcode, Topic, Ward
from moothall.councils.postcodes import InvalidPostcode, normalise_postcode
from moothall.meetings import law
from moothall.meetings.models import AgendaItem, Decision, Meeting
from moothall.moderation.bans import refuse_if_banned
from moothall.moderation.log import note as public_log
from moothall.moderation.log import within_moderation_verb
from moothall.petitions.models import (
    TALLY_SHARDS,
    AbuseAlert,
    Basis,
    Hearing,
    Invalidation,
    Obligation,
    PaperCount,
    Petition,
    PetitionEvent,
    PetitionScheme,
    Signature,
    SignatureTally,
    new_token,
    source_of,
)

logger = logging.getLogger(__name__)
S = Petition.Status

_BASES = frozenset(Basis.values)  # Basis.values builds its list anew at each call

# Webmail providers thousands of genuine people share: many signatures from one of these
# are ordinary, so they never raise a domain alert on their own.
COMMON_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "live.co.uk",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "icloud.com",
        "me.com",
        "btinternet.com",
        "sky.com",
        "aol.com",
        "virginmedia.com",
        "talktalk.net",
        "protonmail.com",
        "proton.me",
    }
)

# The lifecycle. Each verb moves along one of these edges and writes a timeline line.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.GATHERING_SPONSORS, S.AWAITING_MODERATION, S.OPEN}),
    S.GATHERING_SPONSORS: frozenset({S.AWAITING_MODERATION, S.OPEN, S.REJECTED, S.REMOVED}),
    S.AWAITING_MODERATION: frozenset({S.OPEN, S.REJECTED, S.REMOVED}),
    S.OPEN: frozenset({S.CLOSED, S.REJECTED, S.REMOVED, S.DEBATED}),
    S.CLOSED: frozenset({S.RESPONDED, S.DEBATED}),
    S.RESPONDED: frozenset({S.DEBATED}),
    S.DEBATED: frozenset(),
    S.REJECTED: frozenset(),
    S.REMOVED: frozenset(),
}

# How many petitions one person may send on (for sponsors or moderation) in a day.
SUBMITS_PER_DAY = 10

# Statuses in which confirmed signatures still count towards thresholds and new ones
# are taken (sponsors sign while the petition gathers them).
SIGNING_STATUSES = frozenset({S.OPEN, S.GATHERING_SPONSORS})


def _require(actor: Any, council: Council, action: Action) -> None:
    if actor is not None and not can(actor, action, council):
        raise PermissionDenied


def _as_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _event(
    petition: Petition, kind: str, actor: Any = None, *, public: bool = True, **details: Any
) -> PetitionEvent:
    return PetitionEvent.objects.create(
        petition=petition, kind=kind, details=details, is_public=public, actor=_as_user(actor)
    )


def _move(petition: Petition, to: str) -> None:
    if to not in TRANSITIONS[petition.status]:
        raise ValidationError(
            _("A petition that is %(status)s cannot become %(to)s."),
            code="invalid_transition",
            params={"status": petition.get_status_display(), "to": S(to).label},
        )
    petition.status = to


def _locked(petition: Petition) -> Petition:
    return Petition.objects.select_for_update().select_related("council").get(pk=petition.pk)


# --- Email addresses -------------------------------------------------------------


def email_key(email: str) -> str:
    """One person's address in one form: lower case, without a "+tag", and for Gmail without
    dots (Gmail ignores them), so that ``Jo.Bloggs+x@GoogleMail.com`` is ``jobloggs@gmail.com``."""
    email = email.strip()
    local, _at, domain = email.rpartition("@")
    if not local:
        return email.lower()
    # As the mail is delivered: a quoted local part without its quotes and escapes; the
    # domain in IDNA, which drops soft hyphens and zero-width spaces and folds full-width
    # letters (so ``jo@ex\u00adample.org`` is ``jo@example.org``).
    if len(local) >= 2 and local[0] == local[-1] == '"':
        local = re.sub(r"\\(.)", r"\1", local[1:-1])
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    local, domain = local.lower(), domain.lower()
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        domain = "gmail.com"
        local = local.replace(".", "")
    return f"{local}@{domain}"


# --- Scheme ----------------------------------------------------------------------

SCHEME_FIELDS = (
    "allow_lives",
    "allow_works",
    "allow_studies",
    "sponsors_required",
    "pre_moderation",
    "duration_days",
    "response_threshold",
    "hearing_threshold",
    "debate_threshold",
    "response_working_days",
    "hearing_working_days",
    "debate_working_days",
    "obligation_owner",
    "flag_per_address_per_hour",
    "alert_per_domain_per_hour",
    "retention_days",
    "description",
)


@transaction.atomic
def update_petition_scheme(actor: Any, council: Council, **changes: Any) -> PetitionScheme:
    """Change the council's petition scheme (council admins). Side effects: audit entry
    with each changed field's old and new value."""
    _require(actor, council, Action.EDIT_COUNCIL)
    unknown = set(changes) - set(SCHEME_FIELDS)
    if unknown:
        raise ValueError(f"Not scheme fields: {sorted(unknown)}")
    scheme = PetitionScheme.for_council(council)
    before = {field: getattr(scheme, field) for field in changes}
    for field, value in changes.items():
        setattr(scheme, field, value)
    scheme.full_clean(exclude=["council"])
    if not scheme.allowed_bases():
        raise invalid("allow_lives", _("Let at least one group of people sign."), "no_basis")
    steps = [
        t
        for t in (scheme.response_threshold, scheme.hearing_threshold, scheme.debate_threshold)
        if t is not None
    ]
    if any(t < 1 for t in steps):
        raise invalid("response_threshold", _("A threshold must be at least 1."), "threshold")
    scheme.save()
    changed = {f: [before[f], getattr(scheme, f)] for f in changes if before[f] != changes[f]}
    record("petitions.scheme_updated", actor=actor, council=council, target=scheme, changed=changed)
    return scheme


# --- Creating and publishing -----------------------------------------------------


def _petition_fields(
    council: Council,
    *,
    title: str,
    action: str,
    background: str,
    topic: Topic | None,
    ward: Ward | None,
) -> dict[str, Any]:
    if topic is not None and topic.council_id != council.pk:
        raise invalid("topic", _("Choose one of this council's topics."), "invalid_topic")
    if ward is not None and ward.council_id != council.pk:
        raise invalid("ward", _("Choose one of this council's wards."), "invalid_ward")
    return {
        "title": line(title, "title", limit=150),
        "action": text(action, "action", limit=800),
        "background": text(background, "background", required=False, limit=5000),
        "topic": topic,
        "ward": ward,
    }


@transaction.atomic
def start_petition(
    user: Any,
    council: Council,
    *,
    title: str,
    action: str,
    background: str = "",
    topic: Topic | None = None,
    ward: Ward | None = None,
    creator_name: str = "",
) -> Petition:
    """A signed-in person starts a petition as a draft (nothing public yet).

    Side effects: the petition, a "created" timeline line (private until published)."""
    if not can_contribute(user):
        raise PermissionDenied
    refuse_if_banned(user, council)
    fields = _petition_fields(
        council, title=title, action=action, background=background, topic=topic, ward=ward
    )
    name = line(creator_name or user.name or "", "creator_name", limit=200)
    petition = Petition.objects.create(council=council, creator=user, creator_name=name, **fields)
    _event(petition, PetitionEvent.Kind.CREATED, user, public=False)
    return petition


@transaction.atomic
def enter_paper_petition(
    actor: Any,
    council: Council,
    *,
    title: str,
    action: str,
    creator_name: str,
    background: str = "",
    topic: Topic | None = None,
    ward: Ward | None = None,
) -> Petition:
    """An officer enters a petition handed in on paper. It is published at once (it was
    gathered in public already) and marked as paper; its signatures follow with
    :func:`add_paper_signatures`.

    Side effects: the petition, timeline lines, audit, followers of its ward and topic told."""
    _require(actor, council, Action.MANAGE_VOICE)
    fields = _petition_fields(
        council, title=title, action=action, background=background, topic=topic, ward=ward
    )
    name = line(creator_name, "creator_name", limit=200)
    petition = Petition.objects.create(
        council=council,
        creator=None,
        creator_name=name,
        is_paper=True,
        submitted_at=timezone.now(),
        **fields,
    )
    _event(petition, PetitionEvent.Kind.CREATED, actor, public=False, paper=True)
    _open(petition, PetitionScheme.for_council(council), actor)
    record("petitions.paper_petition_entered", actor=actor, council=council, target=petition)
    return petition


def can_edit(user: Any, petition: Petition) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and petition.creator_id == user.pk
        and petition.status == S.DRAFT
    )


@transaction.atomic
def edit_petition(user: Any, petition: Petition, **changes: Any) -> Petition:
    """The creator changes their draft (title, action, background, topic, ward, and the
    name shown as its creator)."""
    petition = _locked(petition)
    if not can_edit(user, petition):
        raise PermissionDenied
    if "creator_name" in changes:
        petition.creator_name = line(changes.pop("creator_name"), "creator_name", limit=200)
    current: dict[str, Any] = {
        "title": petition.title,
        "action": petition.action,
        "background": petition.background,
        "topic": petition.topic,
        "ward": petition.ward,
    }
    unknown = set(changes) - set(current)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    current.update(changes)
    for field, value in _petition_fields(petition.council, **current).items():
        setattr(petition, field, value)
    petition.save()
    return petition


@transaction.atomic
def submit_petition(user: Any, petition: Petition) -> Petition:
    """The creator sends the draft on: to gather sponsors (when the scheme asks for them),
    else to moderation (when the scheme checks petitions first), else it opens.

    Side effects: timeline line; email to the creator with the sponsor link, or the
    moderators told a petition waits."""
    petition = _locked(petition)
    if not can_edit(user, petition):
        raise PermissionDenied
    # Each petition sent on reaches the moderators' inboxes: a few a day per person, counting
    # those still waiting for sponsors or moderation.
    sent_today = Petition.objects.filter(
        creator=user,
        status__in=[S.GATHERING_SPONSORS, S.AWAITING_MODERATION],
        submitted_at__gte=timezone.now() - dt.timedelta(days=1),
    ).count()
    if sent_today >= SUBMITS_PER_DAY:
        raise ValidationError(
            _("You have sent %(count)d petitions today, the most we take. Send this one tomorrow."),
            code="submit_limit",
            params={"count": SUBMITS_PER_DAY},
        )
    scheme = PetitionScheme.for_council(petition.council)
    petition.submitted_at = timezone.now()
    if scheme.sponsors_required:
        _move(petition, S.GATHERING_SPONSORS)
        petition.save()
        _event(petition, PetitionEvent.Kind.SUBMITTED, user, public=False)
        if user.email:
            queue_email(
                user.email,
                "petitions/email/sponsors_wanted",
                {
                    "petition": petition,
                    "needed": scheme.sponsors_required,
                    "sponsor_url": reverse(
                        "public:petition_sponsor",
                        kwargs={"council": petition.council.slug, "token": petition.sponsor_token},
                    ),
                },
            )
        return petition
    _after_sponsors(petition, scheme, user)
    return petition


def _after_sponsors(petition: Petition, scheme: PetitionScheme, actor: Any) -> None:
    if scheme.pre_moderation:
        _move(petition, S.AWAITING_MODERATION)
        petition.save()
        _email_moderators(petition, "petitions/email/moderation_wanted", {})
    else:
        _open(petition, scheme, actor)


def _open(petition: Petition, scheme: PetitionScheme, actor: Any) -> None:
    _move(petition, S.OPEN)
    now = timezone.now()
    petition.opened_at = now
    petition.closes_on = timezone.localdate(now) + dt.timedelta(days=scheme.duration_days)
    petition.save()
    _event(petition, PetitionEvent.Kind.PUBLISHED, actor, closes_on=petition.closes_on.isoformat())
    _notify(
        petition, "petition.published", _("New petition: %(title)s") % {"title": petition.title}
    )
    if petition.creator is not None and petition.creator.email:
        queue_email(petition.creator.email, "petitions/email/published", {"petition": petition})
    # Sponsors' confirmed signatures count from the moment the petition opens.
    _check_thresholds(petition)


def _email_moderators(petition: Petition, template: str, context: dict[str, Any]) -> None:
    from moothall.accounts.models import Role
    from moothall.accounts.rules import STAFF_ROLES

    emails = sorted(
        set(
            Role.objects.filter(council=petition.council, kind__in=STAFF_ROLES)
            .exclude(kind=Role.Kind.OFFICER)
            .values_list("user__email", flat=True)
        )
    )
    if not emails:  # no moderator or admin named: officers look after it
        emails = sorted(
            set(
                Role.objects.filter(council=petition.council, kind=Role.Kind.OFFICER).values_list(
                    "user__email", flat=True
                )
            )
        )
    for email in emails:
        queue_email(email, template, {"petition": petition, **context})


@transaction.atomic
def moderate_petition(
    actor: Any, petition: Petition, *, publish: bool, reason_text: str = "", hide: bool = False
) -> Petition:
    """Publish a petition awaiting moderation, or reject it (also one gathering sponsors or
    open) with a reason that is published on its page — or, with ``hide``, rejected and kept
    off every public channel (offensive, defamatory, someone's personal data), the reason
    going to its creator only.

    Side effects: status, timeline line, audit entry, email to the creator; on publishing,
    followers of its ward and topic are told."""
    petition = _locked(petition)
    _require(actor, petition.council, Action.MODERATE)
    if publish:
        if petition.status != S.AWAITING_MODERATION:
            raise ValidationError(
                _("Only a petition awaiting moderation can be published."), code="not_awaiting"
            )
        _open(petition, PetitionScheme.for_council(petition.council), actor)
        record("petitions.published", actor=actor, council=petition.council, target=petition)
        return petition
    why = reason(reason_text, required=True)
    was_public = petition.is_public
    _move(petition, S.REMOVED if hide else S.REJECTED)
    if hide and was_public:  # taken down after the public saw it: in the moderation log
        public_log(petition.council, "petition", "hidden")
    petition.rejection_reason = why
    petition.closed_at = timezone.now()
    petition.save()
    _event(petition, PetitionEvent.Kind.REJECTED, actor, public=not hide, reason=why)
    record(
        "petitions.rejected",
        actor=actor,
        council=petition.council,
        target=petition,
        reason=why,
        hidden=hide,
    )
    # Taken down by a moderation verb, the creator hears from it (the rule and why), once.
    told_by_moderation = within_moderation_verb()
    if petition.creator is not None and petition.creator.email and not told_by_moderation:
        queue_email(petition.creator.email, "petitions/email/rejected", {"petition": petition})
    return petition


@transaction.atomic
def close_petition(actor: Any, petition: Petition, *, reason_text: str = "") -> Petition:
    """Close an open petition: at its closing date (``actor=None``, the scheduled task) or
    early by an officer with a reason. Signing stops; the count stays.

    Side effects: status, timeline, audit (officer), signers and followers told."""
    petition = _locked(petition)
    if actor is not None:
        _require(actor, petition.council, Action.MANAGE_VOICE)
    why = reason(reason_text, required=actor is not None)
    _move(petition, S.CLOSED)
    petition.closed_at = timezone.now()
    if petition.responded_at is not None:
        petition.status = S.RESPONDED
    petition.save()
    _event(petition, PetitionEvent.Kind.CLOSED, actor, reason=why)
    if actor is not None:
        record("petitions.closed", actor=actor, council=petition.council, target=petition)
    _notify(
        petition, "petition.closed", _("Petition closed: %(title)s") % {"title": petition.title}
    )
    return petition


def close_due_petitions(today: dt.date | None = None) -> int:
    """Close every open petition whose closing date has passed (the scheduled job)."""
    today = today or timezone.localdate()
    closed = 0
    for petition in Petition.objects.filter(status=S.OPEN, closes_on__lt=today):
        close_petition(None, petition)
        closed += 1
    return closed


# --- Signing ---------------------------------------------------------------------


def _ward_for(council: Council, postcode: Postcode | None) -> Ward | None:
    if postcode is None:
        return None
    codes = [c for c in (postcode.ward_gss, postcode.division_gss) if c]
    if not codes:
        return None
    return Ward.objects.filter(council=council, gss_code__in=codes).first()


def _in_area(council: Council, postcode: Postcode | None) -> bool:
    if postcode is None or not council.gss_code:
        return False
    return council.gss_code in (postcode.district_gss, postcode.county_gss, postcode.parish_gss)


@dataclass(frozen=True)
class PetitionRef:
    """A petition named by its council's slug and its id, as a URL names it: signing through
    the API needs nothing more (the verb looks it up itself, once). ``public_only``: a
    petition the public cannot see (a draft, one gathering sponsors or awaiting
    moderation, one removed) is not found."""

    council_slug: str
    petition_id: int
    public_only: bool = True


PUBLIC_STATUSES = frozenset({S.OPEN, S.CLOSED, S.RESPONDED, S.DEBATED, S.REJECTED})


def _petition_to_sign(petition: Petition | PetitionRef) -> Petition:
    """The petition, fresh from the database (DoesNotExist when a reference finds none)."""
    if isinstance(petition, PetitionRef):
        found = Petition.objects.select_related("council").filter(
            pk=petition.petition_id, council__slug=petition.council_slug
        )
        if petition.public_only:
            found = found.filter(status__in=PUBLIC_STATUSES)
        return found.get()
    return Petition.objects.select_related("council").get(pk=petition.pk)


def sign_petition(
    petition: Petition | PetitionRef,
    *,
    name: str,
    email: str,
    postcode: str,
    basis: str,
    declaration: bool,
    user: Any = None,
    ip_address: str | None = None,
    sponsor_token: str = "",
    wants_updates: bool = True,
) -> Signature:
    """Sign ``petition``; the signature counts once its emailed confirmation link is followed.

    The answer is the same whether or not this email already signed (so the form reveals
    nothing about who signed): a pending signature is sent its link again, a confirmed one
    is told by email that it already counts, a withdrawn one may sign again, and an
    invalidated one is quietly left as it is. Signatures from one internet address (an
    IPv6 address counts by its /64 network) or email domain in unusual numbers are
    flagged or raise a moderators' alert, never refused.

    Raises ``Petition.DoesNotExist`` when a :class:`PetitionRef` finds no petition.

    Side effects: the signature row (pending), abuse flags and alerts, the confirmation
    email (a compact outbox row, rendered by the delivery task; sent after commit).

    The common case — a new signer of an open petition, everything valid — is one SQL
    statement on PostgreSQL (:func:`_sign_quickly`): it checks the petition's status, the
    scheme's bases, the postcode's area and ward, counts the flood flags, inserts the
    signature (``ON CONFLICT DO NOTHING``) and its email, all at once, against the
    database as it is (a petition closed a moment ago refuses). Everything else — a
    refusal, an address that signed before, a sponsor — takes the general path
    (:func:`_sign_slowly`), which gives the same answers as always."""
    if not sponsor_token:
        try:
            signature = _sign_quickly(
                petition,
                name=name,
                email=email,
                postcode=postcode,
                basis=basis,
                declaration=declaration,
                user=user,
                ip_address=ip_address,
                wants_updates=wants_updates,
            )
        except _TakeTheLongWay:
            pass
        else:
            return signature
    return _sign_slowly(
        petition,
        name=name,
        email=email,
        postcode=postcode,
        basis=basis,
        declaration=declaration,
        user=user,
        ip_address=ip_address,
        sponsor_token=sponsor_token,
        wants_updates=wants_updates,
    )


class _TakeTheLongWay(Exception):
    """The quick path cannot answer this one: the general path will (its refusals, a
    signature that exists, a petition not found)."""


CONFIRM_EMAIL = "petitions/email/confirm"
CONFIRM_EMAIL_BUILDER = "moothall.petitions.domain.confirmation_email_context"

# The checks of the quick path, as one row: the petition (by id, and by council slug when
# given), its scheme (or the defaults), whether the basis is allowed, whether the postcode
# is in the council's area, its ward, and the flood counts of the last hour. ``chk`` is
# MATERIALIZED: read once, it would be inlined into the next step, which uses each count
# twice, and each count would be taken twice.
_SIGN_CHECKS = """
p AS (
    SELECT pe.id, pe.status, pe.council_id, c.gss_code AS council_gss,
        COALESCE(sc.allow_lives, %(default_lives)s) AS allow_lives,
        COALESCE(sc.allow_works, %(default_works)s) AS allow_works,
        COALESCE(sc.allow_studies, %(default_studies)s) AS allow_studies,
        COALESCE(sc.flag_per_address_per_hour, %(default_flag)s) AS flag_limit,
        COALESCE(sc.alert_per_domain_per_hour, %(default_alert)s) AS alert_limit
    FROM petitions_petition pe
    JOIN councils_council c ON c.id = pe.council_id
    LEFT JOIN petitions_petitionscheme sc ON sc.council_id = pe.council_id
    WHERE pe.id = %(petition)s::bigint AND (%(slug)s::text = '' OR c.slug = %(slug)s::text)
),
pc AS (
    SELECT ward_gss, division_gss, district_gss, county_gss, parish_gss
    FROM councils_postcode WHERE postcode = %(postcode)s::text
),
chk AS MATERIALIZED (
    SELECT p.id, p.status, p.flag_limit, p.alert_limit,
        CASE %(basis)s::text WHEN 'lives' THEN p.allow_lives WHEN 'works' THEN p.allow_works
            WHEN 'studies' THEN p.allow_studies ELSE %(false)s END AS basis_ok,
        COALESCE((SELECT p.council_gss <> '' AND p.council_gss IN
            (pc.district_gss, pc.county_gss, pc.parish_gss) FROM pc), %(false)s) AS in_area,
        (SELECT w.id FROM councils_ward w, pc WHERE w.council_id = p.council_id
            AND w.gss_code <> '' AND w.gss_code IN (pc.ward_gss, pc.division_gss)
            ORDER BY w.name, w.id LIMIT 1) AS ward_id,
        CASE WHEN %(source)s::text <> '' THEN (SELECT COUNT(*) FROM petitions_signature r
            WHERE r.petition_id = p.id AND r.source = %(source)s::text
            AND r.created_at >= %(hour_ago)s) ELSE 0 END AS from_source,
        CASE WHEN %(uncommon_domain)s THEN (SELECT COUNT(*) FROM petitions_signature r
            WHERE r.petition_id = p.id AND r.email_domain = %(domain)s::text
            AND r.created_at >= %(hour_ago)s) ELSE 0 END AS from_domain
    FROM p
)"""

_SIGNATURE_COLUMNS = (
    "petition_id, name, email, email_key, email_domain, postcode, ward_id, basis, user_id, "
    "channel, is_sponsor, status, token, wants_updates, ip_address, source, flagged, "
    "flag_reasons, created_at, last_emailed_at"
)
_OUTBOX_COLUMNS = (
    'created_at, template, "to", subject, body, reply_to, unsubscribe_url, headers, status, '
    "attempts, next_attempt_at, enqueued_at, last_error, builder, context, language"
)

# PostgreSQL: the checks, the signature and its email in one statement (one round trip,
# committed on its own outside a transaction). The signature is written only when the
# petition is open, the basis allowed, a resident's postcode in the area, and the
# address new to the petition; its email only when the signature was.
_SIGN_POSTGRESQL = f"""
WITH {_SIGN_CHECKS},
flags AS (
    SELECT chk.*, chk.from_source + 1 > chk.flag_limit AS by_source,
        %(uncommon_domain)s AND chk.from_domain + 1 > chk.alert_limit AS by_domain
    FROM chk
),
signed AS (
    INSERT INTO petitions_signature ({_SIGNATURE_COLUMNS})
    SELECT flags.id, %(name)s::text, %(email)s::text, %(key)s::text, %(domain)s::text,
        %(postcode)s::text, flags.ward_id, %(basis)s::text, %(user)s::bigint, 'online', FALSE,
        'pending', %(token)s::text, %(wants_updates)s, %(ip_address)s::inet, %(source)s::text,
        flags.by_source OR flags.by_domain,
        to_jsonb(array_remove(ARRAY[
            CASE WHEN flags.by_source THEN 'address_rate' END,
            CASE WHEN flags.by_domain THEN 'domain_rate' END], NULL)),
        %(now)s, %(now)s
    FROM flags
    WHERE flags.status = 'open' AND flags.basis_ok AND (flags.in_area OR %(basis)s::text <> 'lives')
    ON CONFLICT (petition_id, email_key) WHERE NOT (email_key = '') DO NOTHING
    RETURNING id
),
emailed AS (
    INSERT INTO core_outboxmessage ({_OUTBOX_COLUMNS})
    SELECT %(now)s, %(template)s::text, %(email)s::text, '', '', '', '', '{{}}'::jsonb,
        'pending', 0, %(now)s, %(now)s, '', %(builder)s::text,
        jsonb_build_object('signature', signed.id), %(language)s::text
    FROM signed
    RETURNING id
)
SELECT flags.status, flags.basis_ok, flags.in_area, flags.ward_id, flags.from_source,
    flags.from_domain, flags.by_source, flags.by_domain, signed.id, emailed.id
FROM flags LEFT JOIN signed ON TRUE LEFT JOIN emailed ON TRUE
"""  # noqa: S608 - constant column lists; values are parameters

# Elsewhere (SQLite): the checks as one query, then the two inserts, in a transaction
# (without PostgreSQL's casts).
_SIGN_CHECKS_ONLY = f"""
WITH {_SIGN_CHECKS}
SELECT chk.status, chk.basis_ok, chk.in_area, chk.ward_id, chk.from_source,
    chk.from_domain, chk.from_source + 1 > chk.flag_limit,
    %(uncommon_domain)s AND chk.from_domain + 1 > chk.alert_limit
FROM chk
"""  # noqa: S608 - constant column lists; values are parameters
_INSERT_SIGNATURE = f"""
INSERT INTO petitions_signature ({_SIGNATURE_COLUMNS})
VALUES (%(petition)s, %(name)s, %(email)s, %(key)s, %(domain)s, %(postcode)s, %(ward)s,
    %(basis)s, %(user)s, 'online', %(false)s, 'pending', %(token)s, %(wants_updates)s,
    %(ip_address)s, %(source)s::text, %(flagged)s, %(reasons)s::text, %(now)s, %(now)s)
ON CONFLICT (petition_id, email_key) WHERE NOT (email_key = '') DO NOTHING
RETURNING id
"""  # noqa: S608 - constant column lists; values are parameters


@functools.cache
def _scheme_defaults() -> dict[str, Any]:
    """What a council without a scheme row follows (the model's defaults)."""

    def field(name: str) -> Any:
        return PetitionScheme._meta.get_field(name)

    return {
        "default_lives": field("allow_lives").default,
        "default_works": field("allow_works").default,
        "default_studies": field("allow_studies").default,
        "default_flag": field("flag_per_address_per_hour").default,
        "default_alert": field("alert_per_domain_per_hour").default,
    }


def _sign_quickly(
    petition: Petition | PetitionRef,
    *,
    name: str,
    email: str,
    postcode: str,
    basis: str,
    declaration: bool,
    user: Any,
    ip_address: str | None,
    wants_updates: bool,
) -> Signature:
    """A new signature in one statement, or :class:`_TakeTheLongWay` (nothing written)."""
    try:
        name = line(name, "name", limit=200)
        email = characters((email or "").strip(), "email")
        validate_email(email)
        canonical = normalise_postcode(postcode or "")
    except (ValidationError, InvalidPostcode):
        raise _TakeTheLongWay from None
    if len(email) > 254 or declaration is not True or basis not in _BASES:
        raise _TakeTheLongWay
    if isinstance(petition, PetitionRef):
        petition_id, slug = petition.petition_id, petition.council_slug
    else:
        petition_id, slug = petition.pk, ""
    user = _as_user(user)
    key = email_key(email)
    domain = key.rpartition("@")[2]
    source = source_of(ip_address)
    now = timezone.now()
    defaults = _scheme_defaults()
    params: dict[str, Any] = {
        "petition": petition_id,
        "slug": slug,
        "postcode": canonical,
        "basis": basis,
        "source": source,
        "domain": domain,
        "uncommon_domain": bool(domain) and domain not in COMMON_EMAIL_DOMAINS,
        "hour_ago": now - dt.timedelta(hours=1),
        **defaults,
        "false": False,
        "name": name,
        "email": email,
        "key": key,
        "user": getattr(user, "pk", None),
        "token": new_token(),
        "wants_updates": bool(wants_updates),
        "ip_address": ip_address or None,
        "now": now,
        "template": CONFIRM_EMAIL,
        "builder": CONFIRM_EMAIL_BUILDER,
        "language": translation.get_language() or "",
    }
    connection = connections[Signature.objects.db]
    if connection.vendor == "postgresql":
        row = _prepared(connection, _SIGN_POSTGRESQL, params)
        if row is None:
            raise _TakeTheLongWay  # no such petition: the general path says so
        status, basis_ok, in_area, ward_id, from_source, from_domain, by_source, by_domain = row[:8]
        signature_id, message_id = row[8], row[9]
    else:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(_without_casts(_SIGN_CHECKS_ONLY), params)
            row = cursor.fetchone()
            if row is None:
                raise _TakeTheLongWay
            status, basis_ok, in_area, ward_id, from_source, from_domain, by_source, by_domain = row
            signature_id = message_id = None
            if status == S.OPEN and basis_ok and (in_area or basis != Basis.LIVES):
                reasons = _flag_reasons(by_source, by_domain)
                cursor.execute(
                    _without_casts(_INSERT_SIGNATURE),
                    {
                        **params,
                        "ward": ward_id,
                        "flagged": bool(reasons),
                        "reasons": json.dumps(reasons),
                    },
                )
                inserted = cursor.fetchone()
                if inserted is not None:
                    signature_id = inserted[0]
                    message_id = mail.queue_compact_email(
                        email,
                        CONFIRM_EMAIL,
                        builder=CONFIRM_EMAIL_BUILDER,
                        context={"signature": signature_id},
                    ).pk
    if signature_id is None:
        # Not open, a basis the scheme does not take, a postcode outside the area, or an
        # address that signed before: the general path answers (in its own order).
        raise _TakeTheLongWay
    if connection.vendor == "postgresql":
        ids = [message_id]
        if connection.in_atomic_block:
            transaction.on_commit(lambda: mail.request_delivery(ids), robust=True)
        else:  # committed already, by the statement itself
            try:
                mail.request_delivery(ids)
            except Exception:  # as on_commit(robust=True): the sweep sends it later
                logger.exception("Could not ask for the delivery of outbox message %s", ids)
    if by_source or by_domain:
        _alert_quietly(
            petition_id,
            source if by_source else "",
            from_source + 1,
            domain if by_domain else "",
            from_domain + 1,
        )
    reasons = _flag_reasons(by_source, by_domain)
    # The row as the statement wrote it, made as a query would make it (``from_db``: its
    # values in column order, which skips the per-field work of keyword arguments).
    row_values = {
        "id": signature_id,
        "petition_id": petition_id,
        "name": name,
        "email": email,
        "email_key": key,
        "email_domain": domain,
        "postcode": canonical,
        "ward_id": ward_id,
        "basis": basis,
        "user_id": getattr(user, "pk", None),
        "channel": Signature.Channel.ONLINE,
        "is_sponsor": False,
        "status": Signature.Status.PENDING,
        "token": params["token"],
        "wants_updates": bool(wants_updates),
        "ip_address": ip_address or None,
        "source": source,
        "flagged": bool(reasons),
        "flag_reasons": reasons,
        "created_at": now,
        "last_emailed_at": now,
    }
    attnames = _signature_attnames()
    signature = Signature.from_db(
        connection.alias, attnames, [row_values.get(attname) for attname in attnames]
    )
    if user is not None:
        Signature.user.field.set_cached_value(signature, user)
    return signature


def _flag_reasons(by_source: bool, by_domain: bool) -> list[str]:
    """The flags the quick path's counts raise, as ``Signature.flag_reasons`` lists them (in
    the order the statement writes them)."""
    return [
        reason
        for reason, flagged in (("address_rate", by_source), ("domain_rate", by_domain))
        if flagged
    ]


@functools.cache
def _signature_attnames() -> list[str]:
    return [field.attname for field in Signature._meta.concrete_fields]


def _prepared(connection: Any, sql: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
    """Run ``sql`` as a prepared statement on PostgreSQL (planned once per connection: the
    plan of the signing statement costs more than running it) and return its one row.

    Django binds parameters on the client and never prepares, so this uses a psycopg
    cursor of its own on Django's connection (in its transaction, if any); it logs the
    query as Django's cursors do when queries are being recorded."""
    import psycopg

    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    started = time.monotonic()
    raw = connection.connection
    threshold = raw.prepare_threshold  # None: Django turns preparing off for its own cursors
    raw.prepare_threshold = 2**30  # on, for this statement only (prepare=True below)
    try:
        with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
            cursor.execute(sql, params, prepare=True)
            row = cursor.fetchone()
    finally:
        raw.prepare_threshold = threshold
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": sql, "time": f"{time.monotonic() - started:.3f}", "params": params}
        )
    return row


_CAST = re.compile(r"::[a-z]+")


def _without_casts(sql: str) -> str:
    return _CAST.sub("", sql)


def _alert_quietly(
    petition_id: int, source: str, from_source: int, domain: str, from_domain: int
) -> None:
    """The moderators' alerts for a signature the quick path flagged (its own transaction:
    the signature is stored; a lost alert is raised again by the flood's next signature)."""
    with transaction.atomic():
        petition = Petition.objects.select_related("council").get(pk=petition_id)
        if source:
            _alert(petition, AbuseAlert.Kind.ADDRESS, source, from_source)
        if domain:
            _alert(petition, AbuseAlert.Kind.DOMAIN, domain, from_domain)


# What the confirmation email shows of a signature, and the link's token.
_CONFIRMATION_FIELDS = ("petition_id", "name", "email", "token")


def confirmation_email_context(contexts: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """The confirmation emails' contexts, from their signatures' ids (the outbox builds
    the emails when it sends them, a batch at a time); None for a signature gone."""
    wanted = [context.get("signature") for context in contexts]
    # Each petition (and its council) read once, not once per signature: a batch is mostly
    # a few petitions' signatures, and a petition's row is long.
    found = (
        Signature.objects.only(*_CONFIRMATION_FIELDS)
        .prefetch_related(Prefetch("petition", Petition.objects.select_related("council")))
        .in_bulk([pk for pk in wanted if isinstance(pk, int)])
    )
    result: list[dict[str, Any] | None] = []
    for pk in wanted:
        signature = found.get(pk) if isinstance(pk, int) else None
        result.append(_confirmation_context(signature) if signature and signature.email else None)
    return result


@transaction.atomic
def _sign_slowly(
    petition: Petition | PetitionRef,
    *,
    name: str,
    email: str,
    postcode: str,
    basis: str,
    declaration: bool,
    user: Any = None,
    ip_address: str | None = None,
    sponsor_token: str = "",
    wants_updates: bool = True,
) -> Signature:
    """:func:`sign_petition` for every case, with the ORM, in one transaction."""
    petition = _petition_to_sign(petition)
    council = petition.council
    scheme = PetitionScheme.for_council(council)
    is_sponsor = bool(sponsor_token) and sponsor_token == petition.sponsor_token
    if is_sponsor and petition.status != S.GATHERING_SPONSORS:
        raise ValidationError(
            _("This petition is no longer looking for sponsors."), code="not_gathering"
        )
    if not is_sponsor and petition.status != S.OPEN:
        raise ValidationError(_("This petition is not open for signatures."), code="not_open")

    name = line(name, "name", limit=200)
    email = characters((email or "").strip(), "email")
    try:
        validate_email(email)
        if len(email) > 254:
            raise ValidationError("long")
    except ValidationError:
        raise invalid(
            "email", _("Enter an email address like name@example.com."), "invalid_email"
        ) from None
    try:
        canonical = normalise_postcode(postcode or "")
    except InvalidPostcode:
        raise invalid(
            "postcode", _("Enter a full UK postcode, like SW1A 1AA."), "invalid_postcode"
        ) from None
    if basis not in scheme.allowed_bases():
        raise invalid("basis", _("Choose why you may sign this petition."), "invalid_basis")
    if declaration is not True:
        raise invalid(
            "declaration",
            _("Confirm that you live, work or study in the area, as you chose."),
            "declaration_required",
        )
    found = Postcode.objects.filter(postcode=canonical).first()
    if basis == Basis.LIVES and not _in_area(council, found):
        raise invalid(
            "postcode",
            _("This postcode is not in %(council)s’s area."),
            "postcode_outside",
            {"council": council.short_name or council.name},
        )
    ward = _ward_for(council, found)
    key = email_key(email)
    domain = key.rpartition("@")[2]
    now = timezone.now()

    existing = Signature.objects.filter(petition=petition, email_key=key).first()
    if existing is None:
        signature = Signature(
            petition=petition,
            name=name,
            email=email,
            email_key=key,
            email_domain=domain,
            postcode=canonical,
            ward=ward,
            basis=basis,
            user=_as_user(user),
            is_sponsor=is_sponsor,
            ip_address=ip_address or None,
            source=source_of(ip_address),
            wants_updates=wants_updates,
            created_at=now,
            last_emailed_at=now,
        )
        _flag(signature, petition, scheme, now)
        try:
            with transaction.atomic():
                signature.save()
        except IntegrityError:
            # Someone with the same address signed at the same moment: one signature.
            existing = Signature.objects.get(petition=petition, email_key=key)
        else:
            _send_confirmation(signature)
            return signature
    return _sign_again(existing, name=name, postcode=canonical, ward=ward, basis=basis)


# Signing again with an address that already signed re-sends its email at most this often,
# so the form cannot be used to fill someone else's inbox (the answer stays the same).
RESEND_INTERVAL = dt.timedelta(minutes=10)


def _may_email_again(signature: Signature) -> bool:
    now = timezone.now()
    if signature.last_emailed_at and now - signature.last_emailed_at < RESEND_INTERVAL:
        return False
    signature.last_emailed_at = now
    Signature.objects.filter(pk=signature.pk).update(last_emailed_at=now)
    return True


def _sign_again(
    signature: Signature, *, name: str, postcode: str, ward: Ward | None, basis: str
) -> Signature:
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status == Signature.Status.PENDING:
        if _may_email_again(signature):
            _send_confirmation(signature)
    elif signature.status == Signature.Status.CONFIRMED:
        if _may_email_again(signature):
            queue_email(signature.email, "petitions/email/already_signed", {"signature": signature})
    elif signature.status == Signature.Status.WITHDRAWN:
        signature.status = Signature.Status.PENDING
        signature.name, signature.postcode, signature.ward, signature.basis = (
            name,
            postcode,
            ward,
            basis,
        )
        signature.withdrawn_at = None
        signature.last_emailed_at = timezone.now()
        signature.save()
        _send_confirmation(signature)
    return signature


def _confirmation_context(signature: Signature) -> dict[str, Any]:
    petition = signature.petition
    return {
        "signature": signature,
        "petition": petition,
        "confirm_url": reverse(
            "public:petition_confirm",
            kwargs={"council": petition.council.slug, "token": signature.token},
        ),
    }


def _send_confirmation(signature: Signature) -> None:
    queue_email(signature.email, CONFIRM_EMAIL, _confirmation_context(signature))


def _flag(signature: Signature, petition: Petition, scheme: PetitionScheme, now: Any) -> None:
    """Mark a signature that looks like part of a flood; alert moderators once per source."""
    hour_ago = now - dt.timedelta(hours=1)
    recent = Signature.objects.filter(petition=petition, created_at__gte=hour_ago)
    if signature.source:
        from_address = recent.filter(source=signature.source).count() + 1
        if from_address > scheme.flag_per_address_per_hour:
            signature.flagged = True
            signature.flag_reasons = [*signature.flag_reasons, "address_rate"]
            _alert(petition, AbuseAlert.Kind.ADDRESS, signature.source, from_address)
    if signature.email_domain and signature.email_domain not in COMMON_EMAIL_DOMAINS:
        from_domain = recent.filter(email_domain=signature.email_domain).count() + 1
        if from_domain > scheme.alert_per_domain_per_hour:
            signature.flagged = True
            signature.flag_reasons = [*signature.flag_reasons, "domain_rate"]
            _alert(petition, AbuseAlert.Kind.DOMAIN, signature.email_domain, from_domain)


def _alert(petition: Petition, kind: str, key: str, count: int) -> None:
    updated = AbuseAlert.objects.filter(petition=petition, kind=kind, key=key).update(count=count)
    if updated:
        return
    try:
        with transaction.atomic():
            alert = AbuseAlert.objects.create(petition=petition, kind=kind, key=key, count=count)
    except IntegrityError:
        return
    _email_moderators(petition, "petitions/email/abuse_alert", {"alert": alert})


def _bump(petition_id: int, ward_id: int | None, delta: int) -> None:
    """Add ``delta`` to one of the petition's tally rows for ``ward_id``, chosen at random."""
    shard = random.randrange(TALLY_SHARDS)  # noqa: S311 - spreading writes, not security
    where: dict[str, Any] = {"petition_id": petition_id, "ward_id": ward_id, "shard": shard}
    rows = SignatureTally.objects.filter(**where)
    if rows.update(count=F("count") + delta):
        return
    try:
        with transaction.atomic():
            SignatureTally.objects.create(
                petition_id=petition_id, ward_id=ward_id, shard=shard, count=delta
            )
    except IntegrityError:
        rows.update(count=F("count") + delta)


def get_signature_by_token(token: str) -> Signature | None:
    if not token or len(token) > 64 or "\x00" in token:
        return None
    return Signature.objects.select_related("petition__council").filter(token=token).first()


@transaction.atomic
def confirm_signature(token: str, *, council_slug: str = "") -> Signature:
    """Follow the emailed link: the signature now counts (doing it twice changes nothing).

    ``council_slug``, when given (the link names its council), must be the petition's
    council's, or the link is unknown. The signature comes back with its petition (and
    council) as they are after the confirmation.

    Raises ValidationError when the link is unknown (code ``unknown_token``), or the
    petition stopped taking signatures before the link was followed (``not_open``). Side
    effects: the count, obligations when a threshold is crossed, and for sponsors, the
    petition moving on once it has enough."""
    # One query: the signature, locked (not its petition: thousands confirm one petition at
    # once), with its petition and council.
    signature = None
    if token and len(token) <= 64 and "\x00" not in token:
        found = (
            Signature.objects.select_for_update(of=("self",))
            .select_related("petition__council")
            .filter(token=token)
        )
        if council_slug:
            found = found.filter(petition__council__slug=council_slug)
        with contextlib.suppress(Signature.DoesNotExist):
            signature = found.get()  # tokens are unique: no ordering needed
    if signature is None:
        raise ValidationError(_("This confirmation link is not valid."), code="unknown_token")
    petition = signature.petition
    if signature.status != Signature.Status.PENDING:
        return signature
    if petition.status not in SIGNING_STATUSES:
        raise ValidationError(
            _("This petition stopped taking signatures before you confirmed."), code="not_open"
        )
    signature.status = Signature.Status.CONFIRMED
    signature.confirmed_at = timezone.now()
    Signature.objects.filter(pk=signature.pk).update(
        status=signature.status, confirmed_at=signature.confirmed_at
    )
    _bump(petition.pk, signature.ward_id, 1)
    if petition.status == S.GATHERING_SPONSORS:
        signature.petition = _check_sponsors(petition)  # enough sponsors moves it on
    elif _may_cross_a_threshold(petition):
        _check_thresholds(petition)
    return signature


def _may_cross_a_threshold(petition: Petition) -> bool:
    """Whether the petition has reached a threshold of its scheme that has no obligation
    yet — in one query (the scheme, the live count and the obligations), so that a
    confirmation that crosses nothing costs no more."""
    with connections[Petition.objects.db].cursor() as cursor:
        cursor.execute(
            """
            SELECT sc.id, sc.response_threshold, sc.hearing_threshold, sc.debate_threshold,
                (SELECT COALESCE(SUM(t.count), 0) FROM petitions_signaturetally t
                    WHERE t.petition_id = p.id),
                (SELECT COUNT(*) FROM petitions_obligation o
                    WHERE o.petition_id = p.id AND o.kind = %s),
                (SELECT COUNT(*) FROM petitions_obligation o
                    WHERE o.petition_id = p.id AND o.kind = %s),
                (SELECT COUNT(*) FROM petitions_obligation o
                    WHERE o.petition_id = p.id AND o.kind = %s)
            FROM petitions_petition p
            LEFT JOIN petitions_petitionscheme sc ON sc.council_id = p.council_id
            WHERE p.id = %s
            """,
            [Obligation.Kind.RESPOND, Obligation.Kind.HEAR, Obligation.Kind.DEBATE, petition.pk],
        )
        row = cursor.fetchone()
    if row is None:
        return False
    scheme_id, respond, hear, debate, total, *have = row
    if scheme_id is None:  # no scheme saved: the defaults
        respond, hear, debate = (
            getattr(PetitionScheme._meta.get_field(name), "default", None)
            for name in ("response_threshold", "hearing_threshold", "debate_threshold")
        )
    return any(
        threshold and not had and max(int(total), 0) >= threshold
        for threshold, had in zip((respond, hear, debate), have, strict=True)
    )


def _check_sponsors(petition: Petition) -> Petition:
    """Move the petition on once it has its sponsors; return it, locked, as it now is."""
    petition = _locked(petition)
    if petition.status != S.GATHERING_SPONSORS:
        return petition
    scheme = PetitionScheme.for_council(petition.council)
    sponsors = Signature.objects.filter(
        petition=petition, is_sponsor=True, status=Signature.Status.CONFIRMED
    ).count()
    if sponsors >= scheme.sponsors_required:
        _event(petition, PetitionEvent.Kind.SPONSORED, None, public=False, sponsors=sponsors)
        _after_sponsors(petition, scheme, None)
    return petition


@transaction.atomic
def withdraw_signature(token: str) -> Signature:
    """The signer takes their signature back (from the link in their emails) while the
    petition is open. Side effects: the count goes down by one if it had counted."""
    signature = get_signature_by_token(token)
    if signature is None:
        raise ValidationError(_("This link is not valid."), code="unknown_token")
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    petition = signature.petition
    if signature.status not in (Signature.Status.PENDING, Signature.Status.CONFIRMED):
        return signature
    if petition.status not in SIGNING_STATUSES:
        raise ValidationError(
            _("This petition has closed, so signatures can no longer be withdrawn."),
            code="closed",
        )
    counted = signature.status == Signature.Status.CONFIRMED
    signature.status = Signature.Status.WITHDRAWN
    signature.withdrawn_at = timezone.now()
    signature.save(update_fields=["status", "withdrawn_at"])
    if counted:
        _bump(petition.pk, signature.ward_id, -1)
    return signature


@transaction.atomic
def stop_updates(token: str) -> Signature:
    """The signer stops emails about the petition (the one-click unsubscribe link)."""
    signature = get_signature_by_token(token)
    if signature is None:
        raise ValidationError(_("This link is not valid."), code="unknown_token")
    Signature.objects.filter(pk=signature.pk).update(wants_updates=False)
    signature.wants_updates = False
    return signature


# --- Counting ----------------------------------------------------------------------


def live_count(petition: Petition) -> int:
    """Confirmed signatures and verified paper counts, now (sums the tally rows)."""
    # Every confirmation page asks this: one plain statement, not an aggregate compiled
    # by the ORM each time (a third of a millisecond).
    with connections[SignatureTally.objects.db].cursor() as cursor:
        cursor.execute(_LIVE_COUNT, [petition.pk])
        (total,) = cursor.fetchone()
    return max(int(total), 0)


_LIVE_COUNT = (
    f"SELECT COALESCE(SUM(count), 0) FROM {SignatureTally._meta.db_table} "  # noqa: S608
    "WHERE petition_id = %s"
)


def count_by_ward(petition: Petition) -> list[tuple[Ward | None, int]]:
    """The live count split by ward, largest first; ``None`` for signatures from outside any
    ward of the council and for paper counts without addresses."""
    rows = (
        SignatureTally.objects.filter(petition=petition)
        .values("ward")
        .annotate(total=Sum("count"))
        .filter(total__gt=0)
        .order_by("-total", F("ward").asc(nulls_last=True))
    )
    wards = Ward.objects.in_bulk([row["ward"] for row in rows if row["ward"]])
    return [(wards.get(row["ward"]) if row["ward"] else None, row["total"]) for row in rows]


def live_counts(petitions: Iterable[Petition]) -> dict[int, int]:
    """:func:`live_count` for many petitions in one query."""
    ids = [p.pk for p in petitions]
    rows = (
        SignatureTally.objects.filter(petition_id__in=ids)
        .values("petition")
        .annotate(total=Sum("count"))
    )
    found = {row["petition"]: max(int(row["total"] or 0), 0) for row in rows}
    return {pk: found.get(pk, 0) for pk in ids}


def exact_counts(petition: Petition) -> dict[int | None, int]:
    """Counted from the signatures themselves (and paper counts), by ward id."""
    counts: dict[int | None, int] = {}
    for row in (
        Signature.objects.filter(petition=petition, status=Signature.Status.CONFIRMED)
        .values("ward")
        .annotate(n=Count("pk"))
    ):
        counts[row["ward"]] = row["n"]
    paper = PaperCount.objects.filter(petition=petition).aggregate(n=Sum("count"))["n"] or 0
    if paper:
        counts[None] = counts.get(None, 0) + paper
    return counts


@transaction.atomic
def recount_petition(petition_id: int) -> int | None:
    """Replace the tally rows with an exact count (the periodic job; corrects any drift).

    Returns the total, or None when the petition is gone."""
    petition = Petition.objects.filter(pk=petition_id).first()
    if petition is None:
        return None
    # Lock the tally rows so that no confirmation changes them while they are replaced.
    list(SignatureTally.objects.select_for_update().filter(petition=petition).values("pk"))
    counts = exact_counts(petition)
    SignatureTally.objects.filter(petition=petition).delete()
    SignatureTally.objects.bulk_create(
        SignatureTally(petition=petition, ward_id=ward_id, shard=0, count=n)
        for ward_id, n in counts.items()
        if n
    )
    total = sum(counts.values())
    Petition.objects.filter(pk=petition.pk).update(signature_count=total, counted_at=timezone.now())
    return total


def recount_active_petitions() -> int:
    """Recount every petition still taking signatures or closed in the last day."""
    since = timezone.now() - dt.timedelta(days=1)
    ids = list(
        Petition.objects.filter(
            Q(status__in=SIGNING_STATUSES) | Q(closed_at__gte=since)
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        recount_petition(pk)
    return len(ids)


# --- Obligations -----------------------------------------------------------------


def _thresholds(scheme: PetitionScheme) -> list[tuple[str, int, int]]:
    steps = [
        (Obligation.Kind.RESPOND, scheme.response_threshold, scheme.response_working_days),
        (Obligation.Kind.HEAR, scheme.hearing_threshold, scheme.hearing_working_days),
        (Obligation.Kind.DEBATE, scheme.debate_threshold, scheme.debate_working_days),
    ]
    return [(str(kind), t, days) for kind, t, days in steps if t]


def _check_thresholds(petition: Petition) -> list[Obligation]:
    """Create the obligations whose thresholds the petition has now reached."""
    if petition.status != S.OPEN:
        return []
    scheme = PetitionScheme.for_council(petition.council)
    steps = _thresholds(scheme)
    have = set(Obligation.objects.filter(petition=petition).values_list("kind", flat=True))
    wanted = [step for step in steps if step[0] not in have]
    if not wanted:
        return []
    total = live_count(petition)
    created = []
    today = timezone.localdate()
    for kind, threshold, days in wanted:
        if total < threshold:
            continue
        try:
            with transaction.atomic():
                obligation = Obligation.objects.create(
                    council=petition.council,
                    petition=petition,
                    kind=kind,
                    threshold=threshold,
                    owner_name=scheme.obligation_owner,
                    due_on=law.working_days_after(today, days, petition.council.nation),
                )
        except IntegrityError:
            continue  # another confirmation crossed it at the same moment
        created.append(obligation)
        _event(
            petition,
            PetitionEvent.Kind.THRESHOLD,
            None,
            obligation=kind,
            threshold=threshold,
            due_on=obligation.due_on.isoformat(),
        )
        _notify(
            petition,
            f"petition.threshold.{kind}",
            _("%(title)s reached %(count)s signatures: %(step)s")
            % {"title": petition.title, "count": threshold, "step": obligation.get_kind_display()},
        )
    return created


@transaction.atomic
def assign_obligation(actor: Any, obligation: Obligation, *, owner: Any) -> Obligation:
    """Name the officer who answers for an obligation. Side effects: audit, timeline."""
    from moothall.accounts.models import Role
    from moothall.accounts.rules import roles_at

    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    _require(actor, obligation.council, Action.MANAGE_VOICE)
    staff = {Role.Kind.OFFICER, Role.Kind.COUNCIL_ADMIN}
    if owner is not None and not (roles_at(owner, obligation.council) & staff):
        raise invalid("owner", _("Choose someone who works for this council."), "invalid_owner")
    obligation.owner = owner
    obligation.save(update_fields=["owner"])
    _event(obligation.petition, PetitionEvent.Kind.OWNER, actor, obligation=obligation.kind)
    record(
        "petitions.obligation_assigned",
        actor=actor,
        council=obligation.council,
        target=obligation,
        owner=getattr(owner, "pk", None),
    )
    return obligation


def _fulfil(petition: Petition, kind: str, actor: Any) -> None:
    Obligation.objects.filter(petition=petition, kind=kind, fulfilled_at__isnull=True).update(
        fulfilled_at=timezone.now(), fulfilled_by=_as_user(actor)
    )


@transaction.atomic
def respond_to_petition(actor: Any, petition: Petition, *, response: str) -> Petition:
    """Publish the council's response on the petition (Markdown). Meets the response
    obligation; a closed petition becomes "responded".

    Side effects: timeline, audit, signers and followers told."""
    petition = _locked(petition)
    _require(actor, petition.council, Action.MANAGE_VOICE)
    if petition.status not in (S.OPEN, S.CLOSED, S.RESPONDED, S.DEBATED):
        raise ValidationError(
            _("Only a published petition can be given a response."), code="not_public"
        )
    body = text(response, "response", limit=20000)
    petition.response = body
    petition.responded_at = timezone.now()
    if petition.status == S.CLOSED:
        _move(petition, S.RESPONDED)
    petition.save()
    _fulfil(petition, Obligation.Kind.RESPOND, actor)
    _event(petition, PetitionEvent.Kind.RESPONDED, actor)
    record("petitions.responded", actor=actor, council=petition.council, target=petition)
    _notify(
        petition,
        "petition.responded",
        _("The council responded to %(title)s") % {"title": petition.title},
        summary=body[:300],
    )
    return petition


def rendered_response(petition: Petition) -> str:
    return render_markdown(petition.response)


@transaction.atomic
def place_petition_on_agenda(
    actor: Any,
    petition: Petition,
    meeting: Meeting,
    *,
    kind: str,
    title: str = "",
    parent: AgendaItem | None = None,
    is_urgent: bool = False,
    urgency_reason: str = "",
) -> Hearing:
    """Put the petition on ``meeting``'s agenda (a committee hearing or a full-council
    debate): an agenda item is added through the meetings verbs and linked back.

    Side effects: the agenda item (with its own audit and meeting timeline), the hearing,
    the petition's timeline, signers and followers told."""
    from moothall.meetings.domain import add_agenda_item

    petition = _locked(petition)
    _require(actor, petition.council, Action.MANAGE_VOICE)
    if kind not in Hearing.Kind.values:
        raise invalid("kind", _("Choose a hearing or a debate."), "invalid_kind")
    if meeting.body.council_id != petition.council_id:
        raise invalid("meeting", _("Choose a meeting of this council."), "invalid_meeting")
    if not petition.is_public or petition.status == S.REJECTED:
        raise ValidationError(
            _("Only a published petition can be placed on an agenda."), code="not_public"
        )
    default_title = _("Petition: %(title)s") % {"title": petition.title}
    item = add_agenda_item(
        actor,
        meeting,
        title=text(title or default_title, "title", limit=300),
        kind=AgendaItem.Kind.PETITION,
        description=petition.action,
        parent=parent,
        is_urgent=is_urgent,
        urgency_reason=urgency_reason,
    )
    hearing = Hearing.objects.create(
        petition=petition, kind=kind, agenda_item=item, created_by=_as_user(actor)
    )
    # An item taken in private (Part II) is not announced, on the timeline or by email.
    private = item.is_exempt
    _event(
        petition,
        PetitionEvent.Kind.PLACED,
        actor,
        public=not private,
        hearing=hearing.pk,
        hearing_kind=kind,
        meeting=meeting.pk,
        item=item.pk,
        date=timezone.localtime(meeting.start).date().isoformat(),
    )
    record(
        "petitions.placed_on_agenda",
        actor=actor,
        council=petition.council,
        target=petition,
        meeting=meeting.pk,
        item=item.pk,
    )
    if not private:
        _notify(
            petition,
            "petition.placed",
            _("%(title)s will be considered at %(meeting)s")
            % {"title": petition.title, "meeting": str(meeting)},
        )
    return hearing


@transaction.atomic
def link_petition_decision(
    actor: Any, hearing: Hearing, *, decision: Decision | None, outcome: str = ""
) -> Hearing:
    """Record what happened at the hearing: the decision taken (on its agenda item, or any
    of its meeting's) and a short outcome. Meets the hearing or debate obligation; a debate
    makes the petition "debated".

    Side effects: timeline, audit, signers and followers told."""
    hearing = (
        Hearing.objects.select_for_update()
        .select_related("agenda_item__meeting")
        .get(pk=hearing.pk)
    )
    petition = _locked(hearing.petition)
    _require(actor, petition.council, Action.MANAGE_VOICE)
    if decision is not None and decision.meeting_id != hearing.agenda_item.meeting_id:
        raise invalid("decision", _("Choose a decision taken at that meeting."), "invalid_decision")
    if decision is not None and not Decision.objects.public().filter(pk=decision.pk).exists():
        raise invalid(
            "decision",
            _("An exempt decision cannot be linked to a public petition."),
            "exempt_decision",
        )
    hearing.decision = decision
    hearing.outcome = text(outcome, "outcome", required=decision is None, limit=5000)
    hearing.concluded_at = timezone.now()
    hearing.save()
    _fulfil(petition, hearing.kind, actor)
    # A hearing held in private (the item is, or became, exempt) is not announced.
    private = hearing.agenda_item.is_exempt
    if (
        hearing.kind == Hearing.Kind.DEBATE
        and petition.status in TRANSITIONS
        and (S.DEBATED in TRANSITIONS[petition.status])
    ):
        _move(petition, S.DEBATED)
        if petition.closed_at is None:
            petition.closed_at = timezone.now()
        petition.save()
        _event(petition, PetitionEvent.Kind.DEBATED, actor, public=not private, hearing=hearing.pk)
    _event(
        petition,
        PetitionEvent.Kind.DECISION,
        actor,
        public=not private,
        hearing=hearing.pk,
        decision=getattr(decision, "pk", None),
    )
    record(
        "petitions.decision_linked",
        actor=actor,
        council=petition.council,
        target=petition,
        decision=getattr(decision, "pk", None),
    )
    if not private:
        _notify(
            petition,
            "petition.decision",
            _("A decision was taken on %(title)s") % {"title": petition.title},
            summary=(hearing.outcome or getattr(decision, "text", ""))[:300],
        )
    return hearing


# --- Paper petitions and invalidation -----------------------------------------------


@transaction.atomic
def add_paper_signatures(
    actor: Any,
    petition: Petition,
    *,
    signatures: Sequence[tuple[str, str]] = (),
    verified_count: int = 0,
    note: str = "",
) -> int:
    """An officer enters a paper petition's signatures — names with postcodes, or a verified
    count — marked as paper and added to the total. Returns how many were added.

    Side effects: signatures or a paper count, the tally, obligations when a threshold is
    crossed, timeline, audit."""
    petition = _locked(petition)
    _require(actor, petition.council, Action.MANAGE_VOICE)
    if petition.status not in (S.OPEN, S.CLOSED, S.GATHERING_SPONSORS, S.AWAITING_MODERATION):
        raise ValidationError(
            _("Paper signatures can be added to a petition that is open or has just closed."),
            code="not_open",
        )
    if not isinstance(verified_count, int) or verified_count < 0 or verified_count > 10_000_000:
        raise invalid("verified_count", _("Enter a whole number of signatures."), "invalid_count")
    if not signatures and not verified_count:
        raise invalid(
            "signatures", _("Enter the signatures, or the verified count."), "nothing_to_add"
        )
    note = text(note, "note", required=False, limit=2000)
    rows = []
    for number, (name, postcode) in enumerate(signatures, start=1):
        name = line(name, "signatures", limit=200)
        try:
            canonical = normalise_postcode(postcode) if (postcode or "").strip() else ""
        except InvalidPostcode:
            raise invalid(
                "signatures",
                _("Line %(line)d: “%(postcode)s” is not a UK postcode."),
                "invalid_postcode",
                {"line": number, "postcode": postcode[:20]},
            ) from None
        rows.append((name, canonical))
    found = {
        p.postcode: p for p in Postcode.objects.filter(postcode__in=[pc for _n, pc in rows if pc])
    }
    now = timezone.now()
    created = Signature.objects.bulk_create(
        Signature(
            petition=petition,
            name=name,
            postcode=pc,
            ward=_ward_for(petition.council, found.get(pc)),
            channel=Signature.Channel.PAPER,
            status=Signature.Status.CONFIRMED,
            entered_by=_as_user(actor),
            wants_updates=False,
            created_at=now,
            confirmed_at=now,
        )
        for name, pc in rows
    )
    by_ward: dict[int | None, int] = {}
    for signature in created:
        by_ward[signature.ward_id] = by_ward.get(signature.ward_id, 0) + 1
    if verified_count:
        PaperCount.objects.create(
            petition=petition, count=verified_count, note=note, entered_by=_as_user(actor)
        )
        by_ward[None] = by_ward.get(None, 0) + verified_count
    for ward_id, n in by_ward.items():
        _bump(petition.pk, ward_id, n)
    added = len(created) + verified_count
    _event(petition, PetitionEvent.Kind.PAPER, actor, count=added)
    record(
        "petitions.paper_added", actor=actor, council=petition.council, target=petition, count=added
    )
    if petition.status == S.OPEN:
        _check_thresholds(petition)
    return added


INVALIDATION_CRITERIA = ("ids", "ip_address", "email_domain", "flagged", "since", "until")


def signatures_matching(petition: Petition, **criteria: Any) -> QuerySet[Signature]:
    """Confirmed or pending signatures of ``petition`` that match every given criterion:
    ``ids``, ``ip_address`` (an address, or an IPv6 network such as ``2001:db8:1:2::/64``),
    ``email_domain``, ``flagged`` (True), ``since``/``until``."""
    unknown = set(criteria) - set(INVALIDATION_CRITERIA)
    if unknown:
        raise ValueError(f"Unknown criteria: {sorted(unknown)}")
    found = Signature.objects.filter(
        petition=petition,
        status__in=[Signature.Status.PENDING, Signature.Status.CONFIRMED],
    )
    if criteria.get("ids"):
        found = found.filter(pk__in=list(criteria["ids"]))
    if criteria.get("ip_address"):
        address = str(criteria["ip_address"])
        # An alert's key is a source (see source_of): an IPv6 /64 network stands for all
        # its addresses.
        found = found.filter(source=address) if "/" in address else found.filter(ip_address=address)
    if criteria.get("email_domain"):
        found = found.filter(email_domain=str(criteria["email_domain"]).lower())
    if criteria.get("flagged"):
        found = found.filter(flagged=True)
    if criteria.get("since"):
        found = found.filter(created_at__gte=criteria["since"])
    if criteria.get("until"):
        found = found.filter(created_at__lt=criteria["until"])
    return found


@transaction.atomic
def invalidate_signatures(
    actor: Any, petition: Petition, *, reason_text: str, **criteria: Any
) -> Invalidation:
    """Strike out, together, the signatures matching ``criteria`` (see
    :func:`signatures_matching`; at least one criterion), with a reason kept for the record.
    Counts go down; signers are not told which rule caught them (nor told at all).

    Side effects: the invalidation, signature statuses, the tally, timeline (the number
    only), audit."""
    petition = _locked(petition)
    _require(actor, petition.council, Action.MODERATE)
    why = reason(reason_text, required=True)
    if not any(criteria.get(key) for key in INVALIDATION_CRITERIA):
        raise invalid("criteria", _("Say which signatures to invalidate."), "criteria_required")
    matching = signatures_matching(petition, **criteria).select_for_update()
    rows = list(matching.values_list("pk", "status", "ward_id"))
    stored = {
        key: (value.isoformat() if hasattr(value, "isoformat") else value)
        for key, value in criteria.items()
        if value
    }
    if "ids" in stored:
        stored["ids"] = sorted(int(i) for i in stored["ids"])
    invalidation = Invalidation.objects.create(
        petition=petition, reason=why, criteria=stored, count=len(rows), made_by=_as_user(actor)
    )
    Signature.objects.filter(pk__in=[pk for pk, _s, _w in rows]).update(
        status=Signature.Status.INVALIDATED,
        invalidated_at=timezone.now(),
        invalidation=invalidation,
    )
    by_ward: dict[int | None, int] = {}
    for _pk, status, in_ward in rows:
        if status == Signature.Status.CONFIRMED:
            by_ward[in_ward] = by_ward.get(in_ward, 0) + 1
    for ward_id, n in by_ward.items():
        _bump(petition.pk, ward_id, -n)
    _event(petition, PetitionEvent.Kind.INVALIDATED, actor, count=sum(by_ward.values()))
    record(
        "petitions.signatures_invalidated",
        actor=actor,
        council=petition.council,
        target=petition,
        count=len(rows),
        reason=why,
        # The criteria's names only: an IP address or email domain is personal data, kept
        # on the Invalidation (which retention may clear), never in the append-only log.
        criteria=sorted(stored),
        invalidation=invalidation.pk,
    )
    return invalidation


@transaction.atomic
def resolve_alert(actor: Any, alert: AbuseAlert) -> AbuseAlert:
    """A moderator has looked at an alert. Side effects: audit."""
    alert = (
        AbuseAlert.objects.select_for_update().select_related("petition__council").get(pk=alert.pk)
    )
    _require(actor, alert.petition.council, Action.MODERATE)
    if alert.resolved_at is None:
        alert.resolved_at = timezone.now()
        alert.resolved_by = _as_user(actor)
        alert.save(update_fields=["resolved_at", "resolved_by"])
        record(
            "petitions.alert_resolved",
            actor=actor,
            council=alert.petition.council,
            target=alert.petition,
            alert=alert.pk,
        )
    return alert


# --- Retention ----------------------------------------------------------------------


def purge_personal_data(now: dt.datetime | None = None) -> int:
    """Blank signers' personal data on petitions closed longer ago than their council's
    ``retention_days``, keeping what the counts need (status, ward, channel, dates): counts
    and the count by ward stay exact. Returns how many signatures were blanked.

    Side effects: signatures' name, email, email_key, email_domain, postcode, internet
    address, account link and flag reasons emptied; abuse alerts deleted; invalidations'
    criteria emptied (their reasons and counts stay)."""
    now = now or timezone.now()
    purged = 0
    closed = Petition.objects.filter(closed_at__isnull=False).select_related("council")
    for petition in closed:
        days = PetitionScheme.for_council(petition.council).retention_days
        if petition.closed_at is None or petition.closed_at > now - dt.timedelta(days=days):
            continue
        with transaction.atomic():
            purged += (
                Signature.objects.filter(petition=petition)
                .exclude(name="", email="", postcode="", ip_address=None, user=None)
                .update(
                    name="",
                    email="",
                    email_key="",
                    email_domain="",
                    postcode="",
                    ip_address=None,
                    user=None,
                    flag_reasons=[],
                )
            )
            # An alert's key is an internet address or an email domain: the alert goes.
            AbuseAlert.objects.filter(petition=petition).delete()
            Invalidation.objects.filter(petition=petition).exclude(criteria={}).update(criteria={})
    return purged


# --- Telling people ------------------------------------------------------------------


def _notify(petition: Petition, event: str, title: str, *, summary: str = "") -> None:
    """Tell the petition's signers (who asked for updates) and the followers of the
    petition, its ward and its topic, each person once — after commit."""
    from moothall.notifications.domain import notify

    targets: list[tuple[str, int]] = [("petition", petition.pk)]
    if petition.ward_id:
        targets.append(("ward", petition.ward_id))
    if petition.topic_id:
        targets.append(("topic", petition.topic_id))
    if petition.is_public:
        notify(
            petition.council,
            event=event,
            title=title,
            url=petition.get_absolute_url(),
            summary=summary,
            targets=targets,
            exclude_emails=_signer_emails_following(petition),
        )
    petition_id = petition.pk
    transaction.on_commit(lambda: _email_signers_task().enqueue(petition_id, event, title, summary))


def _signer_emails_following(petition: Petition) -> list[str]:
    """Followers who also signed: the signers' email reaches them, so the follow one is not
    sent too."""
    from moothall.notifications.models import Subscription

    follower_emails = list(
        Subscription.objects.filter(kind="petition", object_id=petition.pk).values_list(
            "user__email", flat=True
        )
    )
    if not follower_emails:
        return []
    keys = {email_key(e): e for e in follower_emails if e}
    signed = Signature.objects.filter(
        petition=petition,
        email_key__in=list(keys),
        status=Signature.Status.CONFIRMED,
        wants_updates=True,
    ).values_list("email_key", flat=True)
    return [keys[key] for key in signed]


def _email_signers_task() -> Any:
    from moothall.petitions.tasks import email_signers

    return email_signers


def email_signers(petition_id: int, event: str, title: str, summary: str = "") -> int:
    """Email every confirmed signer who wants updates (the task behind :func:`_notify`).
    Returns how many were queued."""
    petition = Petition.objects.select_related("council").filter(pk=petition_id).first()
    if petition is None:
        return 0
    sent = 0
    signers = (
        Signature.objects.filter(
            petition=petition, status=Signature.Status.CONFIRMED, wants_updates=True
        )
        .exclude(email="")
        .only("pk", "name", "email", "token")
        .order_by("pk")
    )
    last = 0
    while True:
        batch = list(signers.filter(pk__gt=last)[:500])
        if not batch:
            break
        with transaction.atomic():
            for signature in batch:
                queue_email(
                    signature.email,
                    "petitions/email/update",
                    {
                        "petition": petition,
                        "signature": signature,
                        "title": title,
                        "summary": summary,
                        "event": event,
                    },
                    unsubscribe_url=reverse(
                        "public:petition_stop_updates",
                        kwargs={"council": petition.council.slug, "token": signature.token},
                    ),
                )
                sent += 1
        last = batch[-1].pk
    return sent
