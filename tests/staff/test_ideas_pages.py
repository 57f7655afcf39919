"""The back-office for ideas: who may open which screen, and what each screen does.

Olive Officer acts on ideas; Morgan Moderator sees them and removes comments; Ada Admin
also sets who may take part; the outsider (an officer of Elsewhere) sees nothing here.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from moothall.core.models import AuditEntry
from moothall.ideas import domain
from moothall.ideas.models import Comment, Idea, IdeaAgendaLink, IdeaSettings
from moothall.meetings.models import AgendaItem
from tests import factories
from tests.ideas.scene import Scene, build_scene, person
from tests.staff import html

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council, other_council, resident) -> Scene:
    return build_scene(council, other_council, resident)


@pytest.fixture
def things(council, scene, resident, officer):
    """Ids for literal URLs: a comment, a duplicate idea, an agenda link."""
    comment = domain.comment(resident, scene.idea, body="Near the pond.")
    duplicate = domain.propose_idea(resident, council, title="Seats in Moot Park", body="B")
    link = domain.place_idea_on_agenda(None, duplicate, scene.meeting)
    return {"idea": scene.idea.pk, "comment": comment.pk, "dup": duplicate.pk, "link": link.pk}


PAGES = {
    "list": "",
    "idea": "{idea}/",
    "status": "{idea}/status/",
    "respond": "{idea}/respond/",
    "merge": "{idea}/merge/",
    "agenda": "{idea}/agenda/",
    "decision": "links/{link}/decision/",
    "remove comment": "comments/{comment}/remove/",
    "settings": "settings/",
}
MODERATOR_PAGES = {"list", "idea", "remove comment"}
ADMIN_PAGES = {"settings"}


def url(path: str, ids: dict[str, int]) -> str:
    return "/mootshire/staff/ideas/" + path.format(**ids)


@pytest.mark.parametrize(
    "role", ["resident", "councillor_user", "moderator", "officer", "council_admin", "outsider"]
)
def test_who_may_open_each_screen(request, client, things, role):
    client.force_login(request.getfixturevalue(role))
    allowed = {
        "resident": set(),
        "councillor_user": set(),
        "outsider": set(),
        "moderator": MODERATOR_PAGES,
        "officer": set(PAGES) - ADMIN_PAGES,
        "council_admin": set(PAGES),
    }[role]

    statuses = {name: client.get(url(path, things)).status_code for name, path in PAGES.items()}

    assert statuses == {name: 200 if name in allowed else 403 for name in PAGES}


def test_signed_out_people_are_sent_to_sign_in(client, things):
    response = client.get("/mootshire/staff/ideas/")

    assertRedirects(
        response,
        "/accounts/login/?next=/mootshire/staff/ideas/",
        fetch_redirect_response=False,
    )


def test_an_idea_of_another_council_is_not_found_from_here(
    client, other_council, outsider, officer, things
):
    theirs = domain.propose_idea(outsider, other_council, title="Elsewhere", body="B")
    client.force_login(officer)

    assert client.get(f"/mootshire/staff/ideas/{theirs.pk}/").status_code == 404
    assert client.get(f"/mootshire/staff/ideas/{theirs.pk}/status/").status_code == 404


def test_the_dashboard_links_to_ideas_for_staff_who_look_after_them(client, moderator, officer):
    for someone in (moderator, officer):
        client.force_login(someone)
        assertContains(client.get("/mootshire/staff/"), 'href="/mootshire/staff/ideas/"')


# --- The list --------------------------------------------------------------------------------


def test_the_list_filters_by_status_and_finds_by_title_or_number(
    client, council, scene, officer, things
):
    domain.set_idea_status(officer, scene.idea, "accepted")
    client.force_login(officer)

    rows = html.table_rows(client.get("/mootshire/staff/ideas/?status=accepted"))
    assert [row[0] for row in rows] == [str(scene.idea.pk)]
    rows = html.table_rows(client.get("/mootshire/staff/ideas/?q=seats"))
    assert [row[1] for row in rows] == ["Seats in Moot Park"]
    rows = html.table_rows(client.get(f"/mootshire/staff/ideas/?q={things['dup']}"))
    assert [row[0] for row in rows] == [str(things["dup"])]
    assert client.get("/mootshire/staff/ideas/?q=%00&status=evil").status_code == 200


def _queries(client, address: str) -> int:
    client.get(address)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def test_the_list_and_an_idea_run_the_same_few_queries_however_much_there_is(
    client, council, scene, resident, officer
):
    client.force_login(officer)

    def grow(n: int) -> None:
        for i in range(n):
            idea = domain.propose_idea(
                resident, council, title=f"Grown {i}", body="B", ward=scene.hill_ward
            )
            domain.support_idea(resident, idea)
            domain.comment(resident, scene.idea, body=f"c{i}")
            domain.respond_to_idea(officer, scene.idea, body="r")
            domain.place_idea_on_agenda(officer, scene.idea, scene.meeting, title=f"Item {i}")

    for address in ("/mootshire/staff/ideas/", f"/mootshire/staff/ideas/{scene.idea.pk}/"):
        grow(2)
        before = _queries(client, address)
        grow(3)
        assert _queries(client, address) == before, address


# --- Acting on an idea -------------------------------------------------------------------------


def test_an_officer_changes_the_status_with_a_published_reason(client, scene, officer):
    client.force_login(officer)
    page = client.get(f"/mootshire/staff/ideas/{scene.idea.pk}/status/")
    assert [c[0] for c in page.context["form"].fields["status"].choices] == [
        "under_consideration",
        "accepted",
        "not_taken_forward",
    ]

    response = client.post(
        f"/mootshire/staff/ideas/{scene.idea.pk}/status/",
        {"status": "not_taken_forward", "reason": "The park is being sold."},
        follow=True,
    )

    assert html.banners(response) == ["The idea is now “Not taken forward”."]
    idea = Idea.objects.get(pk=scene.idea.pk)
    assert (idea.status, idea.status_reason) == ("not_taken_forward", "The park is being sold.")


def test_not_taking_forward_without_a_reason_is_refused(client, scene, officer):
    client.force_login(officer)

    response = client.post(
        f"/mootshire/staff/ideas/{scene.idea.pk}/status/", {"status": "not_taken_forward"}
    )

    assert html.error_summary(response) == ["Enter the reason the idea is not taken forward."]
    assert Idea.objects.get(pk=scene.idea.pk).status == "new"


def test_a_status_not_offered_is_refused(client, scene, officer):
    client.force_login(officer)

    response = client.post(f"/mootshire/staff/ideas/{scene.idea.pk}/status/", {"status": "done"})

    assert html.error_summary(response) == ["Choose one of the statuses offered."]


def test_an_officer_responds_in_the_councils_name(client, council, scene, officer):
    client.force_login(officer)

    response = client.post(
        f"/mootshire/staff/ideas/{scene.idea.pk}/respond/",
        {"body": "We will fit two benches."},
        follow=True,
    )

    assert html.banners(response) == ["The response is published."]
    response = scene.idea.responses.get()
    assert (response.body, response.councillor, response.display_name) == (
        "We will fit two benches.",
        None,
        "",
    )


def test_an_officer_finds_a_duplicate_and_merges_it(client, scene, officer, things):
    client.force_login(officer)
    address = f"/mootshire/staff/ideas/{things['dup']}/merge/"

    found = client.get(address + "?q=benches")
    assert [i.title for i in found.context["matches"]] == ["Benches in Moot Park"]
    chosen = client.get(address + f"?q=benches&into={scene.idea.pk}")
    assert chosen.context["form"]["into"].value() == str(scene.idea.pk)

    response = client.post(
        address, {"into": str(scene.idea.pk), "reason": "Same park."}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"/mootshire/staff/ideas/{scene.idea.pk}/"
    assert html.banners(response) == ["“Seats in Moot Park” is merged into “Benches in Moot Park”."]
    assert Idea.objects.get(pk=things["dup"]).merged_into_id == scene.idea.pk


@pytest.mark.parametrize(
    ("into", "message"),
    [
        ("", "Choose the idea to merge into."),
        ("999999", "There is no idea with that number here."),
        ("abc", "There is no idea with that number here."),
        ("self", "Choose another idea: an idea cannot be merged into itself."),
    ],
)
def test_merging_into_nothing_or_itself_is_refused(client, scene, officer, things, into, message):
    client.force_login(officer)
    value = str(things["dup"]) if into == "self" else into

    response = client.post(f"/mootshire/staff/ideas/{things['dup']}/merge/", {"into": value})

    assert html.error_summary(response) == [message]
    assert Idea.objects.get(pk=things["dup"]).status == "new"


def test_an_idea_of_another_council_cannot_be_merged_into(
    client, other_council, outsider, officer, things
):
    theirs = domain.propose_idea(outsider, other_council, title="Elsewhere", body="B")
    client.force_login(officer)

    response = client.post(
        f"/mootshire/staff/ideas/{things['dup']}/merge/", {"into": str(theirs.pk)}
    )

    assert html.error_summary(response) == ["There is no idea with that number here."]


def test_an_officer_places_an_idea_on_an_upcoming_meeting(client, other_council, scene, officer):
    factories.MeetingFactory(body__council=other_council)  # never offered here
    client.force_login(officer)
    address = f"/mootshire/staff/ideas/{scene.idea.pk}/agenda/"
    offered = list(client.get(address).context["form"].fields["meeting"].queryset)
    assert offered == [scene.meeting]

    response = client.post(
        address, {"meeting": scene.meeting.pk, "title": "", "kind": "report"}, follow=True
    )

    assert html.banners(response) == [f"The idea is on the agenda of {scene.meeting} as item 1."]
    item = AgendaItem.objects.get(meeting=scene.meeting)
    assert item.title == "Benches in Moot Park"
    assert IdeaAgendaLink.objects.get(idea=scene.idea).agenda_item == item


def test_a_meeting_of_another_council_is_not_a_choice(client, other_council, scene, officer):
    elsewhere = factories.MeetingFactory(body__council=other_council)
    client.force_login(officer)

    response = client.post(
        f"/mootshire/staff/ideas/{scene.idea.pk}/agenda/",
        {"meeting": elsewhere.pk, "kind": "report"},
    )

    assert html.error_summary(response) == ["Choose one of the council's upcoming meetings."]
    assert AgendaItem.objects.count() == 0


def test_an_officer_links_the_decision_of_the_meeting(client, council, scene, officer, things):
    decision = factories.DecisionFactory(
        council=council, meeting=scene.meeting, title="Buy benches", published_at=timezone.now()
    )
    factories.DecisionFactory(council=council, title="Unrelated")
    client.force_login(officer)
    address = f"/mootshire/staff/ideas/links/{things['link']}/decision/"
    offered = [
        label
        for _value, label in client.get(address).context["form"].fields["decision"].widget.choices
    ]
    assert offered[:2] == ["Choose a decision", "Buy benches (14 March 2030)"]

    response = client.post(address, {"decision": decision.pk}, follow=True)

    assert html.banners(response) == ["The decision is linked to the idea."]
    assert IdeaAgendaLink.objects.get(pk=things["link"]).decision == decision


def test_an_exempt_decision_is_not_a_choice(client, council, officer, things):
    secret = factories.DecisionFactory(council=council, is_exempt=True, title="Secret")
    client.force_login(officer)
    address = f"/mootshire/staff/ideas/links/{things['link']}/decision/"

    assertNotContains(client.get(address), "Secret")
    response = client.post(address, {"decision": secret.pk})

    assert html.error_summary(response) == ["Choose one of the council's published decisions."]


# --- Moderating ----------------------------------------------------------------------------------


def test_a_moderator_removes_a_comment_with_a_reason(client, scene, moderator, things):
    client.force_login(moderator)
    address = f"/mootshire/staff/ideas/comments/{things['comment']}/remove/"

    assert html.error_summary(client.post(address, {"reason": ""})) == ["Enter a reason."]
    response = client.post(address, {"reason": "It named a neighbour."}, follow=True)

    assert html.banners(response) == ["The comment is removed."]
    comment = Comment.objects.get(pk=things["comment"])
    assert (comment.is_removed, comment.removed_reason) == (True, "It named a neighbour.")
    assertContains(client.get(address), "This comment has already been removed.")


def test_a_moderator_sees_no_officers_actions(client, scene, moderator, things):
    client.force_login(moderator)

    response = client.get(f"/mootshire/staff/ideas/{scene.idea.pk}/")

    assertNotContains(response, "Publish a response")
    assertNotContains(response, f"/mootshire/staff/ideas/{scene.idea.pk}/status/")
    assertContains(response, f"/mootshire/staff/ideas/comments/{things['comment']}/remove/")


# --- The council's rules --------------------------------------------------------------------------


def test_the_council_admin_sets_who_may_take_part(client, council, council_admin):
    client.force_login(council_admin)
    page = client.get("/mootshire/staff/ideas/settings/")
    assert page.context["form"].initial == {
        "propose_level": "1",
        "support_level": "2",
        "comment_level": "1",
    }

    client.post(
        "/mootshire/staff/ideas/settings/",
        {"propose_level": "2", "support_level": "3", "comment_level": "2"},
    )

    rules = IdeaSettings.for_council(council)
    assert (rules.propose_level, rules.support_level, rules.comment_level) == (2, 3, 2)
    response = client.post("/mootshire/staff/ideas/settings/", {"propose_level": "0"})
    assert "Choose who may take part." in html.error_summary(response)


# --- Safety ---------------------------------------------------------------------------------------


def test_no_ideas_screen_has_inline_script_or_style_and_each_has_one_heading(
    client, council_admin, things
):
    client.force_login(council_admin)
    problems = {}
    for name, path in PAGES.items():
        page = client.get(url(path, things)).content.decode()
        found = (
            re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page)
            + re.findall(r"\sstyle=", page)
            + re.findall(r"\son[a-z]+=", page)
        )
        if found or page.count("<h1") != 1:
            problems[name] = (found, page.count("<h1"))
    assert problems == {}


def test_no_ideas_screen_may_be_kept_by_a_cache(client, council_admin, things):
    client.force_login(council_admin)

    headers = {client.get(url(path, things))["Cache-Control"] for path in PAGES.values()}

    assert headers == {"max-age=0, no-cache, no-store, must-revalidate, private"}


def test_forms_sent_from_another_site_are_refused(council, council_admin, things):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(council_admin)
    before = AuditEntry.objects.count()
    posts = {
        "status": {"status": "accepted"},
        "respond": {"body": "x"},
        "merge": {"into": str(things["idea"])},
        "remove comment": {"reason": "x"},
        "settings": {"propose_level": "1", "support_level": "1", "comment_level": "1"},
    }

    statuses = {
        name: browser.post(url(PAGES[name], things), data).status_code
        for name, data in posts.items()
    }

    assert statuses == dict.fromkeys(posts, 403)
    assert AuditEntry.objects.count() == before


def test_staff_pages_never_show_a_residents_email(client, council, scene, officer, things):
    person("hidden.email@example.org", council)
    client.force_login(officer)

    for path in ("", "{idea}/"):
        assertNotContains(client.get(url(path, things)), "rita.resident@example.org")
