"""Verbs: every change to a deliberation (a conversation), its participants, statements and votes.

Each verb runs in one transaction, asks :mod:`moothall.deliberation.rules` whether the step
is open (status and dates) and to this person (``StepRefused``, a ``PermissionDenied``
carrying the reason, when not), refuses bad input with ``ValidationError`` (keyed by field,
with a code) before writing anything, and writes an audit entry for staff actions. Votes
and moderation ask for a new analysis after commit (:func:`request_analysis`: debounced, in
the background; a vote never waits for it).

``by=None`` on the staff verbs means the system (the demo, an importer); permission is
then the caller's business. ``imported=True`` on :func:`join` and :func:`add_statement`
loads history (a Polis export) into a conversation whatever its status, without the
checks that protect a live conversation (rate limits, duplicates, moderation).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from moothall.accounts.residents import Eligibility
from moothall.core.audit import changes as audit_changes
from moothall.core.audit import record, snapshot
from moothall.core.validation import characters, free_slug, invalid, line, unique_slug
from moothall.core.validation import reason as reason_field
from moothall.core.validation import text as text_field
from moothall.councils.models import Council, Ward
from moothall.deliberation.models import (
    Analysis,
    Conversation,
    Mode,
    Moderation,
    Participant,
    Statement,
    Status,
    Vote,
)
from moothall.deliberation.rules import Step, closed_refusal, participant_refusal, refusal
from moothall.moderation.bans import refuse_if_banned
from moothall.moderation.log import note as public_log
from moothall.population.bands import PREFER_NOT_TO_SAY, AgeBand, Sex

logger = logging.getLogger(__name__)

S = Statement.State

TITLE_LIMIT = 200
SUMMARY_LIMIT = 300
DESCRIPTION_LIMIT = 10_000
# Polis' own limit is 140 characters; councils may allow up to this many.
MAX_STATEMENT_LENGTH = 1000
MIN_STATEMENT_LENGTH = 3
# What one participant may write in an hour (stops floods, not people).
STATEMENTS_PER_HOUR = 10
# A new analysis at most this often per worker process (seconds); it runs this long
# after the first vote that asked for it, and counts every vote committed by then.
ANALYSIS_DEBOUNCE = 5.0
# A stored analysis counts as current unless something changed after it began, less
# this margin (a vote stamped just before the analysis read the votes may commit after).
STALE_MARGIN = dt.timedelta(seconds=10)

_CONVERSATION_FIELDS = frozenset(
    {
        "title",
        "slug",
        "summary",
        "description",
        "mode",
        "moderation",
        "allow_statements",
        "statement_max_length",
        "participate_level",
        "ask_about_you",
        "opens_at",
        "closes_at",
        "imported_meta",
    }
)
# Advisory lock classes (PostgreSQL): numbering participants and statements.
_LOCK_PARTICIPANTS = 51_001
_LOCK_STATEMENTS = 51_002


class StepRefused(PermissionDenied):
    """The step is not open now, or not to this person; ``message`` says why."""

    def __init__(self, message: str, step: Step) -> None:
        super().__init__(message)
        self.message = message
        self.step = step


# --- Helpers -----------------------------------------------------------------------


def _as_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _check(actor: Any, conversation: Conversation, step: Step) -> None:
    why = refusal(actor, conversation, step)
    if why is not None:
        raise StepRefused(why, step)


def _hold_open(conversation_id: int) -> Conversation:
    """The conversation's status and dates, held still until this transaction ends: a vote
    being written and closing the conversation (which locks the row to change it) wait for
    each other, so a vote accepted while it is open is always counted. A shared lock on
    PostgreSQL, so votes do not wait for one another (SQLite runs one writer at a time)."""
    fields = (
        "status",
        "opens_at",
        "closes_at",
        "council_id",
        "allow_statements",
        "participate_level",
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(fields)} FROM deliberation_conversation "  # noqa: S608
                "WHERE id = %s FOR SHARE",
                [conversation_id],
            )
            row = cursor.fetchone()
    else:
        row = Conversation.objects.filter(pk=conversation_id).values_list(*fields).first()
    if row is None:
        raise ValidationError(_("This conversation no longer exists."), code="gone")
    return Conversation(pk=conversation_id, **dict(zip(fields, row, strict=True)))


def _lock_numbers(kind: int, conversation_id: int) -> None:
    """Number participants (or statements) one at a time per conversation. PostgreSQL: a
    transaction-scoped advisory lock, which does not block votes (the conversation row's
    lock would). SQLite takes one writer at a time; the unique constraint and a retry
    (see :func:`_next_number`) cover the rest."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [kind, conversation_id % 2_147_483_647]
            )


