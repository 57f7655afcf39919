"""Verbs: following things, choosing how often to hear, unsubscribing, and telling followers.

Other apps' verbs call :func:`notify` inside their own transaction; it stores one
:class:`~moothall.notifications.models.Notification` and, after commit, a task fans it
out to the followers (:mod:`moothall.notifications.delivery`).

Follows are personal: their audit entries name no council, so they stay out of the
council's audit log (which residents follow what is not the council's business).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from moothall.accounts.rules import can_contribute, is_active_user
from moothall.core.audit import record
from moothall.core.validation import invalid
from moothall.councils.models import Council
from moothall.notifications import registry
from moothall.notifications.models import (
    Frequency,
    Notification,
    NotificationSettings,
    PendingNotification,
    Subscription,
)

Target = tuple[str, int]  # ("petition", id) | ("idea", id) | ("body", id) | ("ward", id) | …

_UNSUBSCRIBE_SALT = "moothall.notifications.unsubscribe"


# --- Following ---------------------------------------------------------------------------


def _followable(kind: str) -> registry.Followable:
    found = registry.followable(kind)
    if found is None:
        raise invalid("kind", _("This cannot be followed."), "unknown_kind")
    return found


def _frequency(value: str) -> str:
    if value not in Frequency.values:
        raise invalid("frequency", _("Choose how often you want to hear."), "bad_frequency")
    return value


def default_frequency_of(user: Any) -> str:
    chosen = (
        NotificationSettings.objects.filter(user=user)
        .values_list("default_frequency", flat=True)
        .first()
    )
    return chosen or Frequency.IMMEDIATE


@transaction.atomic
def follow(
    user: Any, council: Council, kind: str, object_id: int, *, frequency: str | None = None
) -> Subscription:
    """Follow a public thing of ``council``; following it again changes nothing (unless a
    ``frequency`` is given, which then replaces the old one). Safe under concurrency: any
    number of simultaneous calls leave one subscription.

    Side effects: one subscription row (at the person's default frequency unless given),
    an audit entry when new."""
    if not can_contribute(user):
        raise PermissionDenied
    followable = _followable(kind)
    if frequency is not None:
        frequency = _frequency(frequency)
    obj = followable.get(object_id)
    if obj is None:
        raise invalid("object_id", _("There is nothing here to follow."), "not_found")
    if getattr(followable.council_of(obj), "pk", None) != council.pk:
        raise invalid("council", _("This belongs to another council."), "other_council")
    mine = Subscription.objects.filter(user=user, kind=kind, object_id=object_id)
    existing = mine.first()
    if existing is None:
        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the outer one usable
                existing = Subscription.objects.create(
                    user=user,
                    council=council,
                    kind=kind,
                    object_id=object_id,
                    frequency=frequency or default_frequency_of(user),
                )
        except IntegrityError:
            existing = mine.get()  # someone else's request (the same person) won the race
        else:
            record(
                "notifications.follow",
                actor=user,
                target=existing,
                kind=kind,
                object_id=object_id,
                frequency=existing.frequency,
            )
            return existing
    if frequency is not None and existing.frequency != frequency:
        mine.update(frequency=frequency)
        existing.frequency = frequency
    return existing


@transaction.atomic
def unfollow(user: Any, council: Council, kind: str, object_id: int) -> None:
    """Stop following a thing (nothing happens if ``user`` was not following it).

    Side effects: the subscription and its undelivered digest items deleted, an audit entry."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    deleted, _rows = Subscription.objects.filter(
        user=user, council=council, kind=kind, object_id=object_id
    ).delete()
    if deleted:
        record("notifications.unfollow", actor=user, kind=kind, object_id=object_id)


