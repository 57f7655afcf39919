"""Ideas and needs in the API: read-only, the same lists, filters and pages as the site.

The scene, at Mootshire (topics Parks and Roads; wards Moot and Hill; MH1 1AA lies in the
county):

- "Benches in Moot Park" (an idea; Parks, Moot ward, a point on the map, one picture),
  proposed by Rita Resident, supported by Rita and Sam, under consideration, answered by
  the council and by Councillor Chris, placed on the Cabinet's agenda with its decision
  linked, with a comment, a reply to it, and a comment a moderator removed.
- "Seats by the pond" said the same; it was merged into the benches (Tom's support
  carried over).
- "Pothole on Hill Road" (a need; Roads, Hill ward), raised by Sam, newer than the rest.
- Elsewhere District Council has an idea of its own.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from moothall.councils.models import Council, Topic, Ward
from moothall.ideas import domain
from moothall.ideas.models import Comment, Idea, IdeaAgendaLink, IdeaResponse
from moothall.meetings.models import AgendaItem, Decision, Meeting
from tests import factories
from tests.api.test_meetings_scene import iso

pytestmark = pytest.mark.django_db


@dataclass
class Scene:
    council: Council
    parks: Topic
    roads: Topic
    moot: Ward
    hill: Ward
    benches: Idea
    seats: Idea
    pothole: Idea
    elsewhere: Idea
    meeting: Meeting
    link: IdeaAgendaLink
    decision: Decision
    comment: Comment
    reply: Comment
    removed: Comment
    council_response: IdeaResponse
    councillor_response: IdeaResponse


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 40)).save(out, format="PNG")
    return out.getvalue()


def resident_of(council: Council, email: str, name: str) -> Any:
    return factories.UserFactory(email=email, name=name, postcode="MH1 1AA")


@pytest.fixture
def scene(council, other_council, resident, officer, moderator, councillor_user) -> Scene:
    council.gss_code = "E10000099"
    council.save()
    factories.PostcodeFactory(postcode="MH1 1AA", county_gss="E10000099")
    parks = Topic.objects.create(council=council, name="Parks", slug="parks")
    roads = Topic.objects.create(council=council, name="Roads", slug="roads")
    moot = factories.WardFactory(council=council, name="Moot", slug="moot", gss_code="E05000011")
    hill = factories.WardFactory(council=council, name="Hill", slug="hill", gss_code="")
    sam = resident_of(council, "sam@example.org", "Sam Supporter")
    tom = resident_of(council, "tom@example.org", "")

    benches = domain.propose_idea(
        resident,
        council,
        title="Benches in Moot Park",
        body="More **benches** by the pond, please.",
        topic=parks,
        ward=moot,
        latitude="51.50135",
        longitude="-0.14189",
        images=[domain.ImageUpload(data=png(), alt_text="The pond, with no bench in sight")],
    )
    seats = domain.propose_idea(tom, council, title="Seats by the pond", body="Somewhere to sit.")
    domain.support_idea(resident, benches)
    domain.support_idea(sam, benches)
    domain.support_idea(tom, seats)
    domain.merge_ideas(officer, seats, benches, reason="The same request.")
    domain.set_idea_status(
        officer, benches, Idea.Status.UNDER_CONSIDERATION, reason="Looking at costs."
    )
    council_response = domain.respond_to_idea(
        officer, benches, body="We are pricing **three** benches."
    )
    councillor_response = domain.respond_to_idea(councillor_user, benches, body="I support this.")
    comment = domain.comment(sam, benches, body="Yes please!")
    reply = domain.comment(resident, benches, body="Thank you, Sam.", parent=comment)
    removed = domain.comment(tom, benches, body="Something rude.")
    removed = domain.remove_comment(moderator, removed, reason="Personal abuse.")

    cabinet = factories.BodyFactory(council=council, name="Cabinet", slug="cabinet")
    meeting = factories.MeetingFactory(body=cabinet)
    link = domain.place_idea_on_agenda(officer, benches, meeting, title="Benches in parks")
    Meeting.objects.filter(pk=meeting.pk).update(
        agenda_published_at=dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)
    )
    decision = factories.DecisionFactory(
        council=council,
        meeting=meeting,
        agenda_item=link.agenda_item,
        title="Three benches for Moot Park",
    )
    link = domain.link_idea_decision(officer, link, decision)

    pothole = domain.propose_idea(
        sam,
        council,
        kind=Idea.Kind.NEED,
        title="Pothole on Hill Road",
        body="Deep enough to lose a bike wheel.",
        topic=roads,
        ward=hill,
    )
    elsewhere = domain.propose_idea(
        factories.UserFactory(email="far@example.org"),
        other_council,
        title="Elsewhere's idea",
        body="Not Mootshire's.",
    )
    return Scene(
        council=council,
        parks=parks,
        roads=roads,
        moot=moot,
        hill=hill,
        benches=Idea.objects.get(pk=benches.pk),
        seats=Idea.objects.get(pk=seats.pk),
        pothole=Idea.objects.get(pk=pothole.pk),
        elsewhere=elsewhere,
        meeting=Meeting.objects.get(pk=meeting.pk),
        link=link,
        decision=decision,
        comment=comment,
        reply=reply,
        removed=removed,
        council_response=council_response,
        councillor_response=councillor_response,
    )


def idea_payload(idea: Idea) -> dict[str, Any]:
    """What the API says of an idea in a list."""
    return {
        "id": idea.pk,
        "kind": idea.kind,
        "title": idea.title,
        "body": idea.body,
        "status": idea.status,
        "status_reason": idea.status_reason or None,
        "topic": {"slug": idea.topic.slug, "name": idea.topic.name} if idea.topic else None,
        "ward": (
            {"slug": idea.ward.slug, "name": idea.ward.name, "gss_code": idea.ward.gss_code or None}
            if idea.ward
            else None
        ),
        "point": (
            {"latitude": float(idea.latitude), "longitude": float(idea.longitude)}
            if idea.latitude is not None
            else None
        ),
        "author": (idea.author.name or None) if idea.author else None,
        "support_count": idea.support_count,
        "comment_count": idea.comment_count,
        "created_at": iso(idea.created_at),
        "last_activity_at": iso(idea.last_activity_at),
        "url": f"/mootshire/ideas/{idea.pk}-{idea.slug}/",
        "api_url": f"/api/v1/councils/mootshire/ideas/{idea.pk}",
    }


def get(client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


# --- The list -------------------------------------------------------------------------------


def test_the_list_shows_ideas_newest_first_never_a_merged_one(client, scene):
    answer = get(client, "/api/v1/councils/mootshire/ideas")

    assert answer == {
        "items": [idea_payload(scene.pothole), idea_payload(scene.benches)],
        "count": 2,
    }


def test_an_idea_in_a_list_reads_as_on_the_site(client, scene):
    answer = get(client, "/api/v1/councils/mootshire/ideas?kind=idea")

    assert answer["items"] == [
        {
            "id": scene.benches.pk,
            "kind": "idea",
            "title": "Benches in Moot Park",
            "body": "More **benches** by the pond, please.",
            "status": "under_consideration",
            "status_reason": "Looking at costs.",
            "topic": {"slug": "parks", "name": "Parks"},
            "ward": {"slug": "moot", "name": "Moot", "gss_code": "E05000011"},
            "point": {"latitude": 51.50135, "longitude": -0.14189},
            "author": "Rita Resident",
            # Rita and Sam, and Tom's support carried over from the merged duplicate.
            "support_count": 3,
            "comment_count": 2,  # the removed comment no longer counts
            "created_at": iso(scene.benches.created_at),
            "last_activity_at": iso(scene.benches.last_activity_at),
            "url": f"/mootshire/ideas/{scene.benches.pk}-benches-in-moot-park/",
            "api_url": f"/api/v1/councils/mootshire/ideas/{scene.benches.pk}",
        }
    ]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("topic=parks", ["Benches in Moot Park"]),
        ("topic=roads", ["Pothole on Hill Road"]),
        ("ward=hill", ["Pothole on Hill Road"]),
        ("ward=moot&topic=roads", []),
        ("status=under_consideration", ["Benches in Moot Park"]),
        ("status=new", ["Pothole on Hill Road"]),
        ("kind=need", ["Pothole on Hill Road"]),
        ("topic=no-such-topic", []),
        ("ward=no-such-ward", []),
        ("topic=&ward=", ["Pothole on Hill Road", "Benches in Moot Park"]),
        ("sort=supported", ["Benches in Moot Park", "Pothole on Hill Road"]),
        ("sort=newest", ["Pothole on Hill Road", "Benches in Moot Park"]),
    ],
)
def test_the_list_filters_by_topic_ward_status_and_kind_and_sorts(client, scene, query, titles):
    answer = get(client, f"/api/v1/councils/mootshire/ideas?{query}")

    assert [item["title"] for item in answer["items"]] == titles


def test_recently_active_puts_the_idea_with_the_latest_comment_first(client, scene, resident):
    domain.comment(resident, scene.benches, body="Any news?")

    answer = get(client, "/api/v1/councils/mootshire/ideas?sort=active")

    assert [item["title"] for item in answer["items"]] == [
        "Benches in Moot Park",
        "Pothole on Hill Road",
    ]


@pytest.mark.parametrize(
    "query", ["status=merged", "sort=popular", "kind=wish", "topic=%00", "limit=0", "offset=-1"]
)
def test_a_filter_that_cannot_be_read_is_a_json_422(client, scene, query):
    response = client.get(f"/api/v1/councils/mootshire/ideas?{query}")

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_list_runs_a_fixed_number_of_queries_however_many_ideas(
    client, scene, django_assert_max_num_queries
):
    url = "/api/v1/councils/mootshire/ideas?topic=parks&sort=supported"
    before = _queries(client, url)
    for n in range(5):
        someone = resident_of(scene.council, f"proposer{n}@example.org", f"Proposer {n}")
        domain.propose_idea(someone, scene.council, title=f"Idea {n}", body="…", topic=scene.parks)

    # The council, the topic, the count and the page (topic, ward and author joined in).
    with django_assert_max_num_queries(4):
        answer = client.get(url).json()
    assert answer["count"] == 6
    assert _queries(client, url) == before


# --- One idea ------------------------------------------------------------------------------------


def test_one_idea_gives_its_responses_agenda_links_timeline_and_threaded_comments(client, scene):
    benches = scene.benches
    image = benches.images.get()
    item = scene.link.agenda_item
    timeline = list(benches.timeline.order_by("at", "id"))

    answer = get(client, f"/api/v1/councils/mootshire/ideas/{benches.pk}")

    assert answer == {
        **idea_payload(benches),
        "merged_into": None,
        "merged_from": [{"id": scene.seats.pk, "title": "Seats by the pond"}],
        "images": [
            {
                "alt_text": "The pond, with no bench in sight",
                "content_type": "image/jpeg",  # re-encoded on upload
                "width": 40,
                "height": 30,
                "url": f"/mootshire/ideas/{benches.pk}/pictures/{image.pk}.jpg",
            }
        ],
        "responses": [
            {
                "id": scene.council_response.pk,
                "author": None,
                "councillor": None,
                "body": "We are pricing **three** benches.",
                "created_at": iso(scene.council_response.created_at),
            },
            {
                "id": scene.councillor_response.pk,
                "author": "Councillor Chris Councillor",
                "councillor": {
                    "id": scene.councillor_response.councillor_id,
                    "name": "Chris Councillor",
                    "url": scene.councillor_response.councillor.get_absolute_url(),
                    "api_url": f"/api/v1/councillors/{scene.councillor_response.councillor_id}",
                },
                "body": "I support this.",
                "created_at": iso(scene.councillor_response.created_at),
            },
        ],
        "agenda_links": [
            {
                "meeting": {
                    "id": scene.meeting.pk,
                    "title": "Cabinet",
                    "start": "2030-03-14T18:30:00Z",
                    "status": "scheduled",
                    "url": f"/mootshire/meetings/{scene.meeting.pk}/",
                    "api_url": f"/api/v1/councils/mootshire/meetings/{scene.meeting.pk}",
                },
                "agenda_item": {
                    "id": item.pk,
                    "number": item.number,
                    "title": "Benches in parks",
                    "url": f"/mootshire/meetings/{scene.meeting.pk}/#item-{item.pk}",
                },
                "decision": {
                    "id": scene.decision.pk,
                    "title": "Three benches for Moot Park",
                    "decided_on": "2030-03-14",
                    "url": f"/mootshire/decisions/{scene.decision.pk}/",
                    "api_url": f"/api/v1/councils/mootshire/decisions/{scene.decision.pk}",
                },
            }
        ],
        "timeline": [
            {"at": iso(entry.at), "kind": entry.kind, "text": text}
            for entry, text in zip(
                timeline,
                [
                    "Proposed.",
                    "“Seats by the pond” was merged into this idea; its supporters now count here.",
                    "Status changed to “Under consideration”: Looking at costs.",
                    "The council published a response.",
                    "Councillor Chris Councillor published a response.",
                    "Placed on the agenda of Cabinet on 14 March 2030.",
                    "Decision taken: “Three benches for Moot Park”.",
                ],
                strict=True,
            )
        ],
        "comments": [
            {
                "id": scene.comment.pk,
                "parent": None,
                "depth": 0,
                "author": "Sam Supporter",
                "body": "Yes please!",
                "removed": False,
                "removed_reason": None,
                "created_at": iso(scene.comment.created_at),
            },
            {
                "id": scene.reply.pk,
                "parent": scene.comment.pk,
                "depth": 1,
                "author": "Rita Resident",
                "body": "Thank you, Sam.",
                "removed": False,
                "removed_reason": None,
                "created_at": iso(scene.reply.created_at),
            },
            {
                "id": scene.removed.pk,
                "parent": None,
                "depth": 0,
                "author": None,
                "body": None,
                "removed": True,
                "removed_reason": "Personal abuse.",
                "created_at": iso(scene.removed.created_at),
            },
        ],
    }


def test_a_removed_comments_words_are_never_given(client, scene):
    response = client.get(f"/api/v1/councils/mootshire/ideas/{scene.benches.pk}")

    assert "Something rude." not in response.content.decode()


def test_no_email_address_of_anyone_taking_part_is_given(client, scene):
    body = client.get(f"/api/v1/councils/mootshire/ideas/{scene.benches.pk}").content.decode()
    listed = client.get("/api/v1/councils/mootshire/ideas").content.decode()

    for text in (body, listed):
        assert "@example.org" not in text


def test_a_merged_idea_is_found_and_names_the_idea_it_was_merged_into(client, scene):
    answer = get(client, f"/api/v1/councils/mootshire/ideas/{scene.seats.pk}")

    assert answer["status"] == "merged"
    assert answer["merged_into"] == {"id": scene.benches.pk, "title": "Benches in Moot Park"}
    assert [entry["kind"] for entry in answer["timeline"]] == ["created", "merged"]


def test_an_agenda_item_is_given_only_once_the_agenda_is_published(client, scene):
    Meeting.objects.filter(pk=scene.meeting.pk).update(agenda_published_at=None)

    answer = get(client, f"/api/v1/councils/mootshire/ideas/{scene.benches.pk}")

    assert answer["agenda_links"][0]["agenda_item"] is None
    assert answer["agenda_links"][0]["meeting"]["id"] == scene.meeting.pk


def test_an_item_made_exempt_takes_its_link_and_timeline_lines_with_it(client, scene):
    AgendaItem.objects.filter(pk=scene.link.agenda_item_id).update(
        is_exempt=True, exempt_paragraph=3
    )
    Decision.objects.filter(pk=scene.decision.pk).update(is_exempt=True)

    answer = get(client, f"/api/v1/councils/mootshire/ideas/{scene.benches.pk}")

    assert answer["agenda_links"] == []
    assert [e["kind"] for e in answer["timeline"]] == [
        "created",
        "merged_in",
        "status_changed",
        "response_published",
        "response_published",
    ]


def test_another_councils_idea_and_an_unknown_id_are_json_404s(client, scene):
    for id in (scene.elsewhere.pk, 999_999, 2**70):
        response = client.get(f"/api/v1/councils/mootshire/ideas/{id}")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")


def test_one_idea_runs_a_fixed_number_of_queries_however_busy_it_is(client, scene, resident):
    url = f"/api/v1/councils/mootshire/ideas/{scene.benches.pk}"
    before = _queries(client, url)
    for n in range(4):
        parent = domain.comment(resident, scene.benches, body=f"Comment {n}")
        domain.comment(resident, scene.benches, body=f"Reply {n}", parent=parent)
    scene.benches.refresh_from_db()

    assert _queries(client, url) == before


def test_the_api_offers_no_way_to_support_or_comment(client, scene):
    response = client.post(
        f"/api/v1/councils/mootshire/ideas/{scene.benches.pk}",
        data=json.dumps({"body": "Hello"}),
        content_type="application/json",
    )

    assert response.status_code == 405
    assert response.json() == {"detail": "Method not allowed."}


fuzz = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
awkward = st.sampled_from(
    ["\x00", "-1", "9" * 25, "parks", "need", "newest", "merged", "", "%", "é", "moot"]
) | st.text(max_size=8)


@fuzz
@given(
    params=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            ["topic", "ward", "status", "kind", "sort", "limit", "offset"], awkward
        ),
    )
)
def test_any_query_is_answered_with_json_below_500(client, scene, params):
    response = client.get("/api/v1/councils/mootshire/ideas", params)

    assert response.status_code in (200, 422)
    assert response["Content-Type"].startswith("application/json")
    json.loads(response.content)


def test_the_openapi_document_includes_the_idea_operations(client, db):
    document = client.get("/api/v1/openapi.json").json()

    assert document["paths"]["/api/v1/councils/{slug}/ideas"]["get"]["operationId"] == (
        "list_council_ideas"
    )
    assert document["paths"]["/api/v1/councils/{slug}/ideas/{id}"]["get"]["operationId"] == (
        "get_idea"
    )
    assert sorted(document["paths"]["/api/v1/councils/{slug}/ideas/{id}"]) == ["get"]
    schemas = document["components"]["schemas"]
    assert schemas["IdeaSort"]["enum"] == ["newest", "supported", "active"]
    assert schemas["IdeaListedStatus"]["enum"] == [
        "new",
        "under_consideration",
        "accepted",
        "in_progress",
        "done",
        "not_taken_forward",
    ]


def test_a_timestamp_is_given_in_utc(client, scene):
    answer = get(client, f"/api/v1/councils/mootshire/ideas/{scene.pothole.pk}")

    assert answer["created_at"].endswith("Z")
    assert dt.datetime.fromisoformat(answer["created_at"]) <= timezone.now()
