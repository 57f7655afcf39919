"""The moderation verbs: reports, hiding and restoring through each app's verbs, the
public log, warnings, bans, spaces; their audit entries and the authors' emails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from moothall.core.models import AuditEntry, OutboxMessage
from moothall.deliberation.models import Statement
from moothall.ideas.models import Comment as IdeaComment
from moothall.ideas.models import Idea
from moothall.live.models import Contribution
from moothall.moderation import domain, registry
from moothall.moderation.bans import is_banned
from moothall.moderation.models import Ban, Flag, LogEntry, Warning
from tests import factories
from tests.moderation.scene import KINDS, RESTORABLE

pytestmark = pytest.mark.django_db


def _code(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.error_list[0].code


def _mail_to(address: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(to=address).order_by("id"))


# --- Reports ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_resident_reports_each_kind_once(scene, council, kind):
    reporter = factories.UserFactory(email="rob.reporter@example.org")
    obj = scene.of(kind)

    made = domain.flag(reporter, kind, obj, reason="spam", note="Selling watches")

    assert (made.council, made.kind, made.object_id, made.reason) == (
        council,
        kind,
        obj.pk,
        "spam",
    )
    with pytest.raises(ValidationError) as again:
        domain.flag(reporter, kind, obj, reason="abusive")
    assert _code(again.value) == "already_flagged"
    assert Flag.objects.count() == 1
    entry = AuditEntry.objects.get(action="moderation.flag")
    assert (entry.actor, entry.details["kind"]) == (reporter, kind)


def test_a_report_needs_a_reason_from_the_list_and_a_signed_in_person(scene):
    from django.contrib.auth.models import AnonymousUser

    reporter = factories.UserFactory()
    with pytest.raises(ValidationError) as wrong:
        domain.flag(reporter, "idea_comment", scene.idea_comment, reason="i_dont_like_it")
    assert _code(wrong.value) == "invalid_choice"
    with pytest.raises(PermissionDenied):
        domain.flag(AnonymousUser(), "idea_comment", scene.idea_comment, reason="spam")
    assert not Flag.objects.exists()


def test_reports_are_limited_per_hour(scene, monkeypatch):
    monkeypatch.setattr(domain, "FLAGS_PER_HOUR", 2)
    reporter = factories.UserFactory()
    domain.flag(reporter, "idea_comment", scene.idea_comment, reason="spam")
    domain.flag(reporter, "live_comment", scene.live_comment, reason="spam")

    with pytest.raises(ValidationError) as limited:
        domain.flag(reporter, "statement", scene.statement, reason="abusive")
    assert _code(limited.value) == "flag_limit"
    # An hour later, they may report again.
    Flag.objects.update(created_at=timezone.now() - dt.timedelta(minutes=61))
    domain.flag(reporter, "statement", scene.statement, reason="abusive")
    assert Flag.objects.count() == 3


def test_what_is_hidden_or_not_shown_cannot_be_reported(scene, moderator):
    domain.hide(moderator, "live_comment", scene.live_comment, rule="spam")
    with pytest.raises(ValidationError) as hidden:
        domain.flag(factories.UserFactory(), "live_comment", scene.live_comment, reason="spam")
    assert _code(hidden.value) == "not_shown"


# --- Hiding and restoring -------------------------------------------------------------------


def _shown(kind, obj) -> bool:
    found = registry.kind(kind)
    obj.refresh_from_db()
    return found.is_shown(obj)


@pytest.mark.parametrize("kind", KINDS)
def test_a_moderator_hides_each_kind_through_its_app(scene, council, moderator, resident, kind):
    obj = scene.of(kind)
    for email in ("a@example.org", "b@example.org"):
        domain.flag(factories.UserFactory(email=email), kind, obj, reason="spam")

    domain.hide(moderator, kind, obj, rule="spam", explanation="Advertising is not allowed.")

    assert not _shown(kind, obj)
    assert registry.kind(kind).is_hidden(obj)
    assert set(Flag.objects.values_list("outcome", flat=True)) == {"hidden"}
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    (line,) = LogEntry.objects.all()
    assert (line.council, line.kind, line.action, line.rule) == (council, kind, "hidden", "spam")
    entry = AuditEntry.objects.get(action="moderation.hide")
    assert (entry.actor, entry.details["rule"], entry.details["flags_resolved"]) == (
        moderator,
        "spam",
        2,
    )
    (mail,) = _mail_to(resident.email)
    assert "hid something you wrote" in mail.subject
    assert "Spam or advertising" in mail.body
    assert "Advertising is not allowed." in mail.body


@pytest.mark.parametrize("kind", KINDS)
def test_the_longest_explanation_fits_every_kind(scene, moderator, kind):
    # The app stores the rule's name and the explanation as its reason: on PostgreSQL a
    # column too short would fail the write rather than refuse it with a message.
    obj = scene.of(kind)
    longest = "x" * domain.EXPLANATION_LIMIT

    domain.hide(moderator, kind, obj, rule="personal", explanation=longest)

    assert registry.kind(kind).is_hidden(obj)
    with pytest.raises(ValidationError) as refused:
        domain.hide(moderator, kind, obj, rule="personal", explanation=longest + "x")
    assert _code(refused.value) == "too_long"


def test_hiding_an_idea_comment_leaves_the_apps_placeholder_and_count(scene, moderator):
    domain.hide(moderator, "idea_comment", scene.idea_comment, rule="abusive")

    comment = IdeaComment.objects.get(pk=scene.idea_comment.pk)
    assert comment.is_removed
    assert comment.removed_reason == "Abusive or hateful"
    assert Idea.objects.get(pk=scene.idea.pk).comment_count == 0
    assert AuditEntry.objects.filter(action="ideas.remove_comment").count() == 1

    domain.restore(moderator, "idea_comment", comment)
    comment.refresh_from_db()
    assert (comment.is_removed, comment.removed_reason) == (False, "")
    assert Idea.objects.get(pk=scene.idea.pk).comment_count == 1


@pytest.mark.parametrize("kind", RESTORABLE)
def test_a_moderator_restores_what_was_hidden(scene, council, moderator, resident, kind):
    obj = scene.of(kind)
    domain.hide(moderator, kind, obj, rule="off_topic")

    domain.restore(moderator, kind, obj)

    assert _shown(kind, obj)
    assert list(LogEntry.objects.order_by("id").values_list("action", "rule")) == [
        ("hidden", "off_topic"),
        ("restored", ""),
    ]
    assert AuditEntry.objects.filter(action="moderation.restore", actor=moderator).count() == 1
    subjects = [m.subject for m in _mail_to(resident.email)]
    assert any("shown again" in s for s in subjects)
    with pytest.raises(ValidationError) as again:
        domain.restore(moderator, kind, obj)
    assert _code(again.value) == "not_hidden"


def test_a_live_upload_cannot_be_restored_its_file_is_gone(scene, moderator):
    domain.hide(moderator, "live_media", scene.live_media, rule="personal")
    with pytest.raises(ValidationError) as refused:
        domain.restore(moderator, "live_media", scene.live_media)
    assert _code(refused.value) == "cannot_restore"
    scene.live_media.refresh_from_db()
    assert scene.live_media.status == Contribution.REMOVED


def test_hiding_twice_is_refused_and_writes_nothing_more(scene, moderator):
    domain.hide(moderator, "statement", scene.statement, rule="abusive")
    with pytest.raises(ValidationError) as again:
        domain.hide(moderator, "statement", scene.statement, rule="abusive")
    assert _code(again.value) == "hidden"
    assert LogEntry.objects.count() == 1
    assert Statement.objects.get(pk=scene.statement.pk).state == "rejected"


def test_hiding_needs_a_rule_from_the_list(scene, moderator):
    with pytest.raises(ValidationError) as wrong:
        domain.hide(moderator, "live_comment", scene.live_comment, rule="")
    assert _code(wrong.value) == "invalid_choice"
    assert not LogEntry.objects.exists()
    assert _shown("live_comment", scene.live_comment)


def test_dismissing_reports_resolves_them_and_keeps_the_item(scene, moderator):
    domain.flag(factories.UserFactory(), "idea_comment", scene.idea_comment, reason="spam")

    assert domain.dismiss_flags(moderator, "idea_comment", scene.idea_comment) == 1

    flag = Flag.objects.get()
    assert (flag.outcome, flag.resolved_by) == ("dismissed", moderator)
    assert _shown("idea_comment", scene.idea_comment)
    assert AuditEntry.objects.filter(action="moderation.dismiss_flags").count() == 1
    with pytest.raises(ValidationError) as none_left:
        domain.dismiss_flags(moderator, "idea_comment", scene.idea_comment)
    assert _code(none_left.value) == "no_flags"


# --- Who may --------------------------------------------------------------------------------

ROLES = ["resident", "councillor_user", "officer", "moderator", "council_admin", "outsider"]
MODERATES = {"officer", "moderator", "council_admin"}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_hide_warn_and_ban(request, scene, role):
    actor = request.getfixturevalue(role)
    allowed = role in MODERATES
    steps = [
        lambda: domain.hide(actor, "live_comment", scene.live_comment, rule="spam"),
        lambda: domain.restore(actor, "live_comment", scene.live_comment),
        lambda: domain.warn(actor, "idea_comment", scene.idea_comment, rule="spam"),
        lambda: domain.ban(actor, "idea_comment", scene.idea_comment, rule="spam", days=3),
    ]
    for step in steps:
        if allowed:
            step()
        else:
            with pytest.raises(PermissionDenied):
                step()
    assert LogEntry.objects.count() == (2 if allowed else 0)
    assert Warning.objects.count() == (1 if allowed else 0)
    assert Ban.objects.count() == (1 if allowed else 0)


@pytest.mark.parametrize("role", ROLES)
def test_only_council_admins_set_a_spaces_mode(request, scene, council, role):
    actor = request.getfixturevalue(role)
    if role == "council_admin":
        domain.set_space_mode(actor, council, "live_comments", "pre")
        assert AuditEntry.objects.filter(action="moderation.set_space_mode").count() == 1
    else:
        with pytest.raises(PermissionDenied):
            domain.set_space_mode(actor, council, "live_comments", "pre")
        assert not AuditEntry.objects.filter(action="moderation.set_space_mode").exists()


# --- Warnings and bans ----------------------------------------------------------------------


def test_a_warning_is_kept_and_sent_to_the_author(scene, council, moderator, resident):
    made = domain.warn(
        moderator, "statement", scene.statement, rule="abusive", message="Please be civil."
    )

    assert (made.council, made.user, made.rule, made.created_by) == (
        council,
        resident,
        "abusive",
        moderator,
    )
    (mail,) = _mail_to(resident.email)
    assert "warning" in mail.subject.lower()
    assert "Please be civil." in mail.body
    assert AuditEntry.objects.filter(action="moderation.warn").count() == 1


def test_a_time_limited_ban_ends_by_itself(scene, council, moderator, resident):
    made = domain.ban(moderator, "live_comment", scene.live_comment, rule="spam", days=7)

    assert made.until is not None
    assert made.until - timezone.now() > dt.timedelta(days=6, hours=23)
    assert is_banned(resident, council)
    (mail,) = _mail_to(resident.email)
    assert "stopped from contributing" in mail.subject
    Ban.objects.filter(pk=made.pk).update(until=timezone.now() - dt.timedelta(seconds=1))
    assert not is_banned(resident, council)


def test_a_permanent_ban_lasts_until_lifted(scene, council, other_council, moderator, resident):
    made = domain.ban(moderator, "idea_comment", scene.idea_comment, rule="abusive")

    assert made.until is None
    assert is_banned(resident, council)
    assert not is_banned(resident, other_council)

    domain.lift_ban(moderator, made)
    assert not is_banned(resident, council)
    made.refresh_from_db()
    assert made.lifted_by == moderator
    assert "again" in _mail_to(resident.email)[-1].subject
    assert AuditEntry.objects.filter(action="moderation.lift_ban").count() == 1
    with pytest.raises(ValidationError) as again:
        domain.lift_ban(moderator, made)
    assert _code(again.value) == "not_in_force"


def test_a_ban_length_must_be_sensible(scene, moderator):
    for days in (0, -3, "many", domain.MAX_BAN_DAYS + 1):
        with pytest.raises(ValidationError) as wrong:
            domain.ban(moderator, "idea_comment", scene.idea_comment, rule="spam", days=days)
        assert _code(wrong.value) == "invalid_days"
    assert not Ban.objects.exists()


def test_staff_and_oneself_cannot_be_warned_or_banned(council, moderator, officer):
    from tests.moderation.scene import build_scene

    staff_scene = build_scene(council, officer)
    with pytest.raises(ValidationError) as staff:
        domain.ban(moderator, "idea_comment", staff_scene.idea_comment, rule="spam")
    assert _code(staff.value) == "staff"
    with pytest.raises(ValidationError) as self_:
        domain.warn(officer, "idea_comment", staff_scene.idea_comment, rule="spam")
    assert _code(self_.value) == "self"
    assert not Ban.objects.exists()
    assert not Warning.objects.exists()


def test_a_moderator_elsewhere_cannot_lift_a_ban(scene, moderator, outsider):
    made = domain.ban(moderator, "idea_comment", scene.idea_comment, rule="spam")
    with pytest.raises(PermissionDenied):
        domain.lift_ban(outsider, made)
    made.refresh_from_db()
    assert made.lifted_at is None
