"""Building the agenda: nested numbering, reordering, exemption, late and withdrawn items.

The meeting is on Thursday 14 March 2030 (deadline Wednesday 6 March, no bank holidays).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from moothall.core.models import AuditEntry
from moothall.demo.pdf import make_pdf
from moothall.meetings import domain
from moothall.meetings.models import AgendaItem, Decision, Document, TimelineEntry, Vote
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
THURSDAY = dt.datetime(2030, 3, 14, 18, 30, tzinfo=LONDON)
ON_TIME = dt.datetime(2030, 3, 1, 9, tzinfo=LONDON)


def counts() -> dict[str, int]:
    models = (AgendaItem, AuditEntry, Decision, Document, TimelineEntry, Vote)
    return {model.__name__: model.objects.count() for model in models}


def numbers(meeting) -> list[tuple[str, str]]:
    return list(meeting.items.order_by("sort_key").values_list("number", "title"))


def audit(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


@pytest.fixture
def meeting(council):
    body = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")
    return domain.create_meeting(None, body, start=THURSDAY)


def add(meeting, title, **kwargs):
    return domain.add_agenda_item(None, meeting, title=title, **kwargs)


@pytest.fixture
def agenda(meeting):
    """1 Apologies; 2 Budget (2a Capital, 2a(1) Bridges, 2b Revenue); 3 Any other business."""
    apologies = add(meeting, "Apologies", kind="apologies")
    budget = add(meeting, "Budget")
    capital = add(meeting, "Capital", parent=budget)
    bridges = add(meeting, "Bridges", parent=capital)
    revenue = add(meeting, "Revenue", parent=budget)
    other = add(meeting, "Any other business", kind="other")
    return {
        "apologies": apologies,
        "budget": budget,
        "capital": capital,
        "bridges": bridges,
        "revenue": revenue,
        "other": other,
    }


def fresh(item: AgendaItem) -> AgendaItem:
    return AgendaItem.objects.get(pk=item.pk)


# --- Numbering ---------------------------------------------------------------------------


def test_the_agenda_is_numbered_1_2_2a_2a1_2b_3(meeting, agenda):
    assert numbers(meeting) == [
        ("1", "Apologies"),
        ("2", "Budget"),
        ("2a", "Capital"),
        ("2a(1)", "Bridges"),
        ("2b", "Revenue"),
        ("3", "Any other business"),
    ]


def test_adding_an_item_records_it_in_the_audit_log_and_on_the_staff_timeline(officer, meeting):
    item = domain.add_agenda_item(
        officer, meeting, title="Budget", lead_officer="Treasurer", portfolio="Finance"
    )
    assert (item.number, item.lead_officer, item.portfolio, item.is_late) == (
        "1",
        "Treasurer",
        "Finance",
        False,
    )
    entry = audit("meetings.add_agenda_item")
    assert (entry.actor, entry.target_id) == (officer, str(item.pk))
    timeline = meeting.timeline.latest("id")
    # Drafting before publication is not news for the public.
    assert (timeline.kind, timeline.is_public) == ("item_added", False)


def test_the_twenty_seventh_sub_item_is_lettered_aa(meeting):
    parent = factories.AgendaItemFactory(meeting=meeting, position=0)
    for position in range(28):
        factories.AgendaItemFactory(meeting=meeting, parent=parent, position=position)
    domain.renumber(meeting)
    children = list(parent.children.order_by("sort_key").values_list("number", flat=True))
    assert children[:2] == ["1a", "1b"]
    assert children[25:] == ["1z", "1aa", "1ab"]


def test_items_of_different_levels_sort_in_agenda_order(meeting, agenda):
    # Sorting by sort_key alone gives the printed order, whatever the ids.
    keys = list(meeting.items.order_by("sort_key").values_list("title", flat=True))
    assert keys == ["Apologies", "Budget", "Capital", "Bridges", "Revenue", "Any other business"]


# --- Reordering ------------------------------------------------------------------------


def test_reordering_the_top_level_carries_sub_items_along(officer, meeting, agenda):
    order = [agenda["other"].pk, agenda["budget"].pk, agenda["apologies"].pk]
    domain.reorder_agenda(officer, meeting, order)
    assert numbers(meeting) == [
        ("1", "Any other business"),
        ("2", "Budget"),
        ("2a", "Capital"),
        ("2a(1)", "Bridges"),
        ("2b", "Revenue"),
        ("3", "Apologies"),
    ]
    assert audit("meetings.reorder_agenda").details == {"order": order}
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public) == ("agenda_reordered", False)


def test_reordering_sub_items_renumbers_only_that_level(officer, meeting, agenda):
    domain.reorder_agenda(officer, meeting, [agenda["revenue"].pk, agenda["capital"].pk])
    assert numbers(meeting)[2:5] == [("2a", "Revenue"), ("2b", "Capital"), ("2b(1)", "Bridges")]


def test_reordering_a_published_agenda_goes_on_the_public_timeline(officer, meeting, agenda):
    domain.publish_agenda(None, meeting, now=ON_TIME)
    domain.reorder_agenda(officer, meeting, [agenda["revenue"].pk, agenda["capital"].pk])
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.describe()) == (
        "agenda_reordered",
        True,
        "Agenda items reordered.",
    )


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(["apologies", "budget"], id="one missing"),
        pytest.param(["apologies", "budget", "other", "other"], id="one twice"),
        pytest.param(["apologies", "budget", "capital"], id="two levels"),
        pytest.param([], id="nothing"),
    ],
)
def test_a_reorder_must_list_every_sibling_once(officer, meeting, agenda, order):
    before, printed = counts(), numbers(meeting)
    with pytest.raises(ValidationError):
        domain.reorder_agenda(officer, meeting, [agenda[name].pk for name in order])
    assert (counts(), numbers(meeting)) == (before, printed)


def test_a_reorder_cannot_bring_in_another_meetings_item(officer, meeting, agenda, council):
    other_meeting = factories.MeetingFactory(body__council=council)
    stranger = factories.AgendaItemFactory(meeting=other_meeting)
    before, printed = counts(), numbers(meeting)
    order = [agenda["apologies"].pk, agenda["budget"].pk, stranger.pk]
    with pytest.raises(ValidationError):
        domain.reorder_agenda(officer, meeting, order)
    assert (counts(), numbers(meeting)) == (before, printed)


def test_moving_an_item_swaps_it_with_its_neighbour(officer, meeting, agenda):
    domain.move_agenda_item(officer, agenda["other"], up=True)
    assert [n for n, _ in numbers(meeting)] == ["1", "2", "3", "3a", "3a(1)", "3b"]
    assert fresh(agenda["other"]).number == "2"
    domain.move_agenda_item(officer, agenda["capital"], up=False)
    assert fresh(agenda["capital"]).number == "3b"
    assert fresh(agenda["bridges"]).number == "3b(1)"


def test_moving_the_first_item_up_or_the_last_down_changes_nothing(officer, meeting, agenda):
    before, printed = counts(), numbers(meeting)
    domain.move_agenda_item(officer, agenda["apologies"], up=True)
    domain.move_agenda_item(officer, agenda["other"], up=False)
    domain.move_agenda_item(officer, agenda["bridges"], up=True)
    assert (counts(), numbers(meeting)) == (before, printed)


# --- Updating and removing ---------------------------------------------------------------


def test_updating_an_item_records_before_and_after(officer, meeting, agenda):
    domain.update_agenda_item(officer, agenda["budget"], title="Budget 2030/31")
    assert fresh(agenda["budget"]).title == "Budget 2030/31"
    details = audit("meetings.update_agenda_item").details
    assert details["before"]["title"] == "Budget"
    assert details["after"]["title"] == "Budget 2030/31"
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.details) == (
        "item_updated",
        False,
        {"number": "2", "title": "Budget 2030/31"},
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"title": "t" * 501}, "title"),
        ({"kind": "gossip"}, "kind"),
        ({"kind": "exempt"}, "exempt_paragraph"),
        ({"exempt_paragraph": 8}, "exempt_paragraph"),
        ({"exempt_paragraph": 0}, "exempt_paragraph"),
        ({"exempt_paragraph": "three"}, "exempt_paragraph"),
        ({"is_urgent": True}, "urgency_reason"),
    ],
)
def test_an_item_update_that_fails_changes_nothing(officer, meeting, agenda, changes, field):
    before, printed = counts(), numbers(meeting)
    with pytest.raises(ValidationError) as caught:
        domain.update_agenda_item(officer, agenda["budget"], **changes)
    assert field in caught.value.message_dict
    assert (counts(), numbers(meeting)) == (before, printed)
    assert fresh(agenda["budget"]).kind == "report"


def test_an_item_cannot_be_moved_to_another_meeting_by_update(officer, agenda):
    with pytest.raises(ValueError, match="meeting"):
        domain.update_agenda_item(officer, agenda["budget"], meeting=None)


def test_removing_an_item_before_publication_renumbers_quietly(officer, meeting, agenda):
    domain.remove_agenda_item(officer, agenda["apologies"])
    assert numbers(meeting) == [
        ("1", "Budget"),
        ("1a", "Capital"),
        ("1a(1)", "Bridges"),
        ("1b", "Revenue"),
        ("2", "Any other business"),
    ]
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public) == ("item_withdrawn", False)
    assert audit("meetings.remove_agenda_item").details == {"reason": ""}


def test_removing_an_item_takes_its_sub_items_and_papers_with_it(council, officer, meeting, agenda):
    domain.attach_document(
        None,
        council,
        data=make_pdf("Bridges"),
        title="Bridges",
        kind="report",
        agenda_item=agenda["bridges"],
    )
    domain.remove_agenda_item(officer, agenda["budget"])
    assert [t for _, t in numbers(meeting)] == ["Apologies", "Any other business"]
    assert not Document.objects.filter(meeting=meeting).exists()


def test_withdrawing_an_item_after_publication_needs_a_reason_and_is_public(
    officer, meeting, agenda
):
    domain.publish_agenda(None, meeting, now=ON_TIME)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.remove_agenda_item(officer, agenda["other"])
    assert "reason" in caught.value.message_dict
    assert counts() == before
    domain.remove_agenda_item(officer, agenda["other"], reason="Nothing to discuss")
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public) == ("item_withdrawn", True)
    assert entry.details == {
        "number": "3",
        "title": "Any other business",
        "reason": "Nothing to discuss",
    }
    assert entry.describe() == "Item 3 withdrawn: Any other business. Reason: Nothing to discuss"


def test_an_item_with_a_decision_or_vote_cannot_be_removed(council, officer, meeting, agenda):
    councillor = factories.CouncillorFactory(council=council)
    domain.record_vote(
        None,
        meeting,
        motion="Approve",
        positions={councillor.pk: "for"},
        agenda_item=agenda["other"],
    )
    domain.record_decision(
        None,
        council,
        title="Approved",
        text="Approved.",
        decision_maker="Cabinet",
        decided_on=dt.date(2030, 3, 14),
        agenda_item=agenda["apologies"],
    )
    before = counts()
    for name in ("other", "apologies"):
        with pytest.raises(ValidationError) as caught:
            domain.remove_agenda_item(officer, agenda[name])
        assert caught.value.code == "has_record"
    assert counts() == before


def test_an_item_whose_sub_item_has_a_decision_cannot_be_removed(council, officer, agenda):
    decision = domain.record_decision(
        None,
        council,
        title="Bridges approved",
        text="Approved.",
        decision_maker="Cabinet",
        decided_on=dt.date(2030, 3, 14),
        agenda_item=agenda["bridges"],
    )
    with pytest.raises(ValidationError):
        domain.remove_agenda_item(officer, agenda["budget"])
    assert Decision.objects.filter(pk=decision.pk).exists()


# --- Exemption ---------------------------------------------------------------------------


def test_an_exempt_item_needs_a_paragraph_of_schedule_12a(meeting):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        add(meeting, "Land sale", kind="exempt")
    assert caught.value.message_dict == {
        "exempt_paragraph": ["An exempt item needs the paragraph of Schedule 12A it falls under."]
    }
    for paragraph in (0, 8, -1, "x", True, 3.7, "3.7", float("inf")):
        with pytest.raises(ValidationError):
            add(meeting, "Land sale", kind="exempt", exempt_paragraph=paragraph)
    assert counts() == before
    assert add(meeting, "Land sale", kind="exempt", exempt_paragraph="3").exempt_paragraph == 3


def test_sub_items_of_an_exempt_item_are_exempt(meeting):
    secret = add(meeting, "Land sale", kind="exempt", exempt_paragraph=3)
    valuation = add(meeting, "Valuation", parent=secret)
    bidders = add(meeting, "Bidders", parent=valuation)
    assert (secret.is_exempt, valuation.is_exempt, bidders.is_exempt) == (True, True, True)
    assert list(AgendaItem.objects.public().filter(meeting=meeting)) == []


def _papers_votes_and_decisions(council, meeting, items):
    councillor = factories.CouncillorFactory(council=council)
    made = {}
    for name, item in items.items():
        made[name] = (
            domain.attach_document(
                None, council, data=make_pdf(name), title=name, kind="report", agenda_item=item
            ),
            domain.record_vote(
                None, meeting, motion=name, positions={councillor.pk: "for"}, agenda_item=item
            ),
            domain.record_decision(
                None,
                council,
                title=name,
                text=name,
                decision_maker="Cabinet",
                decided_on=dt.date(2030, 3, 14),
                agenda_item=item,
            ),
        )
    return made


def _exempt(records):
    return [type(r).objects.get(pk=r.pk).is_exempt for r in records]


def test_exemption_flows_to_sub_items_papers_votes_and_decisions_and_back(
    council, officer, meeting, agenda
):
    made = _papers_votes_and_decisions(
        council, meeting, {n: agenda[n] for n in ("budget", "capital", "bridges", "apologies")}
    )
    domain.update_agenda_item(officer, agenda["budget"], exempt_paragraph=3)
    exempt = {n: fresh(agenda[n]).is_exempt for n in agenda}
    assert exempt == {
        "apologies": False,
        "budget": True,
        "capital": True,
        "bridges": True,
        "revenue": True,
        "other": False,
    }
    for name in ("budget", "capital", "bridges"):
        assert _exempt(made[name]) == [True, True, True], name
    assert _exempt(made["apologies"]) == [False, False, False]
    # The staff timeline entry for the change does not carry the exempt title.
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.details["title"]) == ("item_updated", False, "")

    domain.update_agenda_item(officer, agenda["budget"], exempt_paragraph=None)
    assert not AgendaItem.objects.filter(meeting=meeting, is_exempt=True).exists()
    for name in ("budget", "capital", "bridges"):
        assert _exempt(made[name]) == [False, False, False], name


def test_a_sub_item_stays_exempt_while_its_parent_is(officer, meeting):
    secret = add(meeting, "Land sale", kind="exempt", exempt_paragraph=3)
    valuation = add(meeting, "Valuation", parent=secret, exempt_paragraph=1)
    domain.update_agenda_item(officer, valuation, exempt_paragraph=None)
    assert fresh(valuation).is_exempt
    domain.update_agenda_item(officer, secret, kind="report", exempt_paragraph=None)
    assert not fresh(valuation).is_exempt


def test_an_exempt_appendix_stays_exempt_when_its_public_item_is_edited(
    council, officer, meeting, agenda
):
    appendix = domain.attach_document(
        None,
        council,
        data=make_pdf("Valuation"),
        title="Appendix 2 (exempt)",
        kind="appendix",
        agenda_item=agenda["budget"],
        exempt_paragraph=3,
    )
    assert appendix.is_exempt
    domain.update_agenda_item(officer, agenda["budget"], title="Budget 2030/31")
    assert Document.objects.get(pk=appendix.pk).is_exempt


def test_an_exempt_appendix_stays_exempt_when_its_items_exemption_is_lifted(
    council, officer, meeting, agenda
):
    appendix = domain.attach_document(
        None,
        council,
        data=make_pdf("Valuation"),
        title="Appendix 2 (exempt)",
        kind="appendix",
        agenda_item=agenda["budget"],
        exempt_paragraph=3,
    )
    domain.update_agenda_item(officer, agenda["budget"], exempt_paragraph=3)
    domain.update_agenda_item(officer, agenda["budget"], exempt_paragraph=None)
    assert Document.objects.get(pk=appendix.pk).is_exempt


def test_making_an_item_exempt_takes_its_title_off_the_public_timeline(
    council, officer, meeting, agenda
):
    domain.publish_agenda(None, meeting, now=ON_TIME)
    late = domain.add_agenda_item(
        officer, meeting, title="Sale of the depot", is_urgent=True, urgency_reason="Offer expires"
    )
    domain.attach_document(
        None,
        council,
        data=make_pdf("Offer"),
        title="Depot offer letter",
        kind="report",
        agenda_item=late,
    )
    domain.update_agenda_item(officer, late, exempt_paragraph=3)
    public = TimelineEntry.objects.filter(meeting=meeting, is_public=True)
    titles = [str(entry.details.get("title", "")) for entry in public]
    assert not any("depot" in title.lower() for title in titles), titles


# --- Late items -----------------------------------------------------------------------------


def test_an_item_added_after_publication_must_be_urgent_with_a_reason(officer, meeting, agenda):
    domain.publish_agenda(None, meeting, now=ON_TIME)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        domain.add_agenda_item(officer, meeting, title="Storm damage")
    assert caught.value.message_dict.keys() == {"is_urgent"}
    with pytest.raises(ValidationError) as caught:
        domain.add_agenda_item(officer, meeting, title="Storm damage", is_urgent=True)
    assert caught.value.message_dict.keys() == {"urgency_reason"}
    assert counts() == before

    item = domain.add_agenda_item(
        officer, meeting, title="Storm damage", is_urgent=True, urgency_reason="The storm"
    )
    assert (item.number, item.is_late, item.is_urgent, item.urgency_reason) == (
        "4",
        True,
        True,
        "The storm",
    )
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public) == ("item_added", True)
    assert entry.details == {"number": "4", "title": "Storm damage", "reason": "The storm"}
    assert entry.describe() == "Urgent item 4 added: Storm damage. Reason: The storm"


def test_a_late_exempt_item_is_kept_off_the_public_timeline(officer, meeting, agenda):
    domain.publish_agenda(None, meeting, now=ON_TIME)
    domain.add_agenda_item(
        officer,
        meeting,
        title="Redundancy terms",
        kind="exempt",
        exempt_paragraph=4,
        is_urgent=True,
        urgency_reason="Consultation deadline",
    )
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.details["title"]) == ("item_added", False, "")
    assert "Redundancy" not in str(entry.details)


def test_a_late_item_must_stay_urgent(officer, meeting, agenda):
    domain.publish_agenda(None, meeting, now=ON_TIME)
    item = domain.add_agenda_item(
        officer, meeting, title="Storm damage", is_urgent=True, urgency_reason="The storm"
    )
    with pytest.raises(ValidationError) as caught:
        domain.update_agenda_item(officer, item, is_urgent=False)
    assert "is_urgent" in caught.value.message_dict
    assert fresh(item).is_urgent


def test_an_item_of_another_meeting_cannot_be_a_parent(meeting, council):
    stranger = factories.AgendaItemFactory(meeting=factories.MeetingFactory(body__council=council))
    before = counts()
    with pytest.raises(ValidationError) as caught:
        add(meeting, "Orphan", parent=stranger)
    assert "parent" in caught.value.message_dict
    assert counts() == before


@pytest.mark.parametrize("field", ["lead_officer", "portfolio"])
def test_an_over_long_lead_officer_or_portfolio_is_refused(meeting, field):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        add(meeting, "Budget", **{field: "x" * 201})
    assert field in caught.value.message_dict
    assert counts() == before


# --- Confidential items (s.100A(3): private without a Schedule 12A paragraph) --------------


def test_a_confidential_item_is_private_with_its_sub_items_and_back_when_lifted(
    officer, meeting, agenda
):
    domain.update_agenda_item(officer, agenda["budget"], is_confidential=True)
    budget = fresh(agenda["budget"])
    assert (budget.is_exempt, budget.exempt_paragraph) == (True, None)
    assert fresh(agenda["bridges"]).is_exempt
    domain.update_agenda_item(officer, agenda["budget"], is_confidential=False)
    assert not AgendaItem.objects.filter(meeting=meeting, is_exempt=True).exists()


def test_a_confidential_item_can_be_added_without_a_paragraph(meeting):
    item = add(meeting, "Legal advice", is_confidential=True)
    child = add(meeting, "Counsel's opinion", parent=item)
    assert (item.is_exempt, item.exempt_paragraph, fresh(child).is_exempt) == (True, None, True)


def test_making_an_item_exempt_takes_its_decisions_and_votes_off_the_public_timeline(
    council, officer, meeting, agenda
):
    domain.publish_agenda(None, meeting, now=ON_TIME)
    councillor = factories.CouncillorFactory(council=council)
    domain.record_vote(
        None, meeting, motion="Sell", positions={councillor.pk: "for"}, agenda_item=agenda["other"]
    )
    domain.record_decision(
        None,
        council,
        title="Sale of the depot agreed",
        text="Agreed.",
        decision_maker="Cabinet",
        decided_on=dt.date(2030, 3, 14),
        agenda_item=agenda["other"],
    )
    assert meeting.timeline.filter(is_public=True, kind="decision_recorded").exists()
    domain.update_agenda_item(officer, agenda["other"], exempt_paragraph=3)
    public = meeting.timeline.filter(is_public=True)
    assert not public.filter(kind__in=["decision_recorded", "vote_recorded"]).exists()
    assert "depot" not in str(list(public.values_list("details", flat=True))).lower()


def test_withdrawing_an_exempt_item_keeps_its_title_off_the_public_timeline(officer, meeting):
    secret = add(meeting, "Redundancy terms", exempt_paragraph=4)
    domain.publish_agenda(None, meeting, now=ON_TIME)
    domain.remove_agenda_item(officer, secret, reason="Settled")
    entry = meeting.timeline.latest("id")
    assert (entry.kind, entry.is_public, entry.details["title"]) == ("item_withdrawn", False, "")
    assert "Redundancy" not in str(entry.details)
