"""The public pages of ideas and needs: the list, proposing, one idea's page and what a
person does there. Rita Resident lives in Mootshire and proposed "Benches in Moot Park"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from moothall.councils.models import Topic
from moothall.ideas import domain
from moothall.ideas.models import Comment, Idea
from moothall.meetings import domain as meetings_domain
from tests import factories
from tests.ideas.scene import Scene, build_scene, jpeg_with_gps, person, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council, other_council, resident) -> Scene:
    return build_scene(council, other_council, resident)


def titles(response) -> list[str]:
    return [idea.title for idea in response.context["page"].object_list]


def propose(council, author, title: str, **fields) -> Idea:
    fields.setdefault("body", "Text.")
    return domain.propose_idea(author, council, title=title, **fields)


# --- The list ------------------------------------------------------------------------------


def test_the_list_shows_ideas_newest_first_with_status_counts_topic_and_ward(
    client, council, scene, resident
):
    second = propose(council, resident, "Bus shelter on Hill Road", ward=scene.hill_ward)
    domain.support_idea(resident, scene.idea)

    response = client.get("/mootshire/ideas/")

    assert response.status_code == 200
    assert titles(response) == [second.title, "Benches in Moot Park"]
    assertContains(response, '<h1 class="govuk-heading-l">Ideas and needs</h1>', html=True)
    assertContains(response, "2 ideas and needs")
    assertContains(
        response,
        f'<a class="govuk-link" href="/mootshire/ideas/{scene.idea.pk}-benches-in-moot-park/">'
        "Benches in Moot Park</a>",
        html=True,
    )
    assertContains(response, "1 supporter ·")
    assertContains(response, "· Parks and green spaces · Moot Ward")


def test_the_list_filters_by_topic_ward_status_and_kind(client, council, scene, resident, officer):
    road = propose(
        council, resident, "Potholes", kind="need", topic=scene.roads, ward=scene.hill_ward
    )
    domain.set_idea_status(officer, road, "accepted")

    assert titles(client.get("/mootshire/ideas/?topic=roads")) == ["Potholes"]
    assert titles(client.get("/mootshire/ideas/?ward=moot-ward")) == ["Benches in Moot Park"]
    assert titles(client.get("/mootshire/ideas/?status=accepted")) == ["Potholes"]
    assert titles(client.get("/mootshire/ideas/?kind=need")) == ["Potholes"]
    assert titles(client.get("/mootshire/ideas/?kind=need&ward=moot-ward")) == []
    assertContains(client.get("/mootshire/ideas/?kind=need&ward=moot-ward"), "No ideas match")


def test_unknown_filters_are_ignored_rather_than_failing(client, scene):
    response = client.get(
        "/mootshire/ideas/?topic=nope&ward=%00&status=merged&kind=x&sort=evil&page=z"
    )

    assert response.status_code == 200
    assert titles(response) == ["Benches in Moot Park"]


def test_the_list_sorts_by_most_supported_and_recently_active(client, council, scene, resident):
    popular = propose(council, resident, "Popular")
    quiet = propose(council, resident, "Quiet")
    for n in range(2):
        domain.support_idea(person(f"s{n}@example.org", council), popular)
    Idea.objects.filter(pk=scene.idea.pk).update(
        last_activity_at=timezone.now() + dt.timedelta(minutes=5)
    )

    assert titles(client.get("/mootshire/ideas/?sort=supported")) == [
        "Popular",
        "Quiet",
        "Benches in Moot Park",
    ]
    assert titles(client.get("/mootshire/ideas/?sort=active"))[0] == "Benches in Moot Park"
    assert titles(client.get("/mootshire/ideas/?sort=newest")) == [
        quiet.title,
        popular.title,
        "Benches in Moot Park",
    ]


def test_sort_links_keep_the_filters(client, scene):
    response = client.get("/mootshire/ideas/?topic=parks&sort=supported")

    assert {key: href for key, _label, href in response.context["sort_links"]} == {
        "newest": "?topic=parks&sort=newest",
        "supported": "?topic=parks&sort=supported",
        "active": "?topic=parks&sort=active",
    }
    assertContains(response, '<strong aria-current="true">Most supported</strong>', html=True)


def test_merged_ideas_are_not_listed(client, council, scene, resident, officer):
    duplicate = propose(council, resident, "Seats in Moot Park")
    domain.merge_ideas(officer, duplicate, scene.idea)

    assert titles(client.get("/mootshire/ideas/")) == ["Benches in Moot Park"]


def test_the_list_is_paginated_keeping_filters_and_sort(client, council, scene, resident):
    Idea.objects.bulk_create(
        [
            Idea(council=council, author=resident, title=f"Idea {n}", body="B", topic=scene.parks)
            for n in range(25)
        ]
    )

    response = client.get("/mootshire/ideas/?topic=parks&sort=supported")

    assert len(titles(response)) == 20
    assertContains(response, 'href="?topic=parks&amp;sort=supported&amp;page=2"')
    assert len(titles(client.get("/mootshire/ideas/?topic=parks&sort=supported&page=2"))) == 6


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _grow(council, scene, resident, n: int) -> None:
    for i in range(n):
        idea = propose(council, resident, f"Grown {i}", topic=scene.roads, ward=scene.hill_ward)
        domain.support_idea(resident, idea)
        domain.comment(resident, idea, body="More")
        factories.WardFactory(council=council)
        Topic.objects.create(council=council, name=f"Topic {n}-{i}", slug=f"topic-{n}-{i}")


@pytest.mark.parametrize(
    "query", ["", "?sort=supported", "?sort=active&topic=roads", "?ward=hill-ward&status=new"]
)
def test_the_list_runs_the_same_few_queries_however_many_ideas(
    client, council, scene, resident, query
):
    client.force_login(resident)
    url = f"/mootshire/ideas/{query}"
    _grow(council, scene, resident, 3)
    before = _queries(client, url)
    _grow(council, scene, resident, 6)
    after = _queries(client, url)

    assert before == after
    assert after <= 9


# --- Proposing ---------------------------------------------------------------------------------


def test_proposing_needs_signing_in(client, scene):
    response = client.get("/mootshire/ideas/new/")

    assertRedirects(
        response, "/accounts/login/?next=/mootshire/ideas/new/", fetch_redirect_response=False
    )


def test_a_resident_proposes_an_idea_with_a_picture_and_lands_on_its_page(
    client, council, scene, resident
):
    client.force_login(resident)
    picture = jpeg_with_gps()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/mootshire/ideas/new/",
        {
            "kind": "need",
            "title": "Dark path by the river",
            "body": "The lights have been out *for weeks*.",
            "topic": "roads",
            "ward": "hill-ward",
            "latitude": "51.75",
            "longitude": "-1.25",
            "image": SimpleUploadedFile("me-at-home.jpg", picture, content_type="image/jpeg"),
            "alt_text": "A dark riverside path at night",
        },
    )

    idea = Idea.objects.get(title="Dark path by the river")
    assertRedirects(response, idea.get_absolute_url(), fetch_redirect_response=False)
    assert (idea.kind, idea.topic, idea.ward, str(idea.latitude)) == (
        "need",
        scene.roads,
        scene.hill_ward,
        "51.75000",
    )
    image = idea.images.get()
    assert "me-at-home" not in image.file.name
    page = client.get(idea.get_absolute_url())
    assertContains(page, "Your idea is published.")
    assertContains(page, "<p>The lights have been out <em>for weeks</em>.</p>", html=True)
    assertContains(page, f'src="{image.get_absolute_url()}" alt="A dark riverside path at night"')
    assertContains(page, "https://www.openstreetmap.org/?mlat=51.75000&amp;mlon=-1.25000")


def test_the_form_offers_the_ward_the_residents_postcode_lies_in(client, council, scene, resident):
    scene.moot_ward.gss_code = "E05999001"
    scene.moot_ward.save()
    from moothall.councils.models import Postcode

    Postcode.objects.filter(postcode="MH1 1AA").update(ward_gss="E05999001")
    client.force_login(resident)

    response = client.get("/mootshire/ideas/new/")

    assert response.context["form"].initial["ward"] == "moot-ward"
    assertContains(response, '<option value="moot-ward" selected>Moot Ward</option>', html=True)


def test_mistakes_come_back_with_a_summary_and_nothing_is_written(client, council, scene, resident):
    client.force_login(resident)
    before = Idea.objects.count()

    response = client.post(
        "/mootshire/ideas/new/",
        {"kind": "idea", "title": "", "body": "B", "topic": "elsewhere", "latitude": "95"},
    )

    assert response.status_code == 400
    errors = re.findall(r'<li><a href="#[^"]+">(.*?)</a></li>', response.content.decode())
    assert errors == [
        "Enter a title.",
        "Choose a topic from the list.",
    ]
    assert Idea.objects.count() == before
    assertContains(response, "<title>Error: Propose an idea or raise a need", status_code=400)


@pytest.mark.parametrize(
    ("point", "errors"),
    [
        (
            {"latitude": "95", "longitude": "1"},
            {"latitude": ["Enter a number between -90 and 90, like 51.50735."]},
        ),
        (
            {"latitude": "51.5"},
            {"longitude": ["Enter both the latitude and the longitude, or neither."]},
        ),
    ],
)
def test_the_verbs_refusals_show_beside_their_field(client, scene, resident, point, errors):
    client.force_login(resident)

    response = client.post(
        "/mootshire/ideas/new/", {"kind": "idea", "title": "T", "body": "B", **point}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == errors


def test_a_picture_without_a_description_is_refused(client, scene, resident):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(resident)

    response = client.post(
        "/mootshire/ideas/new/",
        {
            "kind": "idea",
            "title": "T",
            "body": "B",
            "image": SimpleUploadedFile("a.png", png(), content_type="image/png"),
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "alt_text": ["Describe the picture for people who cannot see it."]
    }


def test_someone_whose_email_is_unverified_is_told_what_to_do(client, scene):
    unverified = factories.UserFactory(email="new@example.org", verified_email=False)
    client.force_login(unverified)

    response = client.get("/mootshire/ideas/new/")

    assertContains(response, "To propose an idea, confirm your email address first.")
    assertNotContains(response, 'name="title"')


def test_the_author_changes_their_idea_while_it_is_new(client, scene, resident, officer):
    client.force_login(resident)
    url = f"/mootshire/ideas/{scene.idea.pk}/edit/"
    assert client.get(url).context["form"].initial["title"] == "Benches in Moot Park"

    response = client.post(
        url, {"kind": "idea", "title": "Benches by the pond", "body": "Please.", "topic": "parks"}
    )

    idea = Idea.objects.get(pk=scene.idea.pk)
    assertRedirects(response, idea.get_absolute_url(), fetch_redirect_response=False)
    assert (idea.title, idea.ward) == ("Benches by the pond", None)
    domain.set_idea_status(officer, idea, "under_consideration")
    assert client.get(url).status_code == 403


def test_nobody_else_may_change_an_idea(client, council, scene):
    client.force_login(person("other@example.org", council))

    assert client.get(f"/mootshire/ideas/{scene.idea.pk}/edit/").status_code == 403


# --- One idea ---------------------------------------------------------------------------------


def test_the_page_shows_the_idea_with_its_markdown_sanitised(client, council, resident):
    from tests import factories as f

    f.PostcodeFactory(postcode="MH1 1AA", county_gss=council.gss_code)
    idea = propose(
        council,
        resident,
        "Script",
        body='Hello <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="y">',
    )

    response = client.get(idea.get_absolute_url())

    page = response.content.decode()
    assert "<script>alert" not in page
    assert "javascript:" not in page
    assert "onerror" not in page


def test_an_old_slug_or_a_bare_number_leads_to_the_idea(client, scene):
    assertRedirects(
        client.get(f"/mootshire/ideas/{scene.idea.pk}-old-title/"),
        scene.idea.get_absolute_url(),
        status_code=301,
    )
    assertRedirects(client.get(f"/mootshire/ideas/{scene.idea.pk}/"), scene.idea.get_absolute_url())


def test_an_idea_of_another_council_is_not_found_here(client, other_council, outsider, scene):
    theirs = propose(other_council, outsider, "Elsewhere")

    assert client.get(f"/mootshire/ideas/{theirs.pk}-elsewhere/").status_code == 404


def test_a_merged_idea_leads_to_the_one_it_was_merged_into(
    client, council, scene, resident, officer
):
    duplicate = propose(council, resident, "Seats in Moot Park")
    domain.merge_ideas(officer, duplicate, scene.idea)

    response = client.get(duplicate.get_absolute_url(), follow=True)

    assert response.redirect_chain == [(scene.idea.get_absolute_url(), 302)]
    assertContains(response, "“Seats in Moot Park” was merged into this idea")
    assertContains(response, "<li>Seats in Moot Park</li>", html=True)


def test_a_resident_supports_and_withdraws_without_javascript(client, scene, resident):
    client.force_login(resident)
    url = f"/mootshire/ideas/{scene.idea.pk}/support/"

    response = client.post(url, {"action": "support"}, follow=True)

    assert response.redirect_chain == [(scene.idea.get_absolute_url() + "#support", 302)]
    assertContains(response, "Thank you: your support counts.")
    assertContains(
        response,
        '<p class="govuk-body-l govuk-!-margin-bottom-2" id="support-count"><strong>1</strong> supporter</p>',
        html=True,
    )
    assertContains(response, "Withdraw your support")

    response = client.post(url, {"action": "withdraw"}, follow=True)
    assertContains(response, "Your support has been withdrawn.")
    assert Idea.objects.get(pk=scene.idea.pk).support_count == 0


def test_someone_without_a_postcode_in_the_area_is_told_how_to_support(
    client, scene, councillor_user
):
    client.force_login(councillor_user)

    response = client.post(f"/mootshire/ideas/{scene.idea.pk}/support/", follow=True)

    assertContains(
        response,
        "To support ideas here, add your postcode in your account: it must be in the "
        "council&#x27;s area.",
    )
    assert Idea.objects.get(pk=scene.idea.pk).support_count == 0


def test_signed_out_visitors_are_asked_to_sign_in_to_support_comment_or_follow(client, scene):
    response = client.get(scene.idea.get_absolute_url())

    assertContains(response, "Sign in to support this")
    assertContains(response, "Sign in to comment")
    assertContains(response, "Sign in to follow")
    assert client.post(f"/mootshire/ideas/{scene.idea.pk}/support/").status_code == 302


def test_comments_are_threaded_with_a_reply_form_under_each(client, council, scene, resident):
    other = person("olga@example.org", council, name="Olga Other")
    first = domain.comment(resident, scene.idea, body="Near the pond.")
    domain.comment(other, scene.idea, body="Agreed!", parent=first)
    client.force_login(other)

    response = client.get(scene.idea.get_absolute_url())

    page = response.content.decode()
    thread = page[page.index(f'id="comment-{first.pk}"') :]
    assert (
        thread.index("Near the pond.") < thread.index("govuk-inset-text") < thread.index("Agreed!")
    )
    assert page.count('name="parent"') == 2
    assertContains(response, "2 comments")
    assert "olga@example.org" not in page
    assert "rita.resident@example.org" not in page


def test_a_reply_is_published_and_the_page_returns_to_it(client, council, scene, resident):
    first = domain.comment(resident, scene.idea, body="Near the pond.")
    client.force_login(resident)

    response = client.post(
        f"/mootshire/ideas/{scene.idea.pk}/comments/", {"body": "And a bin.", "parent": first.pk}
    )

    reply = Comment.objects.get(body="And a bin.")
    assert reply.parent == first
    assertRedirects(
        response,
        f"{scene.idea.get_absolute_url()}#comment-{reply.pk}",
        fetch_redirect_response=False,
    )


def test_an_empty_reply_comes_back_open_under_its_comment(client, scene, resident):
    first = domain.comment(resident, scene.idea, body="Near the pond.")
    client.force_login(resident)

    response = client.post(
        f"/mootshire/ideas/{scene.idea.pk}/comments/", {"body": " ", "parent": first.pk}
    )

    assert response.status_code == 400
    assertContains(
        response,
        f'<li><a href="#reply-{first.pk}">Enter your comment.</a></li>',
        html=True,
        status_code=400,
    )
    assertContains(
        response, '<details class="govuk-details govuk-!-margin-bottom-2" open>', status_code=400
    )


def test_a_reply_to_a_comment_of_another_idea_is_not_found(client, council, scene, resident):
    other = propose(council, resident, "Other")
    elsewhere = domain.comment(resident, other, body="Hi")
    client.force_login(resident)

    response = client.post(
        f"/mootshire/ideas/{scene.idea.pk}/comments/", {"body": "x", "parent": elsewhere.pk}
    )

    assert response.status_code == 404


def test_a_removed_comment_shows_the_moderators_reason_in_its_place(
    client, scene, resident, moderator
):
    rude = domain.comment(resident, scene.idea, body="Something rude")
    domain.remove_comment(moderator, rude, reason="Offensive language.")

    response = client.get(scene.idea.get_absolute_url())

    assertNotContains(response, "Something rude")
    assertContains(response, "This comment was removed by a moderator: Offensive language.")


def test_a_councillor_responds_from_the_idea_page(client, scene, councillor_user):
    client.force_login(councillor_user)
    assertContains(client.get(scene.idea.get_absolute_url()), "Publish the response")

    response = client.post(
        f"/mootshire/ideas/{scene.idea.pk}/respond/",
        {"body": "I will raise it at **Cabinet**."},
        follow=True,
    )

    assertContains(response, "Your response is published.")
    assertContains(response, "Councillor Chris Councillor</a>")
    assertContains(response, "<strong>Cabinet</strong>")
    assertContains(response, "Councillor Chris Councillor published a response.")


def test_a_resident_cannot_respond(client, scene, resident):
    client.force_login(resident)

    assertNotContains(client.get(scene.idea.get_absolute_url()), "Publish the response")
    assert (
        client.post(f"/mootshire/ideas/{scene.idea.pk}/respond/", {"body": "x"}).status_code == 403
    )


def test_the_page_shows_the_status_reason_timeline_meeting_and_decision(
    client, council, scene, officer
):
    domain.set_idea_status(officer, scene.idea, "accepted", reason="Funded from the parks budget.")
    link = domain.place_idea_on_agenda(officer, scene.idea, scene.meeting)
    decision = factories.DecisionFactory(
        council=council, meeting=scene.meeting, title="Buy six benches", published_at=timezone.now()
    )
    domain.link_idea_decision(officer, link, decision)

    response = client.get(scene.idea.get_absolute_url())

    assertContains(response, "Funded from the parks budget.")
    assertContains(response, "Status changed to “Accepted”: Funded from the parks budget.")
    assertContains(response, "Placed on the agenda of Cabinet on 14 March 2030.")
    assertContains(
        response, f'href="/mootshire/meetings/{scene.meeting.pk}/">Cabinet, 14 March 2030</a>'
    )
    assertContains(
        response,
        f'<a class="govuk-link" href="/mootshire/decisions/{decision.pk}/">Buy six benches</a>',
        html=True,
    )
    assertContains(response, "Decision taken: “Buy six benches”.")


def test_an_agenda_item_made_exempt_leaves_the_ideas_page(client, council, scene, officer):
    link = domain.place_idea_on_agenda(officer, scene.idea, scene.meeting)
    meetings_domain.update_agenda_item(officer, link.agenda_item, exempt_paragraph=3)

    response = client.get(scene.idea.get_absolute_url())

    assertNotContains(response, "Placed on the agenda")
    assertNotContains(response, "At council meetings")


def test_the_page_runs_the_same_few_queries_however_many_comments(client, council, scene, resident):
    client.force_login(resident)
    url = scene.idea.get_absolute_url()

    def grow(n: int) -> None:
        for i in range(n):
            parent = domain.comment(person(f"c{i}-{n}@example.org", council), scene.idea, body="x")
            domain.comment(resident, scene.idea, body="y", parent=parent)
            domain.respond_to_idea(None, scene.idea, body="r")

    grow(2)
    before = _queries(client, url)
    grow(4)
    assert _queries(client, url) == before


def test_the_ideas_pages_have_no_inline_script_or_style_and_one_heading(client, scene, resident):
    domain.comment(resident, scene.idea, body="Hello")
    client.force_login(resident)
    problems = {}
    for url in (
        "/mootshire/ideas/",
        "/mootshire/ideas/new/",
        scene.idea.get_absolute_url(),
        f"/mootshire/ideas/{scene.idea.pk}/edit/",
        f"/mootshire/ideas/{scene.idea.pk}/pictures/new/",
    ):
        page = client.get(url).content.decode()
        found = (
            re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page)
            + re.findall(r"\sstyle=", page)
            + re.findall(r"\son[a-z]+=", page)
        )
        if found or page.count("<h1") != 1:
            problems[url] = (found, page.count("<h1"))
    assert problems == {}


def test_the_council_page_and_menu_lead_to_ideas(client, scene):
    response = client.get("/mootshire/")

    assertContains(
        response, '<a class="govuk-link" href="/mootshire/ideas/">Ideas and needs</a>', html=True
    )
    assertContains(
        response,
        '<a class="govuk-service-navigation__link" href="/mootshire/ideas/">Ideas</a>',
        html=True,
    )


def test_a_reply_too_deep_comes_back_with_the_reason(client, scene, resident):
    parent = domain.comment(resident, scene.idea, body="0")
    for depth in range(1, domain.MAX_COMMENT_DEPTH + 1):
        parent = domain.comment(resident, scene.idea, body=str(depth), parent=parent)
    client.force_login(resident)

    response = client.post(
        f"/mootshire/ideas/{scene.idea.pk}/comments/", {"body": "Deeper", "parent": parent.pk}
    )

    assert response.status_code == 400
    assertContains(
        response,
        f'<li><a href="#reply-{parent.pk}">This conversation is as deep as it goes: reply '
        "further up instead.</a></li>",
        html=True,
        status_code=400,
    )
    assert not Comment.objects.filter(body="Deeper").exists()


@pytest.mark.parametrize("parent", ["abc", "1.5", "²", "99999999"])
def test_a_reply_to_no_comment_of_this_idea_is_not_found(client, scene, resident, parent):
    client.force_login(resident)

    response = client.post(
        f"/mootshire/ideas/{scene.idea.pk}/comments/", {"body": "Hi", "parent": parent}
    )

    assert response.status_code == 404
