"""Verbs of moderation: report, dismiss, hide, restore, approve what waited in a
pre-moderated space, warn, ban, lift a ban, and set a space's pre- or post-moderation.

Each verb runs in one transaction, writes an audit entry
(:func:`moothall.core.audit.record`) and, when it concerns someone's contribution,
queues an email to its author (sent after commit by the outbox). Hiding and restoring
go through the owning app's own verbs (:mod:`moothall.moderation.registry`); a line goes
into the council's public moderation log (:class:`~moothall.moderation.models.LogEntry`:
the kind of thing, when, the rule; never the content nor a name).

Permissions: reporting needs a signed-in, active person; everything else a moderator
(``Action.MODERATE``: officers, moderators and council admins, with MFA); setting a
space's mode is the council's policy (``Action.EDIT_COUNCIL``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moothall.accounts.models import User
from moothall.accounts.rules import STAFF_ROLES, Action, can, can_contribute, roles_at
from moothall.core.audit import record
from moothall.core.mail import queue_email
from moothall.core.validation import MAX_REASON_LENGTH, invalid
from moothall.core.validation import text as _text
from moothall.moderation import registry
from moothall.moderation.log import moderation_verb
from moothall.moderation.models import Ban, Flag, LogEntry, Rule, Warning

FLAGS_PER_HOUR = 30
NOTE_LIMIT = 1000
MESSAGE_LIMIT = 2000
# A hidden item's explanation goes into its app's reason after the rule's name, and every
# app takes a reason of up to MAX_REASON_LENGTH: room is left for the name.
EXPLANATION_LIMIT = MAX_REASON_LENGTH - 100
MAX_BAN_DAYS = 3650


# --- Helpers -------------------------------------------------------------------------


def _require(actor: Any, council: Any, action: Action) -> None:
    if not can(actor, action, council):
        raise PermissionDenied


def _kind(name: str) -> registry.Kind:
    found = registry.kind(name)
    if found is None:
        raise ValueError(f"unknown moderation kind {name!r}")
    return found


def _rule(value: Any, field: str = "rule") -> str:
    value = str(value or "")
    if value not in Rule.values:
        raise invalid(field, _("Choose a reason from the list."), "invalid_choice")
    return value


def _tell_author(kind: registry.Kind, obj: Any, template: str, **context: Any) -> None:
    """Email the author of ``obj`` (if they have an address) about what happened to it."""
    author = kind.author_of(obj)
    if author is None or not author.is_active or not author.email:
        return
    council = kind.council_of(obj)
    queue_email(
        author.email,
        f"moderation/email/{template}",
        {
            "name": author.name or "",
            "council": council,
            "what": str(kind.label),
            "url": kind.url_of(obj),
            "log_url": _log_url(council),
            **context,
        },
    )


def _log_url(council: Any) -> str:
    from django.urls import reverse

    return reverse("public:moderation_log", kwargs={"council": council.slug})


def _resolve(council: Any, kind: str, object_id: int, outcome: str, actor: Any) -> int:
    return Flag.objects.filter(
        council=council, kind=kind, object_id=object_id, resolved_at__isnull=True
    ).update(resolved_at=timezone.now(), outcome=outcome, resolved_by=actor)


# --- Residents' reports -------------------------------------------------------------------


@transaction.atomic
def flag(user: Any, kind_name: str, obj: Any, *, reason: str, note: str = "") -> Flag:
    """A signed-in person reports ``obj`` as breaking a rule (``reason``, from the list).

    Refused when it is not shown to the public (``not_shown``), when this person already
    reported it (``already_flagged``), or after FLAGS_PER_HOUR reports in an hour at
    this council (``flag_limit``). Side effects: the flag and an audit entry."""
    if not can_contribute(user):
        raise PermissionDenied
    kind = _kind(kind_name)
    council = kind.council_of(obj)
    reason = _rule(reason, "reason")
    note = _text(note, "note", required=False, limit=NOTE_LIMIT)
    if not kind.is_shown(obj):
        raise ValidationError(_("This can no longer be reported."), code="not_shown")
    User.objects.select_for_update().filter(pk=user.pk).first()
    if Flag.objects.filter(kind=kind.name, object_id=obj.pk, reporter=user).exists():
        raise ValidationError(_("You have already reported this."), code="already_flagged")
    recent = Flag.objects.filter(
        reporter=user, council=council, created_at__gte=timezone.now() - dt.timedelta(hours=1)
    ).count()
    if recent >= FLAGS_PER_HOUR:
        raise ValidationError(
            _("You have made %(count)d reports in the last hour, the most we take."),
            code="flag_limit",
            params={"count": FLAGS_PER_HOUR},
        )
    made = Flag.objects.create(
        council=council,
        kind=kind.name,
        object_id=obj.pk,
        reporter=user,
        reason=reason,
        note=note,
    )
    record(
        "moderation.flag",
        actor=user,
        council=council,
        target=made,
        kind=kind.name,
        object_id=obj.pk,
        reason=reason,
    )
    return made


@transaction.atomic
def dismiss_flags(actor: Any, kind_name: str, obj: Any) -> int:
    """A moderator decides the open reports on ``obj`` need no action. Side effects: the
    reports are resolved as dismissed, an audit entry. Returns how many."""
    kind = _kind(kind_name)
    council = kind.council_of(obj)
    _require(actor, council, Action.MODERATE)
    count = _resolve(council, kind.name, obj.pk, Flag.Outcome.DISMISSED, actor)
    if not count:
        raise ValidationError(_("There are no open reports on this."), code="no_flags")
    record(
        "moderation.dismiss_flags",
        actor=actor,
        council=council,
        target=obj,
        kind=kind.name,
        object_id=obj.pk,
        count=count,
    )
    return count


# --- Hiding and restoring ----------------------------------------------------------------


@transaction.atomic
def hide(actor: Any, kind_name: str, obj: Any, *, rule: str, explanation: str = "") -> Any:
    """A moderator hides ``obj`` under ``rule`` (with an optional explanation, which the
    app may publish in its place and the author is sent).

    Side effects: the app's own hiding verb (its audit entry and events), open reports
    resolved as hidden, a line in the public log, an audit entry, an email to the
    author."""
    kind = _kind(kind_name)
    council = kind.council_of(obj)
    _require(actor, council, Action.MODERATE)
    rule = _rule(rule)
    explanation = _text(explanation, "explanation", required=False, limit=EXPLANATION_LIMIT)
    obj.refresh_from_db()
    if kind.is_hidden(obj):
        raise ValidationError(_("This is already hidden."), code="hidden")
    label = str(Rule(rule).label)
    with moderation_verb():
        kind.hide(actor, obj, f"{label}. {explanation}" if explanation else label)
    obj.refresh_from_db()
    count = _resolve(council, kind.name, obj.pk, Flag.Outcome.HIDDEN, actor)
    LogEntry.objects.create(
        council=council, kind=kind.name, action=LogEntry.Action.HIDDEN, rule=rule
    )
    record(
        "moderation.hide",
        actor=actor,
        council=council,
        target=obj,
        kind=kind.name,
        object_id=obj.pk,
        rule=rule,
        explanation=explanation,
        flags_resolved=count,
    )
    _tell_author(kind, obj, "hidden", rule=label, explanation=explanation)
    return obj


@transaction.atomic
def restore(actor: Any, kind_name: str, obj: Any) -> Any:
    """A moderator puts back something hidden by mistake. Refused for kinds whose app
    cannot restore (a live upload's file is deleted when it is removed).
    Side effects: the app's verb, a line in the public log, an audit entry, an email."""
    kind = _kind(kind_name)
    council = kind.council_of(obj)
    _require(actor, council, Action.MODERATE)
    if kind.restore is None:
        raise ValidationError(_("This kind of thing cannot be restored."), code="cannot_restore")
    obj.refresh_from_db()
    if not kind.is_hidden(obj):
        raise ValidationError(_("This is not hidden."), code="not_hidden")
    with moderation_verb():
        kind.restore(actor, obj)
    obj.refresh_from_db()
    LogEntry.objects.create(council=council, kind=kind.name, action=LogEntry.Action.RESTORED)
    record(
        "moderation.restore",
        actor=actor,
        council=council,
        target=obj,
        kind=kind.name,
        object_id=obj.pk,
    )
    _tell_author(kind, obj, "restored")
    return obj


@transaction.atomic
def approve(actor: Any, kind_name: str, obj: Any) -> Any:
    """A moderator publishes a contribution that was waiting in a pre-moderated space
    (rejecting one is :func:`hide`). Side effects: the app's own verb (which tells the
    people it tells when something is published), an audit entry, an email to the
    author."""
    kind = _kind(kind_name)
    council = kind.council_of(obj)
    _require(actor, council, Action.MODERATE)
    if kind.approve is None:
        raise ValidationError(_("This kind of thing is never held back."), code="not_pending")
    obj.refresh_from_db()
    if not kind.is_pending(obj) or kind.is_hidden(obj):
        raise ValidationError(_("This is not waiting to be checked."), code="not_pending")
    with moderation_verb():
        kind.approve(actor, obj)
    obj.refresh_from_db()
    record(
        "moderation.approve",
        actor=actor,
        council=council,
        target=obj,
        kind=kind.name,
        object_id=obj.pk,
    )
    _tell_author(kind, obj, "approved")
    return obj


# --- People ------------------------------------------------------------------------------


def _author_to_act_on(actor: Any, kind: registry.Kind, obj: Any, council: Any) -> Any:
    author = kind.author_of(obj)
    if author is None:
        raise ValidationError(_("Nobody can be told: the author is unknown."), code="no_author")
    if author.pk == getattr(actor, "pk", None):
        raise ValidationError(_("You cannot do this to yourself."), code="self")
    if roles_at(author, council) & STAFF_ROLES:
        raise ValidationError(
            _("The author is on the council's staff: speak to them instead."), code="staff"
        )
    return author


@transaction.atomic
def warn(actor: Any, kind_name: str, obj: Any, *, rule: str, message: str = "") -> Warning:
    """A moderator warns the author of ``obj`` under ``rule``. Side effects: the warning,
    an audit entry, an email to the author."""
    kind = _kind(kind_name)
    council = kind.council_of(obj)
    _require(actor, council, Action.MODERATE)
    rule = _rule(rule)
    message = _text(message, "message", required=False, limit=MESSAGE_LIMIT)
    author = _author_to_act_on(actor, kind, obj, council)
    made = Warning.objects.create(
        council=council,
        user=author,
        rule=rule,
        message=message,
        kind=kind.name,
        object_id=obj.pk,
        created_by=actor,
    )
    record(
        "moderation.warn",
        actor=actor,
        council=council,
        target=made,
        kind=kind.name,
        object_id=obj.pk,
        rule=rule,
    )
    _tell_author(kind, obj, "warned", rule=str(Rule(rule).label), message=message)
    return made


def _days(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_BAN_DAYS:
        raise invalid(
            "days",
            _("Enter a number of days from 1 to %(most)d, or choose a permanent ban."),
            "invalid_days",
            {"most": MAX_BAN_DAYS},
        )
    return days


@transaction.atomic
def ban(
    actor: Any, kind_name: str, obj: Any, *, rule: str, days: Any = None, message: str = ""
) -> Ban:
    """A moderator stops the author of ``obj`` contributing at the council for ``days``
    (permanently when None). Side effects: the ban, an audit entry, an email."""
    kind = _kind(kind_name)
    council = kind.council_of(obj)
    _require(actor, council, Action.MODERATE)
    rule = _rule(rule)
    length = _days(days)
    message = _text(message, "message", required=False, limit=MESSAGE_LIMIT)
    author = _author_to_act_on(actor, kind, obj, council)
    until = timezone.now() + dt.timedelta(days=length) if length is not None else None
    made = Ban.objects.create(
        council=council, user=author, rule=rule, message=message, until=until, created_by=actor
    )
    record(
        "moderation.ban",
        actor=actor,
        council=council,
        target=made,
        kind=kind.name,
        object_id=obj.pk,
        rule=rule,
        days=length,
    )
    _tell_author(kind, obj, "banned", rule=str(Rule(rule).label), message=message, until=until)
    return made


@transaction.atomic
def lift_ban(actor: Any, ban: Ban) -> Ban:
    """A moderator ends a ban early. Side effects: the ban's end, an audit entry, an
    email to the person."""
    _require(actor, ban.council, Action.MODERATE)
    current = Ban.objects.select_for_update().get(pk=ban.pk)
    if not current.in_force():
        raise ValidationError(_("This ban is no longer in force."), code="not_in_force")
    current.lifted_at = timezone.now()
    current.lifted_by = actor
    current.save(update_fields=["lifted_at", "lifted_by"])
    record("moderation.lift_ban", actor=actor, council=current.council, target=current)
    user = current.user
    if user.is_active and user.email:
        queue_email(
            user.email,
            "moderation/email/ban_lifted",
            {"name": user.name or "", "council": current.council},
        )
    return current


# --- Spaces -----------------------------------------------------------------------------


@transaction.atomic
def set_space_mode(actor: Any, council: Any, key: str, mode: str) -> registry.Space:
    """A council admin chooses pre- or post-moderation for one space. The app stores it
    (its own verb, its own audit entry); this writes one more, about moderation."""
    _require(actor, council, Action.EDIT_COUNCIL)
    space = next((s for s in registry.spaces(council) if s.key == key), None)
    if space is None:
        raise ValidationError(_("There is no such space."), code="no_space")
    if mode not in space.modes or space.set_mode is None:
        raise invalid("mode", _("Choose one of the ways this space can be moderated."), "mode")
    before = space.mode
    if before != mode:
        space.set_mode(actor, mode)
    record(
        "moderation.set_space_mode",
        actor=actor,
        council=council,
        target=council,
        space=key,
        before=before,
        after=mode,
    )
    return space
