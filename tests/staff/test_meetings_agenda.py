"""A meeting's workspace: the nested agenda, its items, moving them, and publishing it."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from moothall.core.models import AuditEntry
from moothall.meetings import domain
from moothall.meetings.models import AgendaItem, Meeting, TimelineEntry
from tests.staff import html
from tests.staff.meetings_scene import PDF, Scene

pytestmark = pytest.mark.django_db


class _Agenda(HTMLParser):
    """Reads the agenda list: (depth, "number. title", [tags]) for each item, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.inside = False
        self.items: list[tuple[int, str, list[str]]] = []
        self.capture: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "h2" and attributes.get("id") == "agenda":
            self.inside = True
        elif tag == "h2":
            self.inside = False
        if not self.inside:
            return
        classes = attributes.get("class") or ""
        if tag == "ol":
            self.depth += 1
        elif tag == "li" and (attributes.get("id") or "").startswith("item-"):
            self.items.append((self.depth, "", []))
        elif tag == "span" and "govuk-!-font-weight-bold" in classes and self.items:
            self.capture, self.text = "title", ""
        elif tag == "strong" and "govuk-tag" in classes and self.items:
            self.capture, self.text = "tag", ""

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "ol":
            self.depth -= 1
        elif tag in ("span", "strong") and self.capture:
            depth, _title, tags = self.items[-1]
            if self.capture == "title":
                self.items[-1] = (depth, self.text.strip(), tags)
            else:
                tags.append(self.text.strip())
            self.capture = None

    def handle_data(self, data: str) -> None:
        if self.capture:
            self.text += data


def agenda(response) -> list[tuple[int, str, list[str]]]:
    parser = _Agenda()
    parser.feed(response.content.decode())
    return parser.items


def _soon(days: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(18, 30)))


def test_the_workspace_shows_the_agenda_nested_and_numbered(clerk, scene: Scene):
    response = clerk.get(scene.url())

    assert response.status_code == 200
    assert html.h1(response) == "Planning Committee, 14 March 2030"
    assert agenda(response) == [
        (1, "1. Apologies for absence", []),
        (1, "2. Bin collections", []),
        (2, "2a. Appendix: round changes", []),
        (1, "3. Sale of land at Moot Lane", ["Exempt – paragraph 3"]),
        (2, "3a. Valuation", ["Exempt – paragraph 3"]),
    ]
    assert html.summary(response)["Agenda"] == "Not published yet. Deadline: 6 March 2030"


def test_staff_see_exempt_items_in_full_and_marked(clerk, scene: Scene):
    domain.update_agenda_item(None, scene.land, description="The buyer's offer is confidential.")

    page = html.main_text(clerk.get(scene.url()))

    assert "3. Sale of land at Moot Lane Exempt (private) business Exempt – paragraph 3" in page


def test_the_workspace_runs_the_same_queries_however_long_the_agenda(clerk, scene: Scene):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert clerk.get(scene.url()).status_code == 200
        return len(queries)

    few = count()
    for n in range(8):
        item = domain.add_agenda_item(None, scene.meeting, title=f"Report {n}", parent=scene.bins)
        domain.attach_document(
            None, scene.meeting.council, data=PDF, title=f"Paper {n}", kind="report",
            agenda_item=item,
        )  # fmt: skip
        domain.record_decision(
            None, scene.meeting.council, title=f"Decision {n}", text="Agreed.",
            decision_maker="Committee", decided_on=dt.date(2030, 3, 14), agenda_item=item,
        )  # fmt: skip
    many = count()

    assert few == many
    assert many <= 15


def test_a_clerk_adds_a_sub_item_with_its_details(clerk, scene: Scene, officer):
    response = clerk.post(
        scene.url(f"items/new/?parent={scene.bins.pk}"),
        {
            "title": "Garden waste",
            "description": "A new round.",
            "kind": "report",
            "parent": scene.bins.pk,
            "exempt_paragraph": "",
            "lead_officer": "Pat Lee",
            "portfolio": "Environment",
        },
    )

    item = AgendaItem.objects.get(title="Garden waste")
    assert response.status_code == 302
    assert response["Location"] == scene.url()
    assert (item.number, item.parent, item.lead_officer, item.portfolio, item.is_exempt) == (
        "2b",
        scene.bins,
        "Pat Lee",
        "Environment",
        False,
    )
    assert AuditEntry.objects.filter(action="meetings.add_agenda_item", actor=officer).count() == 1
    assert html.banners(clerk.get(response["Location"])) == ["Item 2b added: Garden waste."]


def test_the_add_form_offers_the_parent_from_the_link(clerk, scene: Scene):
    response = clerk.get(scene.url(f"items/new/?parent={scene.bins.pk}"))

    assert response.context["form"]["parent"].value() == str(scene.bins.pk)


def test_an_exempt_item_needs_its_paragraph(clerk, scene: Scene):
    before = AgendaItem.objects.count()

    response = clerk.post(scene.url("items/new/"), {"title": "Staffing", "kind": "exempt"})

    assert response.status_code == 200
    assert html.error_summary(response) == [
        "An exempt item needs the paragraph of Schedule 12A it falls under."
    ]
    assert html.error_links(response) == ["#id_exempt_paragraph"]
    assert AgendaItem.objects.count() == before