def is_following(user: Any, kind: str, object_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Subscription.objects.filter(user=user, kind=kind, object_id=object_id).exists()


@transaction.atomic
def set_frequency(user: Any, subscription: Subscription, frequency: str) -> Subscription:
    """Choose how often to hear about one thing followed. Only its follower may.

    Side effects: the subscription's frequency; an audit entry."""
    if not is_active_user(user) or subscription.user_id != user.pk:
        raise PermissionDenied
    frequency = _frequency(frequency)
    if subscription.frequency != frequency:
        before = subscription.frequency
        subscription.frequency = frequency
        subscription.save(update_fields=["frequency"])
        record(
            "notifications.set_frequency",
            actor=user,
            target=subscription,
            before=before,
            after=frequency,
        )
    return subscription


def _settings_for(user: Any) -> NotificationSettings:
    try:
        with transaction.atomic():
            found, _created = NotificationSettings.objects.get_or_create(user=user)
    except IntegrityError:  # created at the same moment by another request
        found = NotificationSettings.objects.get(user=user)
    return found


def settings_of(user: Any) -> NotificationSettings:
    """``user``'s notification settings (the defaults, unsaved, if they never chose)."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


@transaction.atomic
def set_default_frequency(user: Any, frequency: str) -> NotificationSettings:
    """Choose how often to hear about things followed from now on (existing follows keep
    theirs). Side effects: the person's settings row; an audit entry."""
    if not is_active_user(user):
        raise PermissionDenied
    frequency = _frequency(frequency)
    found = _settings_for(user)
    if found.default_frequency != frequency:
        found.default_frequency = frequency
        found.save(update_fields=["default_frequency", "updated_at"])
        record("notifications.set_default_frequency", actor=user, after=frequency)
    return found


@transaction.atomic
def set_email_paused(user: Any, paused: bool) -> NotificationSettings:
    """Pause (or resume) every notification email. Nothing is kept while paused, so
    resuming does not bring a flood of old news.

    Side effects: the person's settings row; undelivered digest items deleted when pausing;
    an audit entry."""
    if not is_active_user(user):
        raise PermissionDenied
    found = _settings_for(user)
    if found.email_paused != paused:
        found.email_paused = paused
        found.save(update_fields=["email_paused", "updated_at"])
        if paused:
            PendingNotification.objects.filter(user=user, sent_at__isnull=True).delete()
        record("notifications.set_email_paused", actor=user, paused=paused)
    return found


# --- Unsubscribing by a link in an email ------------------------------------------------


def unsubscribe_token(subscription: Subscription) -> str:
    """A signed token that stops this one subscription (for the emails it causes)."""
    return signing.dumps({"s": subscription.pk, "u": subscription.user_id}, salt=_UNSUBSCRIBE_SALT)


def digests_token(user: Any) -> str:
    """A signed token that stops every daily and weekly subscription of ``user``."""
    return signing.dumps({"d": user.pk}, salt=_UNSUBSCRIBE_SALT)


def unsubscribe_url(token: str) -> str:
    """The absolute address of the one-click unsubscribe page for ``token``."""
    return settings.SITE_URL + reverse("notifications:unsubscribe", kwargs={"token": token})


@dataclass(frozen=True)
class Unsubscription:
    """What a token stops: one subscription, or all of a person's digests.

    ``subscriptions`` is empty when there is nothing left to stop (already done)."""

    user_id: int
    all_digests: bool
    subscriptions: list[Subscription]


def read_token(token: str) -> Unsubscription:
    """What ``token`` would stop (nothing is changed). A forged, damaged or foreign token
    is refused with a ``ValidationError`` (code ``bad_token``)."""
    bad = ValidationError(_("This unsubscribe link is not valid."), code="bad_token")
    try:
        payload = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise bad from None
    if not isinstance(payload, dict):
        raise bad
    if isinstance(payload.get("s"), int) and isinstance(payload.get("u"), int):
        found = Subscription.objects.filter(pk=payload["s"], user_id=payload["u"])
        return Unsubscription(payload["u"], False, list(found.select_related("council")))
    if isinstance(payload.get("d"), int):
        digests = Subscription.objects.filter(
            user_id=payload["d"], frequency__in=[Frequency.DAILY, Frequency.WEEKLY]
        )
        return Unsubscription(payload["d"], True, list(digests.select_related("council")))
    raise bad


@transaction.atomic
def unsubscribe(token: str) -> Unsubscription:
    """Stop what ``token`` names (no sign-in needed: the signature is the permission).
    Using a token twice is harmless.

    Side effects: the subscriptions deleted (with their undelivered digest items), an audit
    entry."""
    found = read_token(token)
    if found.subscriptions:
        Subscription.objects.filter(pk__in=[s.pk for s in found.subscriptions]).delete()
        record(
            "notifications.unsubscribe",
            all_digests=found.all_digests,
            user=found.user_id,
            stopped=[f"{s.kind}:{s.object_id}" for s in found.subscriptions],
        )
    return found


# --- Telling followers ------------------------------------------------------------------


def _plain(value: str) -> str:
    # The caller's verb has checked its own text; a notification never fails the verb.
    cleaned = str(value).encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    return cleaned.strip()


def targets_q(targets: Iterable[Target] | Iterable[list[Any]]) -> Q:
    """Subscriptions to any of ``targets`` (an empty list matches nothing)."""
    by_kind: dict[str, set[int]] = {}
    for kind, object_id in targets:
        by_kind.setdefault(str(kind), set()).add(int(object_id))
    q = Q(pk__in=[])
    for kind, ids in by_kind.items():
        q |= Q(kind=kind, object_id__in=sorted(ids))
    return q


def notify(
    council: Council,
    *,
    event: str,
    title: str,
    url: str,
    summary: str = "",
    targets: Iterable[Target],
    exclude_emails: Iterable[str] = (),
    actor: Any = None,
) -> None:
    """Tell every follower of any of ``targets`` (each person once) that ``event`` happened.

    Call it inside the verb's transaction; ``url`` is a site-relative path. ``title`` and
    ``summary`` are public: never pass anything about exempt business. The actor and the
    addresses in ``exclude_emails`` (already told some other way) are skipped.

    Side effects: when anyone follows a target, a notification row and, after commit, the
    fan-out task (immediate followers are emailed, others get it in their digest)."""
    targets = [(str(kind), int(object_id)) for kind, object_id in targets]
    if not targets or not Subscription.objects.filter(targets_q(targets)).exists():
        return
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError("notify() takes a site-relative url, such as /mootshire/…")
    notification = Notification.objects.create(
        council=council,
        event=event[:50],
        title=_plain(title)[:300],
        url=url[:500],
        summary=_plain(summary)[:2000],
        targets=[list(target) for target in targets],
        exclude_emails=sorted({email.strip().lower() for email in exclude_emails if email}),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    from moothall.notifications.tasks import fan_out

    pk = notification.pk
    transaction.on_commit(lambda: fan_out.enqueue(pk))


@transaction.atomic
def retract(url: str) -> int:
    """Take back news that should not have gone out, e.g. a comment a moderator removed
    (its verb told followers with ``url`` pointing at it): digest items not yet sent are
    deleted, and the notification keeps no summary, so a fan-out still under way tells
    the rest without the text. Emails already sent cannot be recalled.

    Side effects: those digest items deleted, the notifications' summaries emptied.
    Returns how many digest items were deleted."""
    Notification.objects.filter(url=url).update(summary="")
    deleted, _rows = PendingNotification.objects.filter(url=url, sent_at__isnull=True).delete()
    return deleted