def _next_number(model: type[Participant] | type[Statement], conversation_id: int) -> int:
    top = model.objects.filter(conversation_id=conversation_id).aggregate(top=Max("number"))
    return 0 if top["top"] is None else top["top"] + 1


def _create_numbered(
    model: type[Participant] | type[Statement], conversation_id: int, **fields: Any
) -> Any:
    """Create a participant or statement with the next free number (retrying when another
    took it first: only where the advisory lock is not available)."""
    for _attempt in range(20):
        number = _next_number(model, conversation_id)
        try:
            with transaction.atomic():
                return model.objects.create(
                    conversation_id=conversation_id, number=number, **fields
                )
        except IntegrityError:
            if model is Participant and fields.get("user") is not None:
                existing = (
                    Participant.objects.filter(conversation_id=conversation_id, user=fields["user"])
                    .order_by("pk")
                    .first()
                )
                if existing is not None:
                    return existing
            continue
    raise ValidationError(_("Please try again."), code="busy")


# Fixed paths beside /deliberations/<slug>/ in the back-office.
RESERVED_SLUGS = frozenset({"new", "import"})


def _choice(value: Any, field: str, choices: Any, message: str) -> str:
    if value not in choices:
        raise invalid(field, message, f"invalid_{field}")
    return str(value)


def _level(value: Any) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = -1
    if level not in Eligibility.values:
        raise invalid("participate_level", _("Choose who may take part."), "invalid_level")
    return level


def _conversation_fields(changes: Mapping[str, Any], current: Conversation) -> dict[str, Any]:
    unknown = set(changes) - _CONVERSATION_FIELDS
    if unknown:
        raise ValueError(f"Unknown conversation fields: {sorted(unknown)}")
    out: dict[str, Any] = {}
    if "title" in changes:
        out["title"] = line(changes["title"], "title", limit=TITLE_LIMIT)
    if "summary" in changes:
        out["summary"] = line(changes["summary"], "summary", required=False, limit=SUMMARY_LIMIT)
    if "description" in changes:
        out["description"] = text_field(
            changes["description"], "description", required=False, limit=DESCRIPTION_LIMIT
        )
    if changes.get("slug"):
        slug = slugify(str(changes["slug"]))[:80]
        if not slug:
            raise invalid("slug", _("Use letters, numbers and hyphens."), "invalid_slug")
        out["slug"] = free_slug(
            slug,
            Conversation.objects.filter(council_id=current.council_id),
            reserved=RESERVED_SLUGS,
            current_pk=current.pk,
            taken_message=_("Another conversation already uses this web address."),
        )
    if "mode" in changes:
        out["mode"] = _choice(
            changes["mode"], "mode", Mode.values, _("Choose how opinion groups are found.")
        )
    if "moderation" in changes:
        out["moderation"] = _choice(
            changes["moderation"],
            "moderation",
            Moderation.values,
            _("Choose how new statements are moderated."),
        )
    for name in ("allow_statements", "ask_about_you"):
        if name in changes:
            out[name] = bool(changes[name])
    if "statement_max_length" in changes:
        try:
            length = int(changes["statement_max_length"])
        except (TypeError, ValueError):
            length = -1
        if not 20 <= length <= MAX_STATEMENT_LENGTH:
            raise invalid(
                "statement_max_length",
                _("Enter a number from %(low)d to %(high)d."),
                "out_of_range",
                {"low": 20, "high": MAX_STATEMENT_LENGTH},
            )
        out["statement_max_length"] = length
    if "participate_level" in changes:
        out["participate_level"] = _level(changes["participate_level"])
    for name in ("opens_at", "closes_at"):
        if name in changes:
            value = changes[name]
            if value is not None and not isinstance(value, dt.datetime):
                raise invalid(name, _("Enter a real date and time."), "invalid_date")
            out[name] = value
    if "imported_meta" in changes:
        if not isinstance(changes["imported_meta"], dict):
            raise ValueError("imported_meta must be a dict")
        out["imported_meta"] = changes["imported_meta"]
    opens = out.get("opens_at", current.opens_at)
    closes = out.get("closes_at", current.closes_at)
    if opens and closes and closes <= opens:
        raise invalid("closes_at", _("It must close after it opens."), "closes_before_opens")
    return out


# --- Conversations -----------------------------------------------------------------


@transaction.atomic
def create_conversation(
    council: Council, *, by: Any, title: str, slug: str | None = None, **fields: Any
) -> Conversation:
    """A new conversation, in draft (only staff see it). Side effects: audit."""
    if by is not None:
        probe = Conversation(council=council)
        _check(by, probe, Step.MANAGE)
    conversation = Conversation(council=council, created_by=_as_user(by))
    changes = {"title": title, **fields}
    if slug:
        changes["slug"] = slug
    for name, value in _conversation_fields(changes, conversation).items():
        setattr(conversation, name, value)
    if not slug:
        conversation.slug = unique_slug(
            Conversation.objects.filter(council=council),
            conversation.title,
            fallback="conversation",
            reserved=RESERVED_SLUGS,
        )
    conversation.save()
    record("deliberation.conversation_created", actor=by, council=council, target=conversation)
    return conversation


