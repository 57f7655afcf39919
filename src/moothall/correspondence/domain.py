"""Verbs: a resident writes to their councillors, each side replies, a councillor blocks a sender.

Each verb runs in one transaction, checks who may act (a resident for their own
letters, the councillor through their linked councillor role or their emailed
reply link), refuses bad input with ``ValidationError`` before writing anything,
writes an audit entry (never the text of a message: that stays between the two of
them) and queues emails, which are sent after commit.

Every email is relayed from the platform's own address. What the councillor is
sent has Reply-To ``reply+<token>@<reply domain>``; what the resident is sent has
Reply-To ``reply+<sender_token>@<reply domain>`` (:mod:`moothall.correspondence.inbound`
records replies to either). The councillor's address is never shown to the resident;
the resident's address is shown to the councillor only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from moothall.accounts.models import User
from moothall.accounts.residents import Eligibility, eligibility_for
from moothall.accounts.rules import Action, can, can_contribute, is_active_user
from moothall.core.audit import changes as audit_changes
from moothall.core.audit import record, snapshot
from moothall.core.mail import queue_email
from moothall.core.validation import invalid as _invalid
from moothall.core.validation import line as _line
from moothall.core.validation import reason as _reason
from moothall.core.validation import text as _text
from moothall.correspondence.access import councillor_addresses, speaks_for
from moothall.correspondence.models import CorrespondenceSettings, Message, Reply, SenderBlock
from moothall.councils.models import Council, Councillor, Postcode, Ward
from moothall.councils.postcodes import InvalidPostcode, normalise_postcode

SUBJECT_MAX_LENGTH = 200
NAME_MAX_LENGTH = 200
LIMIT_PERIOD = dt.timedelta(hours=24)
# The line that opens every relayed email: a reply's quoted history starts below it.
REPLY_ABOVE = "##- Please type your reply above this line -##"


# --- Addresses ------------------------------------------------------------------------


def reply_domain() -> str:
    """The mail domain of relay addresses: MOOTHALL_REPLY_DOMAIN, else the site's host."""
    configured = str(getattr(settings, "MOOTHALL_REPLY_DOMAIN", "") or "").strip()
    if configured:
        return configured.lower()
    return (urlsplit(settings.SITE_URL).hostname or "localhost").lower()


def relay_address(token: str) -> str:
    return f"reply+{token}@{reply_domain()}"