def test_an_item_marked_exempt_with_a_paragraph_is_shown_exempt(clerk, scene: Scene):
    clerk.post(
        scene.url("items/new/"), {"title": "Staffing", "kind": "report", "exempt_paragraph": "1"}
    )

    assert agenda(clerk.get(scene.url()))[-1] == (1, "4. Staffing", ["Exempt – paragraph 1"])


def test_an_urgent_item_needs_its_reason(clerk, scene: Scene):
    before = AgendaItem.objects.count()

    response = clerk.post(
        scene.url("items/new/"), {"title": "Storm damage", "kind": "urgent", "is_urgent": "on"}
    )

    assert html.error_summary(response) == ["Enter why the item is urgent."]
    assert AgendaItem.objects.count() == before


def test_after_publication_a_new_item_must_be_urgent(clerk, scene: Scene):
    domain.publish_agenda(None, scene.meeting)
    before = AgendaItem.objects.count()

    refused = clerk.post(scene.url("items/new/"), {"title": "Storm damage", "kind": "report"})
    added = clerk.post(
        scene.url("items/new/"),
        {"title": "Storm damage", "kind": "report", "is_urgent": "on",
         "urgency_reason": "The roof fell in on Monday."},
    )  # fmt: skip

    assert html.error_summary(refused) == [
        "The agenda has been published: an item added now must be marked urgent, with the "
        "reason it cannot wait."
    ]
    assert html.error_links(refused) == ["#id_is_urgent"]
    assert added.status_code == 302
    assert AgendaItem.objects.count() == before + 1
    item = AgendaItem.objects.get(title="Storm damage")
    assert (item.is_urgent, item.is_late, item.number) == (True, True, "4")
    assert scene.meeting.timeline.get(kind="item_added", is_public=True).describe() == (
        "Urgent item 4 added: Storm damage. Reason: The roof fell in on Monday."
    )
    assert agenda(clerk.get(scene.url()))[-1] == (
        1, "4. Storm damage", ["Urgent", "Added after publication"]
    )  # fmt: skip


def test_a_clerk_edits_an_item_and_exemption_follows(clerk, scene: Scene):
    response = clerk.get(scene.url(f"items/{scene.bins.pk}/edit/"))
    assert response.context["form"].initial["title"] == "Bin collections"
    assert "parent" not in response.context["form"].fields

    saved = clerk.post(
        scene.url(f"items/{scene.bins.pk}/edit/"),
        {"title": "Bin collections (revised)", "kind": "report", "exempt_paragraph": "3",
         "lead_officer": "Pat Lee"},
    )  # fmt: skip

    assert saved.status_code == 302
    assert agenda(clerk.get(scene.url()))[1:3] == [
        (1, "2. Bin collections (revised)", ["Exempt – paragraph 3"]),
        (2, "2a. Appendix: round changes", ["Exempt – paragraph 3"]),
    ]


def test_a_clerk_removes_an_item_before_publication_without_a_reason(clerk, scene: Scene):
    response = clerk.post(scene.url(f"items/{scene.bins.pk}/remove/"), {})

    assert response.status_code == 302
    assert list(scene.meeting.items.order_by("sort_key").values_list("number", "title")) == [
        ("1", "Apologies for absence"),
        ("2", "Sale of land at Moot Lane"),
        ("2a", "Valuation"),
    ]
    # Drafting before publication stays off the public timeline.
    assert list(scene.meeting.timeline.filter(kind="item_withdrawn").values_list("is_public")) == [
        (False,)
    ]


def test_after_publication_removing_an_item_needs_a_reason(clerk, scene: Scene):
    domain.publish_agenda(None, scene.meeting)
    page = clerk.get(scene.url(f"items/{scene.appendix.pk}/remove/"))
    assert page.context["form"].fields["reason"].required

    refused = clerk.post(scene.url(f"items/{scene.appendix.pk}/remove/"), {"reason": ""})
    removed = clerk.post(
        scene.url(f"items/{scene.appendix.pk}/remove/"), {"reason": "Report not ready."}
    )

    assert html.error_summary(refused) == ["Enter a reason."]
    assert removed.status_code == 302
    assert not AgendaItem.objects.filter(pk=scene.appendix.pk).exists()
    assert scene.meeting.timeline.get(kind="item_withdrawn", is_public=True).describe() == (
        "Item 2a withdrawn: Appendix: round changes. Reason: Report not ready."
    )