@transaction.atomic
def update_conversation(conversation: Conversation, *, by: Any, **fields: Any) -> Conversation:
    """Change the conversation's text, settings or dates (the web address only while it is
    a draft). A new mode asks for a new analysis. Side effects: audit."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if by is not None:
        _check(by, conversation, Step.MANAGE)
    if "slug" in fields and conversation.status != Status.DRAFT:
        if fields["slug"] and fields["slug"] != conversation.slug:
            raise invalid(
                "slug",
                _("The web address cannot change once the conversation is published."),
                "slug_fixed",
            )
        fields.pop("slug")
    cleaned = _conversation_fields(fields, conversation)
    changed = sorted(
        name for name, value in cleaned.items() if getattr(conversation, name) != value
    )
    before = snapshot(conversation, changed)
    for name, value in cleaned.items():
        setattr(conversation, name, value)
    conversation.save()
    if changed:
        record(
            "deliberation.conversation_updated",
            actor=by,
            council=conversation.council,
            target=conversation,
            changed=changed,
            **audit_changes(before, conversation, changed),
        )
    if "mode" in changed:
        _request_after_commit(conversation.pk)
    return conversation


@transaction.atomic
def open_conversation(conversation: Conversation, *, by: Any) -> Conversation:
    """Open a draft (or reopen a closed) conversation: people may join, vote and write
    statements (within its dates). Side effects: audit."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if by is not None:
        _check(by, conversation, Step.MANAGE)
    if conversation.status == Status.OPEN:
        raise ValidationError(_("This conversation is already open."), code="already_open")
    was = conversation.status
    now = timezone.now()
    conversation.status = Status.OPEN
    conversation.opened_at = conversation.opened_at or now
    conversation.closed_at = None
    conversation.save(update_fields=["status", "opened_at", "closed_at", "updated_at"])
    record(
        "deliberation.conversation_opened",
        actor=by,
        council=conversation.council,
        target=conversation,
        was=was,
    )
    return conversation