# --- Who may write --------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Whether a person may write to councillors at a council, and from which ward.

    ``problem`` is "" when they may; otherwise one of: ``signed_out``,
    ``email_unverified``, ``no_postcode``, ``unknown_postcode``, ``outside_area``,
    ``no_ward`` (their postcode is in the area but in no ward we know of).
    """

    problem: str
    postcode: str = ""
    ward: Ward | None = None


def standing_for(user: Any, council: Council) -> Standing:
    """Can ``user`` write to ``council``'s councillors, and for which ward? About six queries.

    They need at least :attr:`Eligibility.POSTCODE_IN_AREA` (a verified email address and
    a declared postcode in the council's area, or a resident verification), and the
    postcode must place them in one of the council's wards: councillors answer to a ward.
    """
    if not is_active_user(user):
        return Standing("signed_out")
    level = eligibility_for(user, council)
    if level == Eligibility.NONE:
        return Standing("email_unverified")
    if not user.postcode:
        return Standing("no_postcode")
    try:
        canonical = normalise_postcode(user.postcode)
    except InvalidPostcode:
        return Standing("unknown_postcode", postcode=user.postcode)
    row = Postcode.objects.filter(postcode=canonical).first()
    if row is None:
        return Standing("unknown_postcode", postcode=canonical)
    if level < Eligibility.POSTCODE_IN_AREA:
        return Standing("outside_area", postcode=canonical)
    # As "who represents me?" does: an unwarded parish's one ward carries the parish code.
    codes = [code for code in (row.ward_gss, row.division_gss, row.parish_gss) if code]
    ward = Ward.objects.filter(council=council, gss_code__in=codes).order_by("pk").first()
    if ward is None:
        return Standing("no_ward", postcode=canonical)
    return Standing("", postcode=canonical, ward=ward)


def standing_message(standing: Standing, council: Council) -> str:
    """The sentence that tells a person why they cannot write yet (in their language)."""
    messages = {
        "signed_out": _("Sign in to write to your councillors."),
        "email_unverified": _("Confirm your email address before you write to a councillor."),
        "no_postcode": _(
            "Add your postcode to your profile: you can write to the councillors of the ward "
            "where you live."
        ),
        "unknown_postcode": _(
            "We cannot find the postcode %(postcode)s. Check the postcode in your profile."
        ),
        "outside_area": _(
            "Your postcode %(postcode)s is not in the area of %(council)s, so you cannot write "
            "to its councillors."
        ),
        "no_ward": _(
            "We cannot tell which ward of %(council)s your postcode %(postcode)s is in, so we "
            "cannot send your message to a councillor."
        ),
    }
    return messages[standing.problem] % {"postcode": standing.postcode, "council": council.name}


def current_councillors(ward: Ward) -> list[Councillor]:
    """The ward's councillors in office today, by name."""
    return list(
        Councillor.objects.current()
        .filter(ward=ward)
        .select_related("person", "ward", "council")
        .order_by("person__name", "pk")
    )


def unavailable_message(councillor: Councillor, council: Council) -> str:
    """What a resident is told when a councillor has blocked them. It is true (they cannot
    write to them here) and kind: it does not accuse, and it points to another way."""
    return _(
        "You cannot send messages to %(name)s through this site. If you need help, contact "
        "%(council)s directly."
    ) % {"name": councillor, "council": council.name}


# --- Helpers --------------------------------------------------------------------------


def _fingerprint(body: str) -> str:
    folded = " ".join(body.casefold().split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def _lock(user: Any) -> None:
    # One sender at a time: the limits below count rows, so two of their requests at once
    # must not both pass the count (PostgreSQL; SQLite serialises writers anyway).
    User.objects.select_for_update().filter(pk=user.pk).first()


def _blocked(councillors: Iterable[Councillor], sender: Any) -> Councillor | None:
    members = {c.pk: c for c in councillors}
    found = (
        SenderBlock.objects.filter(councillor_id__in=list(members), sender=sender)
        .order_by("councillor_id")
        .values_list("councillor_id", flat=True)
        .first()
    )
    return members[found] if found is not None else None


def _check_daily_limit(
    sender: Any, council: Council, rules: CorrespondenceSettings, now: dt.datetime
) -> None:
    """Letters (a letter to several councillors once) and the sender's replies, last 24 hours."""
    since = now - LIMIT_PERIOD
    letters = Message.objects.filter(sender=sender, council=council, created_at__gt=since)
    replies = Reply.objects.filter(
        message__sender=sender,
        message__council=council,
        author=Reply.Author.SENDER,
        created_at__gt=since,
    )
    count = letters.values("group_id").distinct().count() + replies.count()
    if count < rules.messages_per_day:
        return
    oldest = [
        moment
        for moment in (
            letters.order_by("created_at").values_list("created_at", flat=True).first(),
            replies.order_by("created_at").values_list("created_at", flat=True).first(),
        )
        if moment is not None
    ]
    again = timezone.localtime(min(oldest) + LIMIT_PERIOD)
    raise ValidationError(
        _(
            "You have sent %(count)d messages in the last 24 hours, the most %(council)s allows. "
            "You can write again from %(time)s."
        ),
        code="daily_limit",
        params={
            "count": count,
            "council": council.name,
            "time": formats.date_format(again, "H:i, j F"),
        },
    )


def _councillor_or_token(actor_or_token: Any, message: Message) -> Any:
    """The councillor acting (a user), or None when they act through their reply link."""
    if isinstance(actor_or_token, str):
        token = actor_or_token.strip().lower()
        if not token or not secrets.compare_digest(token, message.token):
            raise PermissionDenied
        return None
    if not speaks_for(actor_or_token, message.councillor):
        raise PermissionDenied
    return actor_or_token


def _via(via: str) -> str:
    if via not in Reply.Via.values:
        raise _invalid("via", _("Choose how the reply came."), "invalid_via")
    return via


def _site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- Writing --------------------------------------------------------------------------


@transaction.atomic
def write_to_councillors(
    sender: Any,
    council: Council,
    councillors: Sequence[Councillor],
    *,
    subject: str,
    body: str,
    name: str | None = None,
    now: dt.datetime | None = None,
) -> list[Message]:
    """``sender`` writes one letter to one or more councillors of their own ward.

    Refused, before anything is written: anyone not signed in (PermissionDenied); a
    sender below :attr:`Eligibility.POSTCODE_IN_AREA` or whose postcode is in another
    ward; a councillor of another ward or council, or out of office, or with no address
    to write to; a councillor who has blocked the sender (told kindly, not told why);
    more than the council's daily limit; the same text again to the same councillor;
    and blank, over-long or unstorable subject, text or name.

    Side effects: one Message per councillor (sharing a ``group_id``), one audit entry
    each (no text), an email to each councillor (from the platform, Reply-To their
    relay address, with their reply link) and one copy to the sender (no councillor's
    address in it).
    """
    if not can_contribute(sender):
        raise PermissionDenied
    now = now or timezone.now()
    rules = CorrespondenceSettings.for_council(council)
    if not rules.is_open:
        raise ValidationError(
            _("%(council)s is not taking messages to councillors through this site just now.")
            % {"council": council.name},
            code="closed",
        )
    standing = standing_for(sender, council)
    if standing.problem:
        raise ValidationError(standing_message(standing, council), code=standing.problem)
    assert standing.ward is not None

    chosen = list({c.pk: c for c in councillors}.values())
    if not chosen:
        raise _invalid("to", _("Choose who to write to."), "required")
    in_office = set(
        Councillor.objects.current()
        .filter(pk__in=[c.pk for c in chosen])
        .values_list("pk", flat=True)
    )
    for councillor in chosen:
        if councillor.council_id != council.pk or councillor.ward_id != standing.ward.pk:
            raise _invalid(
                "to",
                _("Your postcode is in %(ward)s: you can write to its councillors only."),
                "wrong_ward",
                {"ward": standing.ward.name},
            )
        if councillor.pk not in in_office:
            raise _invalid(
                "to",
                _("%(name)s is not a councillor at the moment."),
                "not_in_office",
                {"name": councillor.name},
            )

    # One line each: a line break would let a sender lay out lines of their own in the
    # councillor's email, e.g. a second "Email:" or "Postcode:" above the real ones.
    subject = _line(subject, "subject", limit=SUBJECT_MAX_LENGTH)
    body = _text(body, "body", limit=rules.max_length)
    name = _line(sender.name if name is None else name, "name", limit=NAME_MAX_LENGTH)

    addresses = councillor_addresses(chosen)
    for councillor in chosen:
        if not addresses[councillor.pk]:
            raise _invalid(
                "to",
                _(
                    "%(name)s cannot be written to here: the council has not given us an email "
                    "address for them."
                ),
                "no_address",
                {"name": str(councillor)},
            )

    _lock(sender)
    blocker = _blocked(chosen, sender)
    if blocker is not None:
        raise ValidationError(unavailable_message(blocker, council), code="unavailable")
    _check_daily_limit(sender, council, rules, now)
    fingerprint = _fingerprint(body)
    repeat = (
        Message.objects.filter(
            sender=sender, councillor__in=[c.pk for c in chosen], body_hash=fingerprint
        )
        .select_related("councillor__person")
        .first()
    )
    if repeat is not None:
        raise ValidationError(
            _(
                "You have already sent this message to %(name)s. To add to it, reply in that "
                "conversation under “My messages”."
            ),
            code="repeat",
            params={"name": str(repeat.councillor)},
        )

    group = uuid.uuid4()
    messages = []
    for councillor in chosen:
        message = Message.objects.create(
            council=council,
            councillor=councillor,
            sender=sender,
            sender_name=name,
            sender_postcode=standing.postcode,
            group_id=group,
            subject=subject,
            body=body,
            body_hash=fingerprint,
            created_at=now,
            last_activity_at=now,
        )
        record(
            "correspondence.write",
            actor=sender,
            council=council,
            target=message,
            councillor=councillor.pk,
            group=str(group),
        )
        queue_email(
            addresses[councillor.pk],
            "correspondence/email/to_councillor",
            {
                "message": message,
                "council": council,
                "councillor": councillor,
                "ward": standing.ward,
                "sender_email": sender.email,
                "reply_url": _site_url(message.get_reply_url()),
                "inbox_url": _site_url(message.get_inbox_url()),
                "reply_above": REPLY_ABOVE,
            },
            reply_to=relay_address(message.token),
        )
        messages.append(message)
    queue_email(
        sender.email,
        "correspondence/email/sent_copy",
        {
            "messages": messages,
            "council": council,
            "subject": subject,
            "body": body,
            "name": name,
            "messages_url": _site_url(messages[0].get_absolute_url()),
        },
    )
    return messages


# --- Replies --------------------------------------------------------------------------


def _reply_text(body: str, council: Council) -> str:
    return _text(body, "body", limit=CorrespondenceSettings.for_council(council).max_length)


@transaction.atomic
def reply_as_councillor(
    actor_or_token: Any,
    message: Message,
    *,
    body: str,
    via: str = Reply.Via.WEB,
    now: dt.datetime | None = None,
) -> Reply:
    """The councillor answers, signed in (their linked councillor role) or through their
    reply link or an emailed reply (``actor_or_token`` is then the message's token).

    Side effects: a Reply; the message becomes answered and, the first time, keeps
    ``first_reply_at`` for the response rate; an audit entry (no text); an email to the
    resident from the platform's address (Reply-To their relay address, never the
    councillor's own address).
    """
    actor = _councillor_or_token(actor_or_token, message)
    via = _via(via)
    body = _reply_text(body, message.council)
    now = now or timezone.now()
    message = (
        Message.objects.select_for_update().select_related("council", "sender").get(pk=message.pk)
    )
    reply = Reply.objects.create(
        message=message, author=Reply.Author.COUNCILLOR, body=body, via=via, created_at=now
    )
    message.status = Message.Status.ANSWERED
    message.first_reply_at = message.first_reply_at or now
    message.last_activity_at = now
    message.save(update_fields=["status", "first_reply_at", "last_activity_at"])
    record(
        "correspondence.reply_as_councillor",
        actor=actor,
        council=message.council,
        target=message,
        reply=reply.pk,
        via=via,
        by_link=actor is None,
    )
    queue_email(
        message.sender.email,
        "correspondence/email/councillor_reply",
        {
            "message": message,
            "reply": reply,
            "council": message.council,
            "councillor": message.councillor,
            "thread_url": _site_url(message.get_absolute_url()),
            "reply_above": REPLY_ABOVE,
        },
        reply_to=relay_address(message.sender_token),
    )
    return reply


@transaction.atomic
def reply_as_sender(
    sender: Any,
    message: Message,
    *,
    body: str,
    via: str = Reply.Via.WEB,
    now: dt.datetime | None = None,
) -> Reply:
    """The resident who wrote adds to the conversation, on the site or by email reply.

    Refused like a new letter when the councillor has blocked them or they have reached
    the daily limit (replies count towards it), and when the same reply was sent already.

    Side effects: a Reply, an audit entry (no text) and an email to the councillor from
    the platform (Reply-To their relay address, with their reply link).
    """
    if not is_active_user(sender) or message.sender_id != sender.pk:
        raise PermissionDenied
    via = _via(via)
    council = message.council
    body = _reply_text(body, council)
    now = now or timezone.now()
    address = councillor_addresses([message.councillor])[message.councillor.pk]
    if not address:
        raise ValidationError(
            _(
                "%(name)s cannot be written to here: the council has not given us an email "
                "address for them."
            ),
            code="no_address",
            params={"name": str(message.councillor)},
        )
    _lock(sender)
    if _blocked([message.councillor], sender) is not None:
        raise ValidationError(unavailable_message(message.councillor, council), code="unavailable")
    _check_daily_limit(sender, council, CorrespondenceSettings.for_council(council), now)
    if message.replies.filter(author=Reply.Author.SENDER, body=body).exists() or (
        body == message.body
    ):
        raise ValidationError(_("You have already sent this."), code="repeat")
    message = Message.objects.select_for_update().select_related("council").get(pk=message.pk)
    reply = Reply.objects.create(
        message=message, author=Reply.Author.SENDER, body=body, via=via, created_at=now
    )
    message.last_activity_at = now
    message.save(update_fields=["last_activity_at"])
    record(
        "correspondence.reply_as_sender",
        actor=sender,
        council=council,
        target=message,
        reply=reply.pk,
        via=via,
    )
    queue_email(
        address,
        "correspondence/email/sender_reply",
        {
            "message": message,
            "reply": reply,
            "council": council,
            "councillor": message.councillor,
            "sender_email": message.sender.email,
            "reply_url": _site_url(message.get_reply_url()),
            "reply_above": REPLY_ABOVE,
        },
        reply_to=relay_address(message.token),
    )
    return reply


# --- Blocking -------------------------------------------------------------------------


def is_blocked(councillor: Councillor, sender: Any) -> bool:
    return SenderBlock.objects.filter(councillor=councillor, sender=sender).exists()


@transaction.atomic
def block_sender(actor_or_token: Any, message: Message, *, reason: str = "") -> SenderBlock:
    """The councillor will take no more messages from the person who wrote ``message``.

    Idempotent (blocking twice keeps the first block). The resident is not told; when
    they next write they read :func:`unavailable_message`. Conversations so far stay.
    Side effects: a SenderBlock and an audit entry (no reason: it is the councillor's).
    """
    actor = _councillor_or_token(actor_or_token, message)
    reason = _reason(reason, required=False)
    block, created = SenderBlock.objects.get_or_create(
        councillor=message.councillor,
        sender_id=message.sender_id,
        defaults={"reason": reason, "created_at": timezone.now()},
    )
    if created:
        record(
            "correspondence.block_sender",
            actor=actor,
            council=message.council,
            target=message,
            councillor=message.councillor_id,
            by_link=actor is None,
        )
    return block


@transaction.atomic
def unblock_sender(actor_or_token: Any, message: Message) -> None:
    """The councillor takes messages from this person again. Idempotent.
    Side effects: the SenderBlock is deleted; an audit entry when there was one."""
    actor = _councillor_or_token(actor_or_token, message)
    deleted, _rows = SenderBlock.objects.filter(
        councillor=message.councillor, sender_id=message.sender_id
    ).delete()
    if deleted:
        record(
            "correspondence.unblock_sender",
            actor=actor,
            council=message.council,
            target=message,
            councillor=message.councillor_id,
            by_link=actor is None,
        )


# --- The council's rules --------------------------------------------------------------


@transaction.atomic
def update_correspondence_settings(
    actor: Any, council: Council, **changes: Any
) -> CorrespondenceSettings:
    """The council's admin opens or closes writing to councillors, or changes its limits.
    Side effects: the settings row (made when first changed) and an audit entry."""
    if not can(actor, Action.EDIT_COUNCIL, council):
        raise PermissionDenied
    allowed = {"is_open", "messages_per_day", "max_length"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"update_correspondence_settings cannot change {sorted(unknown)}")
    rules = CorrespondenceSettings.for_council(council)
    before = snapshot(rules, changes)
    for field, value in changes.items():
        setattr(rules, field, value)
    rules.full_clean(exclude=["council"])
    rules.save()
    record(
        "correspondence.update_settings",
        actor=actor,
        council=council,
        target=rules,
        **audit_changes(before, rules, list(changes)),
    )
    return rules
