"""The ideas verbs: proposing, editing, supporting, comments, responses, agendas, decisions.

Rita Resident lives in Mootshire (MH1 1AA) and proposed "Benches in Moot Park" (topic
Parks, Moot Ward). Mootshire's Cabinet meets on Thursday 14 March 2030.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from moothall.core.models import AuditEntry
from moothall.ideas import domain
from moothall.ideas.models import (
    Comment,
    Idea,
    IdeaAgendaLink,
    IdeaResponse,
    IdeaSettings,
    IdeaTimelineEntry,
    Support,
)
from moothall.meetings import domain as meetings_domain
from moothall.meetings.models import AgendaItem
from moothall.notifications.domain import follow, is_following
from moothall.notifications.models import Notification
from tests import factories
from tests.ideas.scene import person

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    models = (AuditEntry, Idea, Comment, Support, IdeaResponse, IdeaTimelineEntry, IdeaAgendaLink)
    return {model.__name__: model.objects.count() for model in models}


def audit(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


def fresh(idea: Idea) -> Idea:
    return Idea.objects.get(pk=idea.pk)


def timeline(idea: Idea) -> list[str]:
    return [entry.describe() for entry in idea.timeline.order_by("at", "id")]


# --- Proposing ---------------------------------------------------------------------------------


def test_a_resident_proposes_an_idea_which_is_new_public_and_followed_by_its_author(
    scene, resident
):
    idea = fresh(scene.idea)

    assert (idea.title, idea.kind, idea.status, idea.author) == (
        "Benches in Moot Park",
        "idea",
        "new",
        resident,
    )
    assert (idea.topic, idea.ward) == (scene.parks, scene.moot_ward)
    assert (idea.support_count, idea.comment_count) == (0, 0)
    assert timeline(idea) == ["Proposed."]
    assert audit("ideas.propose").actor == resident
    assert is_following(resident, "idea", idea.pk)


def test_followers_of_the_ward_and_topic_hear_of_a_new_idea_but_not_its_author(
    council, scene, resident
):
    neighbour = person("ned.neighbour@example.org", council)
    follow(neighbour, council, "ward", scene.hill_ward.pk)

    idea = domain.propose_idea(
        resident,
        council,
        title="Crossing on Hill Road",
        body="Cars are fast.",
        ward=scene.hill_ward,
    )

    notification = Notification.objects.get(event="idea.proposed")
    assert notification.title == "Crossing on Hill Road"
    assert notification.url == idea.get_absolute_url()
    assert ["idea", idea.pk] in notification.targets
    assert ["ward", scene.hill_ward.pk] in notification.targets
    assert notification.exclude_emails == ["rita.resident@example.org"]


def test_a_need_with_a_map_point_keeps_its_coordinates_to_five_places(council, scene, resident):
    need = domain.propose_idea(
        resident,
        council,
        kind="need",
        title="Flooding on Mill Lane",
        body="The drain is blocked.",
        latitude="51.5073512",
        longitude=" -0.1277583 ",
    )

    assert (need.kind, need.latitude, need.longitude) == (
        "need",
        Decimal("51.50735"),
        Decimal("-0.12776"),
    )


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"title": "  "}, "title", "required"),
        ({"title": "x" * 151}, "title", "too_long"),
        ({"body": ""}, "body", "required"),
        ({"body": "x" * 10_001}, "body", "too_long"),
        ({"body": "nul\x00"}, "body", "bad_characters"),
        ({"kind": "wish"}, "kind", "invalid_kind"),
        ({"latitude": "51.5"}, "longitude", "incomplete_point"),
        ({"longitude": "1.5"}, "latitude", "incomplete_point"),
        ({"latitude": "91", "longitude": "0"}, "latitude", "invalid_coordinate"),
        ({"latitude": "0", "longitude": "-180.5"}, "longitude", "invalid_coordinate"),
        ({"latitude": "NaN", "longitude": "0"}, "latitude", "invalid_coordinate"),
        ({"latitude": "north", "longitude": "0"}, "latitude", "invalid_coordinate"),
    ],
)
def test_a_proposal_with_bad_input_is_refused_before_anything_is_written(
    council, scene, resident, changes, field, code
):
    before = counts()
    fields = {"title": "A title", "body": "A body.", **changes}

    with pytest.raises(ValidationError) as refused:
        domain.propose_idea(resident, council, **fields)

    assert [e.code for e in refused.value.error_dict[field]] == [code]
    assert counts() == before


def test_a_topic_or_ward_of_another_council_is_refused(council, scene, resident):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        domain.propose_idea(resident, council, title="T", body="B", topic=scene.elsewhere_topic)
    assert list(refused.value.error_dict) == ["topic"]
    with pytest.raises(ValidationError) as refused:
        domain.propose_idea(resident, council, title="T", body="B", ward=scene.elsewhere_ward)
    assert list(refused.value.error_dict) == ["ward"]
    assert counts() == before


def test_someone_whose_email_is_not_verified_cannot_propose(council, scene):
    unverified = factories.UserFactory(email="new@example.org", verified_email=False)

    with pytest.raises(domain.NotEligible) as refused:
        domain.propose_idea(unverified, council, title="T", body="B")

    assert refused.value.what == "propose"


def test_a_council_may_ask_proposers_to_be_verified_residents(
    council, scene, resident, council_admin
):
    domain.update_idea_settings(council_admin, council, propose_level=3)

    with pytest.raises(domain.NotEligible):
        domain.propose_idea(resident, council, title="T", body="B")

    factories.ResidentVerificationFactory(user=resident, council=council)
    assert domain.propose_idea(resident, council, title="T", body="B").pk
    assert IdeaSettings.objects.get(council=council).propose_level == 3


# --- Editing -------------------------------------------------------------------------------


def test_the_author_edits_their_idea_while_it_is_new(scene, resident):
    domain.edit_idea(
        resident,
        scene.idea,
        kind="need",
        title="Benches and bins in Moot Park",
        body="Both.",
        topic=scene.roads,
        ward=scene.hill_ward,
    )

    idea = fresh(scene.idea)
    assert (idea.kind, idea.title, idea.body, idea.topic, idea.ward) == (
        "need",
        "Benches and bins in Moot Park",
        "Both.",
        scene.roads,
        scene.hill_ward,
    )
    assert audit("ideas.edit").details["fields"] == ["kind", "title", "body", "topic", "ward"]


def test_nobody_else_edits_an_idea(scene, officer, council_admin):
    for someone in (officer, council_admin):
        with pytest.raises(PermissionDenied):
            domain.edit_idea(someone, scene.idea, kind="idea", title="Mine now", body="B")
    assert fresh(scene.idea).title == "Benches in Moot Park"


def test_the_author_cannot_edit_once_the_council_considers_the_idea(scene, resident, officer):
    domain.set_idea_status(officer, scene.idea, "under_consideration")

    with pytest.raises(ValidationError) as refused:
        domain.edit_idea(resident, scene.idea, kind="idea", title="Changed", body="B")

    assert refused.value.code == "not_new"
    assert fresh(scene.idea).title == "Benches in Moot Park"


# --- Supporting ------------------------------------------------------------------------------


def test_a_resident_supports_once_however_often_they_ask(scene, resident):
    first = domain.support_idea(resident, scene.idea)
    again = domain.support_idea(resident, scene.idea)

    assert first.pk == again.pk
    assert Support.objects.filter(idea=scene.idea).count() == 1
    assert fresh(scene.idea).support_count == 1
    assert AuditEntry.objects.filter(action="ideas.support").count() == 1


def test_support_counts_each_person_once_and_withdrawing_takes_it_back(council, scene, resident):
    others = [person(f"p{n}@example.org", council) for n in range(3)]
    for someone in [resident, *others]:
        domain.support_idea(someone, scene.idea)

    assert domain.withdraw_support(others[0], scene.idea) is True
    assert domain.withdraw_support(others[0], scene.idea) is False

    assert fresh(scene.idea).support_count == 3
    assert set(scene.idea.supports.values_list("user__email", flat=True)) == {
        "rita.resident@example.org",
        "p1@example.org",
        "p2@example.org",
    }


def test_supporting_follows_the_idea(council, scene):
    supporter = person("sam.supporter@example.org", council)

    domain.support_idea(supporter, scene.idea)

    assert is_following(supporter, "idea", scene.idea.pk)


def test_supporting_needs_a_postcode_in_the_area_by_default(council, scene, councillor_user):
    # The councillor has not given a postcode.
    with pytest.raises(domain.NotEligible) as refused:
        domain.support_idea(councillor_user, scene.idea)

    assert refused.value.needed == 2
    assert fresh(scene.idea).support_count == 0


def test_someone_from_elsewhere_cannot_support(council, other_council, scene):
    from tests.ideas.scene import live_in

    neighbour = factories.UserFactory(email="nina@example.org")
    live_in(other_council, neighbour, postcode="MH9 9ZZ")

    with pytest.raises(domain.NotEligible):
        domain.support_idea(neighbour, scene.idea)


@pytest.mark.parametrize("status", ["done", "not_taken_forward"])
def test_a_finished_idea_takes_no_more_support(scene, resident, officer, status):
    path = {"done": ["accepted", "done"], "not_taken_forward": ["not_taken_forward"]}[status]
    for step in path:
        domain.set_idea_status(officer, scene.idea, step, reason="Because.")

    with pytest.raises(ValidationError) as refused:
        domain.support_idea(resident, scene.idea)

    assert refused.value.code == "closed_for_support"
    assert fresh(scene.idea).support_count == 0


def test_supporting_counts_as_activity(scene, resident):
    before = fresh(scene.idea).last_activity_at

    domain.support_idea(resident, scene.idea)

    assert fresh(scene.idea).last_activity_at > before


# --- Comments ------------------------------------------------------------------------------------


def test_a_resident_comments_and_replies_and_the_count_follows(council, scene, resident):
    other = person("olga@example.org", council)
    first = domain.comment(resident, scene.idea, body="Near the pond, please.")
    reply = domain.comment(other, scene.idea, body="Agreed!", parent=first)

    assert (first.depth, reply.depth, reply.parent) == (0, 1, first)
    assert fresh(scene.idea).comment_count == 2
    assert is_following(other, "idea", scene.idea.pk)
    notification = Notification.objects.filter(event="idea.commented").latest("id")
    assert notification.targets == [["idea", scene.idea.pk]]
    assert notification.exclude_emails == ["olga@example.org"]


def test_replies_nest_three_deep_at_most(scene, resident):
    parent = domain.comment(resident, scene.idea, body="0")
    for depth in range(1, domain.MAX_COMMENT_DEPTH + 1):
        parent = domain.comment(resident, scene.idea, body=str(depth), parent=parent)
    assert parent.depth == 3

    with pytest.raises(ValidationError) as refused:
        domain.comment(resident, scene.idea, body="Too deep", parent=parent)

    assert refused.value.error_dict["parent"][0].code == "too_deep"
    assert fresh(scene.idea).comment_count == 4


def test_a_reply_must_be_to_a_comment_on_the_same_idea(council, scene, resident):
    other_idea = domain.propose_idea(resident, council, title="Other", body="B")
    elsewhere = domain.comment(resident, other_idea, body="Hello")

    with pytest.raises(ValidationError) as refused:
        domain.comment(resident, scene.idea, body="Hi", parent=elsewhere)

    assert refused.value.error_dict["parent"][0].code == "other_idea"


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_an_empty_or_overlong_comment_is_refused(scene, resident, body):
    before = counts()

    with pytest.raises(ValidationError):
        domain.comment(resident, scene.idea, body=body)

    assert counts() == before


def test_a_moderator_removes_a_comment_with_a_reason_and_its_replies_stay(
    council, scene, resident, moderator
):
    rude = domain.comment(resident, scene.idea, body="Something rude")
    reply = domain.comment(resident, scene.idea, body="Sorry", parent=rude)

    domain.remove_comment(moderator, rude, reason="Offensive language.")

    rude.refresh_from_db()
    assert (rude.is_removed, rude.removed_reason, rude.removed_by) == (
        True,
        "Offensive language.",
        moderator,
    )
    assert Comment.objects.filter(pk=reply.pk, is_removed=False).exists()
    assert fresh(scene.idea).comment_count == 1
    assert audit("ideas.remove_comment").details["reason"] == "Offensive language."


def test_removing_needs_a_reason_and_happens_once(scene, resident, moderator):
    made = domain.comment(resident, scene.idea, body="Hmm")
    with pytest.raises(ValidationError):
        domain.remove_comment(moderator, made, reason=" ")
    domain.remove_comment(moderator, made, reason="Spam.")
    with pytest.raises(ValidationError) as refused:
        domain.remove_comment(moderator, Comment.objects.get(pk=made.pk), reason="Again.")
    assert refused.value.code == "removed"
    assert fresh(scene.idea).comment_count == 0


def test_a_removed_comment_takes_no_replies(scene, resident, moderator):
    made = domain.comment(resident, scene.idea, body="Hmm")
    domain.remove_comment(moderator, made, reason="Spam.")

    with pytest.raises(ValidationError) as refused:
        domain.comment(resident, scene.idea, body="Reply", parent=Comment.objects.get(pk=made.pk))

    assert refused.value.error_dict["parent"][0].code == "removed"


# --- Responses ------------------------------------------------------------------------------


def test_an_officer_responds_in_the_councils_name(scene, officer):
    response = domain.respond_to_idea(officer, scene.idea, body="We will look at it in **May**.")

    assert (response.councillor, response.display_name, response.author) == (None, "", officer)
    assert timeline(fresh(scene.idea))[-1] == "The council published a response."
    assert Notification.objects.filter(event="idea.responded").exists()


def test_a_councillor_responds_under_their_own_name(council, scene, councillor_user):
    response = domain.respond_to_idea(councillor_user, scene.idea, body="I support this.")

    assert response.councillor is not None
    assert response.display_name == "Councillor Chris Councillor"
    assert timeline(fresh(scene.idea))[-1] == "Councillor Chris Councillor published a response."


def test_a_councillor_cannot_speak_in_the_councils_name(scene, councillor_user):
    with pytest.raises(PermissionDenied):
        domain.respond_to_idea(councillor_user, scene.idea, body="Hi", as_council=True)


def test_a_councillor_who_is_also_an_officer_chooses_which_hat(council, scene, councillor_user):
    factories.RoleFactory(user=councillor_user, council=council, kind="officer")
    factories.give_mfa(councillor_user)

    as_member = domain.respond_to_idea(councillor_user, scene.idea, body="As member.")
    as_council = domain.respond_to_idea(
        councillor_user, scene.idea, body="As council.", as_council=True
    )

    assert as_member.councillor is not None
    assert as_council.councillor is None


# --- Lifecycle ---------------------------------------------------------------------------------

ALL = [s for s in Idea.Status.values if s != "merged"]


@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("target", [*ALL, "merged"])
def test_the_lifecycle_allows_exactly_the_moves_in_the_transition_table(
    scene, officer, start, target
):
    Idea.objects.filter(pk=scene.idea.pk).update(status=start)
    idea = fresh(scene.idea)
    allowed = target in domain.TRANSITIONS[start]

    try:
        domain.set_idea_status(officer, idea, target, reason="Reason given.")
    except ValidationError:
        moved = False
    else:
        moved = True

    assert moved is allowed
    assert fresh(idea).status == (target if allowed else start)


def test_the_lifecycle_table_reaches_every_status_from_new():
    reached, frontier = {"new"}, ["new"]
    while frontier:
        for target in domain.TRANSITIONS[frontier.pop()]:
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(ALL)


def test_not_taking_an_idea_forward_needs_a_published_reason(scene, officer):
    with pytest.raises(ValidationError) as refused:
        domain.set_idea_status(officer, scene.idea, "not_taken_forward", reason="")
    assert refused.value.error_dict["reason"][0].code == "reason_required"

    domain.set_idea_status(
        officer, scene.idea, "not_taken_forward", reason="The park is being sold."
    )

    idea = fresh(scene.idea)
    assert (idea.status, idea.status_reason) == ("not_taken_forward", "The park is being sold.")
    assert timeline(idea)[-1] == "Status changed to “Not taken forward”: The park is being sold."
    notification = Notification.objects.filter(event="idea.status_changed").latest("id")
    assert notification.summary == "Now “Not taken forward”. The park is being sold."


def test_merged_is_reached_only_by_merging(scene, officer):
    with pytest.raises(ValidationError) as refused:
        domain.set_idea_status(officer, scene.idea, "merged")
    assert refused.value.error_dict["status"][0].code == "invalid_status"


# --- Merging ------------------------------------------------------------------------------------


@pytest.fixture
def duplicate(council, scene, resident):
    return domain.propose_idea(
        person("dan.duplicate@example.org", council),
        council,
        title="More seats in Moot Park",
        body="Somewhere to sit.",
    )


def test_merging_carries_supporters_over_and_counts_someone_who_supported_both_once(
    council, scene, duplicate, resident, officer
):
    both = person("bea.both@example.org", council)
    only_dup = [person(f"d{n}@example.org", council) for n in range(2)]
    for someone in [resident, both]:
        domain.support_idea(someone, scene.idea)
    for someone in [both, *only_dup]:
        domain.support_idea(someone, duplicate)
    comment = domain.comment(both, duplicate, body="Seats!")

    into = domain.merge_ideas(officer, duplicate, scene.idea, reason="Same park, same seats.")

    target, dup = fresh(scene.idea), fresh(duplicate)
    assert into == target
    assert target.support_count == 4 == target.supports.count()
    assert set(target.supports.values_list("user__email", flat=True)) == {
        "rita.resident@example.org",
        "bea.both@example.org",
        "d0@example.org",
        "d1@example.org",
    }
    assert target.supports.filter(carried_from=dup).count() == 2
    assert (dup.status, dup.merged_into, dup.support_count, dup.status_reason) == (
        "merged",
        target,
        0,
        "Same park, same seats.",
    )
    assert Comment.objects.get(pk=comment.pk).idea == dup  # comments stay with their idea
    assert timeline(dup)[-1] == "Merged into “Benches in Moot Park”, which covers the same ground."
    assert timeline(target)[-1] == (
        "“More seats in Moot Park” was merged into this idea; its supporters now count here."
    )
    assert all(is_following(p, "idea", target.pk) for p in only_dup)
    assert audit("ideas.merge").details["carried"] == 2


def test_a_merged_idea_takes_no_support_comment_or_response(
    council, scene, duplicate, resident, officer
):
    domain.merge_ideas(officer, duplicate, scene.idea)
    dup = fresh(duplicate)

    with pytest.raises(ValidationError) as refused:
        domain.support_idea(resident, dup)
    assert refused.value.code == "merged"
    with pytest.raises(ValidationError):
        domain.comment(resident, dup, body="Hi")
    with pytest.raises(ValidationError):
        domain.respond_to_idea(officer, dup, body="Hi")
    with pytest.raises(ValidationError):
        domain.place_idea_on_agenda(officer, dup, scene.meeting)


def test_an_idea_cannot_be_merged_into_itself_a_merged_one_or_another_councils(
    council, other_council, scene, duplicate, officer, outsider
):
    third = domain.propose_idea(officer, council, title="Third", body="B")
    elsewhere = domain.propose_idea(outsider, other_council, title="Elsewhere", body="B")
    domain.merge_ideas(officer, third, scene.idea)
    before = counts()

    for into, code in (
        (duplicate, "same"),
        (fresh(third), "target_merged"),
        (elsewhere, "other_council"),
    ):
        with pytest.raises(ValidationError) as refused:
            domain.merge_ideas(officer, fresh(duplicate), into)
        assert refused.value.error_dict["into"][0].code == code
    with pytest.raises(ValidationError) as refused:
        domain.merge_ideas(officer, fresh(third), fresh(duplicate))
    assert refused.value.error_dict["into"][0].code == "already_merged"
    assert counts() == before


def test_ideas_merged_into_a_duplicate_lead_to_where_it_was_merged(
    council, scene, duplicate, officer
):
    earlier = domain.propose_idea(officer, council, title="Earlier", body="B")
    domain.merge_ideas(officer, earlier, duplicate)

    domain.merge_ideas(officer, fresh(duplicate), scene.idea)

    assert fresh(earlier).merged_into == fresh(scene.idea)


# --- Agendas and decisions -----------------------------------------------------------------------


def test_an_officer_places_an_idea_on_a_meetings_agenda(scene, officer):
    link = domain.place_idea_on_agenda(officer, scene.idea, scene.meeting)

    item = link.agenda_item
    assert (item.meeting, item.title, item.number, item.kind) == (
        scene.meeting,
        "Benches in Moot Park",
        "1",
        "report",
    )
    assert "Raised by residents as idea" in item.description
    assert scene.idea.get_absolute_url() in item.description
    assert timeline(fresh(scene.idea))[-1] == "Placed on the agenda of Cabinet on 14 March 2030."
    assert audit("meetings.add_agenda_item").target_id == str(item.pk)
    assert audit("ideas.place_on_agenda").details["agenda_item"] == item.pk
    assert Notification.objects.filter(event="idea.placed_on_agenda").exists()


def test_once_the_agenda_is_published_the_item_must_be_urgent(scene, officer):
    meetings_domain.add_agenda_item(None, scene.meeting, title="Apologies", kind="apologies")
    meetings_domain.publish_agenda(
        None, scene.meeting, now=dt.datetime(2030, 3, 1, 9, tzinfo=dt.UTC)
    )
    before = counts()

    with pytest.raises(ValidationError) as refused:
        domain.place_idea_on_agenda(officer, scene.idea, scene.meeting)
    assert refused.value.error_dict["is_urgent"][0].code == "late_item_not_urgent"
    assert counts() == before

    link = domain.place_idea_on_agenda(
        officer, scene.idea, scene.meeting, is_urgent=True, urgency_reason="Residents asked."
    )
    assert link.agenda_item.is_late


def test_an_idea_goes_only_on_its_own_councils_meetings(other_council, scene, officer):
    elsewhere = factories.MeetingFactory(body__council=other_council)
    before = counts()

    with pytest.raises(ValidationError) as refused:
        domain.place_idea_on_agenda(officer, scene.idea, elsewhere)

    assert list(refused.value.error_dict) == ["meeting"]
    assert counts() == before
    assert AgendaItem.objects.count() == 0


def test_the_decision_taken_is_linked_back(council, scene, officer):
    link = domain.place_idea_on_agenda(officer, scene.idea, scene.meeting)
    decision = factories.DecisionFactory(
        council=council, meeting=scene.meeting, agenda_item=link.agenda_item, title="Benches bought"
    )

    domain.link_idea_decision(officer, link, decision)

    assert IdeaAgendaLink.objects.get(pk=link.pk).decision == decision
    assert timeline(fresh(scene.idea))[-1] == "Decision taken: “Benches bought”."
    assert Notification.objects.filter(event="idea.decision_linked").exists()


def test_an_exempt_or_foreign_decision_cannot_be_linked(council, other_council, scene, officer):
    link = domain.place_idea_on_agenda(officer, scene.idea, scene.meeting)
    exempt = factories.DecisionFactory(council=council, is_exempt=True)
    foreign = factories.DecisionFactory(council=other_council)

    for decision, code in ((exempt, "exempt"), (foreign, "other_council")):
        with pytest.raises(ValidationError) as refused:
            domain.link_idea_decision(officer, link, decision)
        assert refused.value.error_dict["decision"][0].code == code
    assert IdeaAgendaLink.objects.get(pk=link.pk).decision is None


# --- Settings ----------------------------------------------------------------------------------


def test_a_council_without_settings_uses_the_defaults(council):
    rules = IdeaSettings.for_council(council)
    assert (rules.pk, rules.propose_level, rules.support_level, rules.comment_level) == (
        None,
        1,
        2,
        1,
    )


def test_only_a_council_admin_changes_who_may_take_part(council, officer, council_admin):
    with pytest.raises(PermissionDenied):
        domain.update_idea_settings(officer, council, support_level=3)
    with pytest.raises(ValidationError):
        domain.update_idea_settings(council_admin, council, support_level=0)

    domain.update_idea_settings(council_admin, council, support_level=3)

    assert IdeaSettings.for_council(council).support_level == 3
    assert audit("ideas.update_settings").details == {
        "before": {"support_level": 2},
        "after": {"support_level": 3},
    }