@transaction.atomic
def close_conversation(conversation: Conversation, *, by: Any) -> Conversation:
    """Close an open conversation: no more joining, votes or statements; the report stays.
    Waits for votes being written (they hold the row), so every accepted vote is counted.
    Asks for a final analysis. Side effects: audit."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if by is not None:
        _check(by, conversation, Step.MANAGE)
    if conversation.status != Status.OPEN:
        raise ValidationError(_("Only an open conversation can be closed."), code="not_open")
    conversation.status = Status.CLOSED
    conversation.closed_at = timezone.now()
    conversation.save(update_fields=["status", "closed_at", "updated_at"])
    record(
        "deliberation.conversation_closed",
        actor=by,
        council=conversation.council,
        target=conversation,
    )
    _request_after_commit(conversation.pk)
    return conversation


# --- Participants ------------------------------------------------------------------


def _about_you(council_id: int, ward: Any, age_band: Any, sex: Any) -> tuple[Ward | None, str, str]:
    """Check the optional "about you" answers ("" = not answered)."""
    if ward is not None and ward != "":
        ward_id = ward.pk if isinstance(ward, Ward) else ward
        try:
            found = Ward.objects.filter(council_id=council_id, pk=int(ward_id)).first()
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise invalid("ward", _("Choose a ward from the list."), "invalid_ward")
        ward = found
    else:
        ward = None
    age_band = age_band or ""
    if age_band and age_band not in {*AgeBand.values, PREFER_NOT_TO_SAY}:
        raise invalid("age_band", _("Choose an age band from the list."), "invalid_age_band")
    sex = sex or ""
    if sex and sex not in {*Sex.values, PREFER_NOT_TO_SAY}:
        raise invalid("sex", _("Choose an answer from the list."), "invalid_sex")
    return ward, age_band, sex


@transaction.atomic
def join(
    conversation: Conversation,
    *,
    user: Any = None,
    external_id: str = "",
    ward: Ward | int | None = None,
    age_band: str = "",
    sex: str = "",
    imported: bool = False,
    joined_at: dt.datetime | None = None,
) -> Participant:
    """The participant ``user`` is in ``conversation``, joining them (with the next free
    number) if they have not joined yet. ``user=None`` is an anonymous participant (only
    where anyone may take part; the caller remembers them, e.g. in the session) or, with
    ``imported=True``, one loaded from an export (no checks on status or eligibility).
    Refused (``StepRefused``) when they may not take part now."""
    user = _as_user(user)
    if user is not None:
        existing = (
            Participant.objects.filter(conversation=conversation, user=user).order_by("pk").first()
        )
        if existing is not None:
            return existing
    if not imported:
        held = _hold_open(conversation.pk)
        held.council = conversation.council
        _check(user, held, Step.TAKE_PART)
    external_id = line(external_id, "external_id", required=False, limit=200)
    ward_row, age_band, sex = _about_you(conversation.council_id, ward, age_band, sex)
    _lock_numbers(_LOCK_PARTICIPANTS, conversation.pk)
    return _create_numbered(
        Participant,
        conversation.pk,
        user=user,
        external_id=external_id,
        ward=ward_row,
        age_band=age_band,
        sex=sex,
        joined_at=joined_at or timezone.now(),
    )


@transaction.atomic
def set_about_you(
    participant: Participant, *, ward: Ward | int | None = None, age_band: str = "", sex: str = ""
) -> Participant:
    """Record (or clear) a participant's optional ward, age band and sex, while the
    conversation is taking part. Nothing here is ever shown against their name."""
    held = _hold_open(participant.conversation_id)
    why = closed_refusal(held)
    if why is not None:
        raise StepRefused(why, Step.TAKE_PART)
    ward_row, age_band, sex = _about_you(held.council_id, ward, age_band, sex)
    participant.ward, participant.age_band, participant.sex = ward_row, age_band, sex
    participant.save(update_fields=["ward", "age_band", "sex"])
    return participant


def participant_of(conversation: Conversation, user: Any) -> Participant | None:
    """``user``'s participant in ``conversation``, if they have joined (with ``user`` as
    its user, so checking them again costs nothing more)."""
    user = _as_user(user)
    if user is None:
        return None
    found = Participant.objects.filter(conversation=conversation, user=user).order_by("pk").first()
    if found is not None:
        found.user = user
    return found


def claim_participant(
    conversation: Conversation, *, user: Any, participant: Participant | None
) -> Participant | None:
    """``user``'s participant in ``conversation`` once they have signed in, where
    ``participant`` is the anonymous one their browser took part as before (the session's).

    - ``user`` has no participant here yet: ``participant`` becomes theirs (one UPDATE),
      votes, statements and "about you" answers and all. Should another request attach
      them first (the unique constraint on conversation and user refuses the second), the
      one that won is returned.
    - ``user`` already has a participant: that one is kept, and ``participant`` is left as
      it is, anonymous. Votes are not merged: the two may have voted differently on the
      same statement, and both sets were cast by someone allowed to at the time.
    - ``participant`` is None, in another conversation or already someone's: as
      :func:`participant_of`.
    """
    user = _as_user(user)
    if user is None:
        return participant
    mine = participant_of(conversation, user)
    if (
        mine is not None
        or participant is None
        or participant.conversation_id != conversation.pk
        or participant.user_id is not None
    ):
        return mine
    try:
        with transaction.atomic():
            claimed = Participant.objects.filter(
                pk=participant.pk, conversation=conversation, user__isnull=True
            ).update(user=user)
    except IntegrityError:
        claimed = 0  # another request attached the user to a participant first
    if not claimed:
        return participant_of(conversation, user)
    participant.user = user
    return participant


# --- Statements --------------------------------------------------------------------


def normalised(value: str) -> str:
    """What makes two statements the same: letters and digits, in one case, one space
    between words (so "Build more homes!" and "build more  homes" are duplicates)."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    kept = "".join(ch if ch.isalnum() else " " for ch in folded)
    return " ".join(kept.split())


def _statement_text(value: Any, limit: int) -> str:
    """Plain text on one line: no Markdown, no HTML (both are shown as typed, escaped)."""
    value = characters(str(value or ""), "text")
    value = " ".join(value.split())  # line breaks and runs of spaces become one space
    if not value:
        raise invalid("text", _("Write your statement."), "required")
    if len(value) < MIN_STATEMENT_LENGTH:
        raise invalid("text", _("Write a longer statement."), "too_short")
    if len(value) > limit:
        raise invalid(
            "text",
            _("Use %(limit)d characters or fewer (you used %(count)d)."),
            "too_long",
            {"limit": limit, "count": len(value)},
        )
    return value


def _refuse_duplicate(conversation_id: int, value: str) -> None:
    key = normalised(value)
    texts = (
        Statement.objects.filter(conversation_id=conversation_id)
        .order_by()
        .values_list("text", flat=True)
    )
    if any(normalised(t) == key for t in texts.iterator(chunk_size=2000)):
        raise invalid(
            "text", _("This statement is already in the conversation."), "duplicate_statement"
        )


def _within_rate_limit(author: Participant) -> None:
    """Refuse a participant's statement when they have written STATEMENTS_PER_HOUR in the
    last hour. Their row is locked first, so two requests at once cannot both slip by."""
    # (Lock this row only: the model's ordering would join, and lock, the conversation.)
    list(Participant.objects.select_for_update(of=("self",)).filter(pk=author.pk).order_by())
    since = timezone.now() - dt.timedelta(hours=1)
    recent = Statement.objects.filter(author=author, created_at__gte=since).count()
    if recent >= STATEMENTS_PER_HOUR:
        raise invalid(
            "text",
            _(
                "You have written %(count)d statements in the last hour, the most we take. "
                "Please vote on others’ statements and come back later."
            ),
            "statement_limit",
            {"count": STATEMENTS_PER_HOUR},
        )


@transaction.atomic
def add_statement(
    conversation: Conversation,
    *,
    text: str,
    author: Participant | None = None,
    by: Any = None,
    is_seed: bool = False,
    is_meta: bool = False,
    imported: bool = False,
    state: str | None = None,
    created_at: dt.datetime | None = None,
) -> Statement:
    """Add a statement with the next free number.

    - Written by a participant (``author``): refused unless they may add statements now
      (status, dates, the conversation takes statements, their eligibility), when it is
      too long, a duplicate of one already there (pending, shown or removed), or their
      STATEMENTS_PER_HOUR-th in an hour. It waits for a moderator (pre-moderation) or is
      shown at once (post-moderation); its author agrees with it (as in Polis).
    - Written by staff (``by``, who must manage consultations): a seed statement, shown
      at once, while the conversation is a draft or open. Side effects: audit.
    - ``imported=True``: history from an export, any status, as given (``state``, default
      shown), with no checks but that there is some text.
    - ``created_at`` (importers and the demo) dates the statement (and its author's vote).
    - Otherwise the system (the demo): shown at once, checked for length and duplicates.
    """
    conversation = (
        Conversation.objects.select_related("council").get(pk=conversation.pk)
        if not imported
        else conversation
    )
    if imported:
        value = " ".join(characters(str(text or ""), "text").split())
        if not value:
            raise invalid("text", _("Write your statement."), "required")
        if state is not None and state not in S.values:
            raise ValueError(f"unknown statement state {state!r}")
        _lock_numbers(_LOCK_STATEMENTS, conversation.pk)
        return _create_numbered(
            Statement,
            conversation.pk,
            author=author,
            text=value,
            state=state or S.ACCEPTED,
            is_seed=is_seed,
            is_meta=is_meta,
            created_at=created_at or timezone.now(),
        )
    if author is not None:
        if author.conversation_id != conversation.pk:
            raise ValueError("the author is in another conversation")
        held = _hold_open(conversation.pk)
        held.council = conversation.council
        why = participant_refusal(author, held, Step.ADD_STATEMENT)
        if why is not None:
            raise StepRefused(why, Step.ADD_STATEMENT)
        if author.user_id is not None:
            refuse_if_banned(author.user, conversation.council)
        new_state = S.PENDING if conversation.moderation == Moderation.PRE else S.ACCEPTED
    else:
        if by is not None:
            _check(by, conversation, Step.MANAGE)
            is_seed = True
        if conversation.status == Status.CLOSED:
            raise StepRefused(
                _("Statements cannot be added once the conversation has closed."), Step.MANAGE
            )
        new_state = S.ACCEPTED
    value = _statement_text(text, conversation.statement_max_length)
    if author is not None:
        _within_rate_limit(author)
    _lock_numbers(_LOCK_STATEMENTS, conversation.pk)
    _refuse_duplicate(conversation.pk, value)
    now = created_at or timezone.now()
    statement: Statement = _create_numbered(
        Statement,
        conversation.pk,
        author=author,
        text=value,
        state=new_state,
        is_seed=is_seed,
        is_meta=is_meta,
        created_at=now,
        moderated_by=_as_user(by) if author is None else None,
        moderated_at=now if author is None else None,
    )
    if author is not None:
        # Polis counts the author as agreeing with what they wrote.
        Vote.objects.create(
            conversation_id=conversation.pk,
            participant=author,
            statement=statement,
            value=Vote.AGREE,
            created_at=now,
            updated_at=now,
        )
    else:
        record(
            "deliberation.statement_added",
            actor=by,
            council=conversation.council,
            target=statement,
            conversation=conversation.pk,
            seed=is_seed,
            meta=is_meta,
        )
    return statement


@transaction.atomic
def moderate_statement(
    statement: Statement, *, by: Any, accept: bool, reason: str = ""
) -> Statement:
    """Show (``accept``) or remove a statement, with a reason when removing (required from
    a person; published to its author). Works in any status: pre-moderation's queue,
    post-moderation's removals, and putting back a statement removed by mistake. Asks for
    a new analysis. Side effects: audit."""
    statement = (
        Statement.objects.select_for_update(of=("self",))
        .select_related("conversation__council")
        .get(pk=statement.pk)
    )
    conversation = statement.conversation
    if by is not None:
        _check(by, conversation, Step.MODERATE)
    new_state = S.ACCEPTED if accept else S.REJECTED
    why = "" if accept else _reason_text(reason, required=by is not None)
    if statement.state == new_state and statement.reject_reason == why:
        return statement
    was = statement.state
    statement.state = new_state
    statement.reject_reason = why
    statement.moderated_by = _as_user(by)
    statement.moderated_at = timezone.now()
    statement.save(update_fields=["state", "reject_reason", "moderated_by", "moderated_at"])
    if not statement.is_seed and {was, new_state} == {S.ACCEPTED, S.REJECTED}:
        # Taken down once shown, or put back: in the public moderation log.
        public_log(conversation.council, "statement", "hidden" if was == S.ACCEPTED else "restored")
    record(
        "deliberation.statement_accepted" if accept else "deliberation.statement_rejected",
        actor=by,
        council=conversation.council,
        target=statement,
        conversation=conversation.pk,
        was=was,
        **({"reason": why} if why else {}),
    )
    _request_after_commit(conversation.pk)
    return statement


def _reason_text(value: str, *, required: bool) -> str:
    return reason_field(value, required=required)


def moderation_queue(conversation: Conversation) -> list[Statement]:
    """Statements waiting for a moderator, oldest first."""
    return list(
        Statement.objects.filter(conversation=conversation, state=S.PENDING)
        .select_related("author")
        .order_by("created_at", "number")
    )


# --- Votes -------------------------------------------------------------------------


def _vote_value(value: Any) -> int:
    """1, -1 or 0 (as int or text), or "agree", "disagree", "pass"; nothing else."""
    words = {"agree": Vote.AGREE, "disagree": Vote.DISAGREE, "pass": Vote.PASS}
    number: Any = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        cleaned = value.strip().lower()
        number = words.get(cleaned, {"1": 1, "-1": -1, "0": 0}.get(cleaned))
    if number not in (Vote.AGREE, Vote.DISAGREE, Vote.PASS):
        raise invalid("value", _("Choose agree, disagree or pass."), "invalid_vote")
    return int(number)


@transaction.atomic
def cast_vote(participant: Participant, statement: Statement, value: Any) -> Vote:
    """Record ``participant``'s vote on ``statement`` (1 agree, -1 disagree, 0 pass; also
    "agree", "disagree", "pass"). One vote per participant per statement: voting again
    replaces it (the last vote counts), also when two requests race (one upsert). Refused
    when the conversation is not taking part now, or the participant may no longer take
    part (the council raised its level, their verification was revoked:
    ``rules.participant_refusal``, one query) (``StepRefused``), or the statement is not
    shown (``ValidationError``). Asks for a new analysis after commit; never waits for one.

    The returned vote's ``created_at`` is now even when it replaced an older vote."""
    number = _vote_value(value)
    if statement.conversation_id != participant.conversation_id:
        raise invalid(
            "statement", _("That statement is not in this conversation."), "wrong_conversation"
        )
    held = _hold_open(participant.conversation_id)
    why = participant_refusal(participant, held, Step.TAKE_PART)
    if why is not None:
        raise StepRefused(why, Step.TAKE_PART)
    state = (
        Statement.objects.filter(pk=statement.pk).order_by().values_list("state", flat=True).first()
    )
    if state != S.ACCEPTED:
        raise invalid(
            "statement", _("That statement is not open for votes."), "statement_not_shown"
        )
    now = timezone.now()
    vote = Vote(
        conversation_id=participant.conversation_id,
        participant_id=participant.pk,
        statement_id=statement.pk,
        value=number,
        created_at=now,
        updated_at=now,
    )
    Vote.objects.bulk_create(
        [vote],
        update_conflicts=True,
        unique_fields=["participant", "statement"],
        update_fields=["value", "updated_at"],
    )
    _request_after_commit(participant.conversation_id)
    return vote


@transaction.atomic
def cast_votes(
    participant: Participant, votes: Mapping[int, Any], *, at: dt.datetime | None = None
) -> int:
    """Several votes of one participant at once: ``votes`` maps statement ids to values (as
    for :func:`cast_vote`); all are recorded or none (refused as :func:`cast_vote` refuses).
    One upsert, so a page of votes (or the demo) costs three queries (four where the
    conversation asks for eligibility). ``at`` (the demo)
    dates them. Returns how many were recorded; asks for a new analysis after commit."""
    values = {int(statement_id): _vote_value(value) for statement_id, value in votes.items()}
    if not values:
        return 0
    held = _hold_open(participant.conversation_id)
    why = participant_refusal(participant, held, Step.TAKE_PART)
    if why is not None:
        raise StepRefused(why, Step.TAKE_PART)
    shown = set(
        Statement.objects.filter(
            conversation_id=participant.conversation_id, pk__in=values, state=S.ACCEPTED
        )
        .order_by()
        .values_list("pk", flat=True)
    )
    if shown != set(values):
        raise invalid(
            "statement", _("That statement is not open for votes."), "statement_not_shown"
        )
    now = at or timezone.now()
    Vote.objects.bulk_create(
        [
            Vote(
                conversation_id=participant.conversation_id,
                participant_id=participant.pk,
                statement_id=statement_id,
                value=value,
                created_at=now,
                updated_at=now,
            )
            for statement_id, value in sorted(values.items())
        ],
        update_conflicts=True,
        unique_fields=["participant", "statement"],
        update_fields=["value", "updated_at"],
    )
    _request_after_commit(participant.conversation_id)
    return len(values)


def votes_of(participant: Participant) -> list[Vote]:
    """The participant's votes with their statements, in statement order."""
    return list(
        Vote.objects.filter(participant=participant)
        .select_related("statement")
        .order_by("statement__number")
    )


def progress(participant: Participant | None, conversation: Conversation) -> tuple[int, int]:
    """(statements this participant has voted on, statements shown), counting shown ones.
    One query."""
    shown = Statement.objects.filter(conversation=conversation, state=S.ACCEPTED).order_by()
    if participant is None:
        return 0, shown.count()
    voted = Vote.objects.filter(participant=participant, statement=OuterRef("pk"))
    counts = shown.aggregate(voted=Count("pk", filter=Q(Exists(voted))), total=Count("pk"))
    return counts["voted"], counts["total"]


def first_statement(conversation: Conversation) -> Statement | None:
    """What someone who has not voted yet is shown first: the shown statement with the
    highest routing priority (the oldest before any analysis)."""
    return _route(conversation.pk, None, conversation.mode)


def next_statement(
    participant: Participant, *, conversation: Conversation | None = None
) -> Statement | None:
    """The statement to show ``participant`` next, or None when they have voted on every
    shown one. Chosen by the engine's routing priority (from the latest analysis in the
    conversation's mode), at random weighted by it, seeded by the participant and how many
    votes they have cast (a reload shows the same card); oldest first before any analysis.
    Pass the participant's ``conversation`` when it is at hand (one query fewer)."""
    if conversation is not None and conversation.pk != participant.conversation_id:
        raise ValueError("the participant is in another conversation")
    mode = conversation.mode if conversation is not None else None
    return _route(participant.conversation_id, participant, mode)


def _route(
    conversation_id: int, participant: Participant | None, mode: str | None = None
) -> Statement | None:
    candidates_qs = Statement.objects.filter(conversation_id=conversation_id, state=S.ACCEPTED)
    if participant is not None:
        voted = Vote.objects.filter(participant=participant, statement=OuterRef("pk"))
        candidates_qs = candidates_qs.exclude(Exists(voted))
    candidates = list(candidates_qs.order_by("number").values_list("number", flat=True))
    if not candidates:
        return None
    if mode is None:
        mode = Conversation.objects.values_list("mode", flat=True).get(pk=conversation_id)
    priority_json = (
        Analysis.objects.filter(conversation_id=conversation_id, mode=mode)
        .values_list("data__priority", flat=True)
        .first()
    )
    if not priority_json:
        chosen: int | None = candidates[0]
    else:
        from moothall.deliberation.engine import choose_next

        priority = {int(k): float(v) for k, v in dict(priority_json).items()}
        rng = None
        if participant is not None:
            n_voted = Vote.objects.filter(participant=participant).count()
            rng = random.Random(f"{participant.pk}:{n_voted}")  # noqa: S311 (not security)
        chosen = choose_next(priority, candidates, rng)
    if chosen is None:
        return None
    return Statement.objects.get(conversation_id=conversation_id, number=chosen)


# --- Analysis ----------------------------------------------------------------------

_debounce_lock = threading.Lock()
_analysis_runs_at: dict[int, float] = {}  # conversation id → time.monotonic() of its run


def _request_after_commit(conversation_id: int) -> None:
    transaction.on_commit(lambda: request_analysis(conversation_id), robust=True)


def request_analysis(conversation: Conversation | int) -> None:
    """Have the conversation's analysis recomputed soon, in the background.

    With a task backend that runs tasks later (the database backend), at most one
    ``analyse_conversation`` task per conversation per worker process per
    ANALYSIS_DEBOUNCE seconds, set to run that long after it was asked for: it counts every
    vote committed by then. Stamps ``analysis_requested_at`` when it enqueues (so one write
    per window, not one per vote). With one that cannot defer (the immediate backend of
    the tests), the task runs at once."""
    from moothall.deliberation.tasks import analyse_conversation

    conversation_id = conversation if isinstance(conversation, int) else conversation.pk
    backend = analyse_conversation.get_backend()
    if not backend.supports_defer:
        Conversation.objects.filter(pk=conversation_id).update(analysis_requested_at=timezone.now())
        analyse_conversation.enqueue(conversation_id)
        return
    now = time.monotonic()
    with _debounce_lock:
        if now < _analysis_runs_at.get(conversation_id, 0.0):
            return  # an analysis asked for earlier runs after this commit: it counts this
        _analysis_runs_at[conversation_id] = now + ANALYSIS_DEBOUNCE
    try:
        Conversation.objects.filter(pk=conversation_id).update(analysis_requested_at=timezone.now())
        run_after = timezone.now() + dt.timedelta(seconds=ANALYSIS_DEBOUNCE)
        analyse_conversation.using(run_after=run_after).enqueue(conversation_id)
    except Exception:
        with _debounce_lock:
            _analysis_runs_at.pop(conversation_id, None)  # the next vote asks again
        raise


def analysis_is_current(conversation: Conversation) -> bool:
    """Has nothing changed (votes, statements, mode) since the stored analysis began?"""
    stored = (
        Analysis.objects.filter(conversation=conversation, mode=conversation.mode)
        .values_list("computed_at", flat=True)
        .first()
    )
    if stored is None:
        return False
    since = stored - STALE_MARGIN
    if Vote.objects.filter(conversation=conversation, updated_at__gt=since).exists():
        return False
    statements = Statement.objects.filter(conversation=conversation)
    return not (
        statements.filter(created_at__gt=since).exists()
        or statements.filter(moderated_at__gt=since).exists()
    )


def vote_arrays(conversation_id: int) -> tuple[Any, Any, Any]:
    """(participant numbers, statement numbers, values) of every vote, as numpy arrays,
    read in one query (a million votes in about a second)."""
    import numpy as np

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.number, s.number, v.value FROM deliberation_vote v "
            "JOIN deliberation_participant p ON p.id = v.participant_id "
            "JOIN deliberation_statement s ON s.id = v.statement_id "
            "WHERE v.conversation_id = %s",
            [conversation_id],
        )
        rows = cursor.fetchall()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), np.zeros(0, dtype=np.int8)
    table = np.array(rows, dtype=np.int64)
    return table[:, 0].copy(), table[:, 1].copy(), table[:, 2].astype(np.int8)