def test_move_buttons_reorder_the_agenda_without_javascript(clerk, scene: Scene):
    page = clerk.get(scene.url()).content.decode()
    assert page.count(f'action="/mootshire/staff/meetings/{scene.meeting.pk}/items/') == 4

    down = clerk.post(scene.url(f"items/{scene.apologies.pk}/move/"), {"direction": "down"})
    up = clerk.post(scene.url(f"items/{scene.land.pk}/move/"), {"direction": "up"})

    assert down.status_code == 302
    assert down["Location"] == scene.url()
    assert up.status_code == 302
    assert [(d, t) for d, t, _tags in agenda(clerk.get(scene.url()))] == [
        (1, "1. Bin collections"),
        (2, "1a. Appendix: round changes"),
        (1, "2. Sale of land at Moot Lane"),
        (2, "2a. Valuation"),
        (1, "3. Apologies for absence"),
    ]


def test_the_first_item_has_no_move_up_and_the_last_no_move_down(clerk, scene: Scene):
    page = clerk.get(scene.url()).content.decode()

    assert page.count("Move up<span") == 2  # items 2 and 3
    assert page.count("Move down<span") == 2  # items 1 and 2


def test_a_move_must_be_posted_and_say_which_way(clerk, scene: Scene):
    url = scene.url(f"items/{scene.bins.pk}/move/")

    assert clerk.get(url).status_code == 405
    nonsense = clerk.post(url, {"direction": "sideways"}, follow=True)

    assert html.banners(nonsense) == ["Choose to move the item up or down."]
    scene.bins.refresh_from_db()
    assert scene.bins.number == "2"


def test_a_clerk_publishes_the_agenda_on_time(clerk, scene: Scene, officer):
    page = clerk.get(scene.url("publish/"))
    assert "late_reason" not in page.context["form"].fields
    assert "The deadline to publish this agenda is 6 March 2030." in html.main_text(page)

    response = clerk.post(scene.url("publish/"), {})

    scene.meeting.refresh_from_db()
    assert response.status_code == 302
    assert scene.meeting.is_agenda_published
    assert not scene.meeting.agenda_late
    assert scene.meeting.timeline.filter(kind="agenda_published", actor=officer).count() == 1
    assert html.banners(clerk.get(response["Location"])) == ["The agenda has been published."]
    # Published once: the page now sends the clerk back.
    again = clerk.get(scene.url("publish/"))
    assert again.status_code == 302


def test_publishing_late_asks_for_the_reason_and_needs_it(clerk, scene: Scene):
    soon = domain.create_meeting(None, scene.body, start=_soon(2))
    domain.add_agenda_item(None, soon, title="Budget")
    url = f"/mootshire/staff/meetings/{soon.pk}/"

    workspace = clerk.get(url)
    page = clerk.get(url + "publish/")
    refused = clerk.post(url + "publish/", {"late_reason": "   "})

    assert html.summary(workspace)["Agenda"].endswith("Deadline passed")
    assert "Publishing now needs the reason the business is urgent" in html.main_text(workspace)
    assert page.context["form"].fields["late_reason"].required
    assert "It can only be published now as urgent business" in html.main_text(page)
    assert html.error_summary(refused) == ["Enter a reason."]
    assert html.error_links(refused) == ["#id_late_reason"]
    soon.refresh_from_db()
    assert not soon.is_agenda_published
    assert not TimelineEntry.objects.filter(meeting=soon, kind="agenda_published").exists()

    published = clerk.post(url + "publish/", {"late_reason": "The budget figures came late."})

    soon.refresh_from_db()
    assert published.status_code == 302
    assert (soon.agenda_late, soon.late_reason) == (True, "The budget figures came late.")
    assert soon.items.get().is_urgent
    assert html.banners(clerk.get(url)) == ["The agenda has been published, marked as late."]
    assert "Published late The budget figures came late." in html.summary(clerk.get(url))["Agenda"]


def test_an_empty_agenda_cannot_be_published(clerk, scene: Scene):
    empty = domain.create_meeting(None, scene.body, start=scene.meeting.start + dt.timedelta(7))

    response = clerk.post(f"/mootshire/staff/meetings/{empty.pk}/publish/", {})

    assert html.error_summary(response) == ["Add at least one item before publishing the agenda."]
    empty.refresh_from_db()
    assert empty.agenda_published_at is None


def test_the_workspace_shows_the_timeline_with_staff_only_entries_marked(clerk, scene: Scene):
    domain.publish_agenda(None, scene.meeting)
    domain.add_agenda_item(
        None, scene.meeting, title="Pay", kind="exempt", exempt_paragraph=1, is_urgent=True,
        urgency_reason="Deadline",
    )  # fmt: skip

    text = html.main_text(clerk.get(scene.url()))

    timeline = text[text.index("Timeline") :]
    assert "Meeting scheduled for 14 March 2030, 18:30." in timeline
    assert "Agenda published." in timeline
    assert "Urgent item 4 added: . Reason: Deadline Staff only" in timeline


def test_a_cancelled_meeting_offers_no_publishing_or_postponing(clerk, scene: Scene):
    domain.cancel_meeting(None, scene.meeting, reason="No business")

    page = clerk.get(scene.url())
    links = [href for _text, href in html.links(page)]

    assert scene.url("publish/") not in links
    assert scene.url("postpone/") not in links
    assert Meeting.objects.get(pk=scene.meeting.pk).status == "cancelled"