def run_analysis(conversation: Conversation) -> Analysis:
    """Compute the conversation's opinion map in its mode now and store it (one row per
    conversation and mode, replaced). Votes on statements waiting for moderation or
    removed are left out; meta statements are shown but never used for groups. The
    previous analysis is passed on, so groups stay stable between updates."""
    from moothall.deliberation.engine import VoteTable, analyse

    conversation = Conversation.objects.get(pk=conversation.pk)
    started = timezone.now()
    clock = time.perf_counter()
    states = list(
        Statement.objects.filter(conversation=conversation)
        .order_by()
        .values_list("number", "state", "is_meta")
    )
    excluded = frozenset(number for number, state, _meta in states if state != S.ACCEPTED)
    meta = frozenset(number for number, state, is_meta in states if is_meta)
    participants, statements, values = vote_arrays(conversation.pk)
    previous = (
        Analysis.objects.filter(conversation=conversation, mode=conversation.mode)
        .values_list("data", flat=True)
        .first()
    )
    table = VoteTable.from_arrays(participants, statements, values)
    result = analyse(
        table,
        mode=conversation.mode,
        meta_statements=meta,
        excluded_statements=excluded,
        previous=previous or None,
    )
    data = result.to_json()
    duration_ms = int((time.perf_counter() - clock) * 1000)
    analysis = Analysis(
        conversation=conversation,
        mode=conversation.mode,
        computed_at=started,
        votes_counted=int(data.get("n_votes", len(values))),
        participants_counted=int(data.get("n_participants", 0)),
        statements_counted=int(data.get("n_statements", 0)),
        duration_ms=duration_ms,
        data=data,
    )
    Analysis.objects.bulk_create(
        [analysis],
        update_conflicts=True,
        unique_fields=["conversation", "mode"],
        update_fields=[
            "computed_at",
            "votes_counted",
            "participants_counted",
            "statements_counted",
            "duration_ms",
            "data",
        ],
    )
    logger.info(
        "deliberation analysis: conversation %s, %s votes, %d ms",
        conversation.pk,
        len(values),
        duration_ms,
    )
    return Analysis.objects.get(conversation=conversation, mode=conversation.mode)


def analysis_of(conversation: Conversation) -> Analysis | None:
    """The stored analysis in the conversation's mode, if any."""
    return Analysis.objects.filter(conversation=conversation, mode=conversation.mode).first()
