"""Petitions in the API: what the public may read, and signing through the same verbs as the site.

The scene, at Mootshire (wards North and South; MH1 1AA lies in North, MH2 2BB in South,
ZE9 9ZZ outside the county). The scheme: no sponsors, no moderation, an officer response
at 2 signatures, a committee hearing at 3, a debate at 10; people who study in the area
may not sign.

- "Save the library" (Libraries, North ward), started by Rita Resident: four confirmed
  signatures (two in North, one in South, one worker from outside), so a response and a
  hearing are owed. It was placed on the Communities Committee's agenda, whose decision
  is linked, and the council responded.
- "More benches in the park" (Parks), open, unsigned.
- "Ban all cars" was rejected with a published reason.
- A draft, one gathering sponsors and one awaiting moderation: never public.
- Elsewhere District Council has an open petition of its own.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.core.models import OutboxMessage
from moothall.councils.models import Council, Topic, Ward
from moothall.meetings.models import AgendaItem, Decision, Meeting
from moothall.petitions import domain
from moothall.petitions.models import (
    AbuseAlert,
    Hearing,
    Petition,
    PetitionEvent,
    PetitionScheme,
    Signature,
    SignatureTally,
)
from tests import factories
from tests.api.test_meetings_scene import iso

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"/mootshire/petitions/confirm/([A-Za-z0-9_-]+)/")


@dataclass
class Scene:
    council: Council
    north: Ward
    south: Ward
    libraries: Topic
    parks: Topic
    library: Petition
    benches: Petition
    rejected: Petition
    draft: Petition
    gathering: Petition
    awaiting: Petition
    elsewhere: Petition
    meeting: Meeting
    item: AgendaItem
    decision: Decision
    hearing: Hearing


def sign(petition: Petition, email: str, postcode: str = "MH1 1AA", **extra: Any) -> Signature:
    return domain.sign_petition(
        petition,
        name=extra.pop("name", "Sam Signer"),
        email=email,
        postcode=postcode,
        basis=extra.pop("basis", "lives"),
        declaration=True,
        **extra,
    )


def sign_and_confirm(petition: Petition, email: str, **extra: Any) -> Signature:
    return domain.confirm_signature(sign(petition, email, **extra).token)


def hidden(council: Council, title: str, status: str) -> Petition:
    return Petition.objects.create(council=council, title=title, action="Hidden.", status=status)


def open_petition(user: Any, council: Council, title: str, **fields: Any) -> Petition:
    petition = domain.start_petition(user, council, title=title, action="Please.", **fields)
    return domain.submit_petition(user, petition)


@pytest.fixture
def scene(council, other_council, resident, officer, moderator) -> Scene:
    council.gss_code = "E10000099"
    council.save()
    north = factories.WardFactory(council=council, name="North", slug="north", gss_code="E05000001")
    south = factories.WardFactory(council=council, name="South", slug="south", gss_code="E05000002")
    factories.PostcodeFactory(postcode="MH1 1AA", ward_gss="E05000001", county_gss="E10000099")
    factories.PostcodeFactory(postcode="MH2 2BB", ward_gss="E05000002", county_gss="E10000099")
    factories.PostcodeFactory(postcode="ZE9 9ZZ", ward_gss="E05999999", county_gss="E10999999")
    libraries = Topic.objects.create(council=council, name="Libraries", slug="libraries")
    parks = Topic.objects.create(council=council, name="Parks", slug="parks")
    PetitionScheme.objects.create(
        council=council,
        sponsors_required=0,
        pre_moderation=False,
        allow_studies=False,
        response_threshold=2,
        hearing_threshold=3,
        debate_threshold=10,
    )
    PetitionScheme.objects.create(council=other_council, sponsors_required=0, pre_moderation=False)

    library = domain.start_petition(
        resident,
        council,
        title="Save the library",
        action="Keep Mootford library open six days a week.",
        background="Built in **1902**.",
        topic=libraries,
        ward=north,
    )
    library = domain.submit_petition(resident, library)
    sign_and_confirm(library, "ann@example.org", name="Ann")
    sign_and_confirm(library, "bob@example.org", name="Bob")
    sign_and_confirm(library, "cat@example.org", name="Cat", postcode="MH2 2BB")
    sign_and_confirm(library, "dan@example.org", name="Dan", postcode="ZE9 9ZZ", basis="works")
    sign(library, "eve@example.org", name="Eve")  # never confirmed: does not count

    body = factories.BodyFactory(council=council, name="Communities Committee", slug="communities")
    meeting = factories.MeetingFactory(body=body)
    hearing = domain.place_petition_on_agenda(officer, library, meeting, kind="hear")
    item = hearing.agenda_item
    Meeting.objects.filter(pk=meeting.pk).update(
        agenda_published_at=dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)
    )
    decision = factories.DecisionFactory(
        council=council,
        meeting=meeting,
        agenda_item=item,
        title="Library opening hours",
        decision_maker="Communities Committee",
    )
    hearing = domain.link_petition_decision(
        officer, hearing, decision=decision, outcome="Referred to the cabinet."
    )
    library = domain.respond_to_petition(
        officer, library, response="We will keep the library open."
    )

    benches = open_petition(resident, council, "More benches in the park", topic=parks)
    rejected = hidden(council, "Ban all cars", Petition.Status.AWAITING_MODERATION)
    rejected = domain.moderate_petition(
        moderator, rejected, publish=False, reason_text="Not a matter for the council."
    )
    elsewhere = open_petition(resident, other_council, "Elsewhere's petition")
    return Scene(
        council=council,
        north=north,
        south=south,
        libraries=libraries,
        parks=parks,
        library=Petition.objects.get(pk=library.pk),
        benches=Petition.objects.get(pk=benches.pk),
        rejected=Petition.objects.get(pk=rejected.pk),
        draft=domain.start_petition(resident, council, title="My draft", action="Not yet."),
        gathering=hidden(council, "Gathering sponsors", Petition.Status.GATHERING_SPONSORS),
        awaiting=hidden(council, "Awaiting moderation", Petition.Status.AWAITING_MODERATION),
        elsewhere=elsewhere,
        meeting=Meeting.objects.get(pk=meeting.pk),
        item=item,
        decision=decision,
        hearing=hearing,
    )


def ward_payload(ward: Ward | None) -> dict[str, Any] | None:
    if ward is None:
        return None
    return {"slug": ward.slug, "name": ward.name, "gss_code": ward.gss_code}


def petition_payload(petition: Petition, live_count: int) -> dict[str, Any]:
    """What the API says of a petition in a list."""
    slug = petition.council.slug
    return {
        "id": petition.pk,
        "title": petition.title,
        "status": petition.status,
        "url": f"/{slug}/petitions/{petition.pk}-{petition.slug}/",
        "api_url": f"/api/v1/councils/{slug}/petitions/{petition.pk}",
        "action": petition.action,
        "topic": (
            {"slug": petition.topic.slug, "name": petition.topic.name} if petition.topic else None
        ),
        "ward": ward_payload(petition.ward),
        "started_by": petition.creator_name or None,
        "paper": False,
        "opened_at": iso(petition.opened_at),
        "closes_on": petition.closes_on.isoformat() if petition.closes_on else None,
        "closed_at": iso(petition.closed_at),
        "live_count": live_count,
    }


def signing_body(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Sam Signer",
        "email": "sam@example.org",
        "postcode": "mh1 1aa",
        "basis": "lives",
        "declaration": True,
        "wants_updates": True,
        **changes,
    }


def post(client, url: str, body: Any, **extra: Any):
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


def sign_url(petition: Petition) -> str:
    return f"/api/v1/councils/{petition.council.slug}/petitions/{petition.pk}/signatures"


def written() -> dict[str, int]:
    """Every row signing may write, counted: a refusal must leave them all as they were."""
    return {
        "signatures": Signature.objects.count(),
        "tallies": SignatureTally.objects.count(),
        "alerts": AbuseAlert.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "events": PetitionEvent.objects.count(),
    }


# --- Reading ------------------------------------------------------------------------------


def test_the_list_shows_public_petitions_the_latest_published_first_with_live_counts(client, scene):
    response = client.get("/api/v1/councils/mootshire/petitions")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            petition_payload(scene.benches, 0),
            petition_payload(scene.library, 4),
            petition_payload(scene.rejected, 0),
        ],
        "count": 3,
    }


def test_drafts_and_petitions_gathering_sponsors_or_awaiting_moderation_never_appear(client, scene):
    listed = client.get("/api/v1/councils/mootshire/petitions?limit=500").json()

    titles = {item["title"] for item in listed["items"]}
    assert titles == {"Save the library", "More benches in the park", "Ban all cars"}
    for petition in (scene.draft, scene.gathering, scene.awaiting):
        response = client.get(f"/api/v1/councils/mootshire/petitions/{petition.pk}")
        assert response.status_code == 404
        assert response.json() == {"detail": f"Mootshire has no petition {petition.pk}."}


def test_a_hidden_petitions_status_is_no_filter_at_all(client, scene):
    response = client.get("/api/v1/councils/mootshire/petitions?status=draft")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "status"]


def test_another_councils_petition_is_not_found_under_this_council(client, scene):
    response = client.get(f"/api/v1/councils/mootshire/petitions/{scene.elsewhere.pk}")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("status=open", ["More benches in the park", "Save the library"]),
        ("status=rejected", ["Ban all cars"]),
        ("topic=libraries", ["Save the library"]),
        ("topic=parks&status=open", ["More benches in the park"]),
        ("ward=north", ["Save the library"]),
        ("ward=south", []),
        ("topic=nothing-like-this", []),
        ("topic=", ["More benches in the park", "Save the library", "Ban all cars"]),
    ],
)
def test_the_list_filters_by_status_topic_and_ward(client, scene, query, titles):
    response = client.get(f"/api/v1/councils/mootshire/petitions?{query}")

    assert response.status_code == 200
    assert [item["title"] for item in response.json()["items"]] == titles


def test_the_list_is_paginated_like_every_other_list(client, scene):
    response = client.get("/api/v1/councils/mootshire/petitions?limit=1&offset=1")

    assert response.json() == {"items": [petition_payload(scene.library, 4)], "count": 3}


def test_one_petition_shows_its_counts_by_ward_obligations_hearing_response_and_timeline(
    client, scene
):
    library = scene.library
    respond = library.obligations.get(kind="respond")
    hear = library.obligations.get(kind="hear")
    events = list(library.events.filter(is_public=True).order_by("created_at", "pk"))

    response = client.get(f"/api/v1/councils/mootshire/petitions/{library.pk}")

    assert response.status_code == 200
    assert response.json() == {
        **petition_payload(library, 4),
        "background": "Built in **1902**.",
        "rejection_reason": None,
        "response": "We will keep the library open.",
        "responded_at": iso(library.responded_at),
        "count_by_ward": [
            {"ward": ward_payload(scene.north), "count": 2},
            # Signatures from outside any ward come after the wards with as many.
            {"ward": ward_payload(scene.south), "count": 1},
            {"ward": None, "count": 1},
        ],
        "thresholds": {"respond": 2, "hear": 3, "debate": 10},
        "obligations": [
            {
                "id": obligation.pk,
                "kind": obligation.kind,
                "threshold": obligation.threshold,
                "owner": "Democratic Services",
                "created_at": iso(obligation.created_at),
                "due_on": obligation.due_on.isoformat(),
                "fulfilled_at": iso(obligation.fulfilled_at),
                "overdue": False,
            }
            for obligation in sorted([respond, hear], key=lambda o: (o.due_on, o.pk))
        ],
        "hearings": [
            {
                "id": scene.hearing.pk,
                "kind": "hear",
                "meeting": {
                    "id": scene.meeting.pk,
                    "title": "Communities Committee",
                    "start": "2030-03-14T18:30:00Z",
                    "status": "scheduled",
                    "url": f"/mootshire/meetings/{scene.meeting.pk}/",
                    "api_url": f"/api/v1/councils/mootshire/meetings/{scene.meeting.pk}",
                },
                "agenda_item": {
                    "id": scene.item.pk,
                    "number": scene.item.number,
                    "title": "Petition: Save the library",
                    "url": f"/mootshire/meetings/{scene.meeting.pk}/#item-{scene.item.pk}",
                },
                "decision": {
                    "id": scene.decision.pk,
                    "title": "Library opening hours",
                    "decided_on": "2030-03-14",
                    "url": f"/mootshire/decisions/{scene.decision.pk}/",
                    "api_url": f"/api/v1/councils/mootshire/decisions/{scene.decision.pk}",
                },
                "outcome": "Referred to the cabinet.",
                "concluded_at": iso(scene.hearing.concluded_at),
            }
        ],
        "timeline": [
            {
                "at": iso(event.created_at),
                "kind": event.kind,
                "label": str(event.get_kind_display()),
                "details": expected,
            }
            for event, expected in zip(
                events,
                [
                    {"closes_on": library.closes_on.isoformat()},
                    {"obligation": "respond", "threshold": 2, "due_on": respond.due_on.isoformat()},
                    {"obligation": "hear", "threshold": 3, "due_on": hear.due_on.isoformat()},
                    {
                        "hearing": scene.hearing.pk,
                        "hearing_kind": "hear",
                        "meeting": scene.meeting.pk,
                        "item": scene.item.pk,
                        "date": "2030-03-14",
                    },
                    {"hearing": scene.hearing.pk, "decision": scene.decision.pk},
                    {},
                ],
                strict=True,
            )
        ],
    }
    assert [event.kind for event in events] == [
        "published",
        "threshold",
        "threshold",
        "placed",
        "decision",
        "responded",
    ]


def test_a_rejected_petition_stays_with_its_published_reason(client, scene):
    response = client.get(f"/api/v1/councils/mootshire/petitions/{scene.rejected.pk}")

    answer = response.json()
    assert answer["status"] == "rejected"
    assert answer["rejection_reason"] == "Not a matter for the council."
    assert [(e["kind"], e["details"]) for e in answer["timeline"]] == [
        ("rejected", {"reason": "Not a matter for the council."})
    ]


def test_the_agenda_item_is_given_only_once_the_agenda_is_published(client, scene):
    Meeting.objects.filter(pk=scene.meeting.pk).update(agenda_published_at=None)

    answer = client.get(f"/api/v1/councils/mootshire/petitions/{scene.library.pk}").json()

    assert answer["hearings"][0]["agenda_item"] is None
    assert answer["hearings"][0]["meeting"]["id"] == scene.meeting.pk


def test_a_hearing_on_an_item_made_exempt_leaves_the_petition_with_its_timeline_lines(
    client, scene
):
    AgendaItem.objects.filter(pk=scene.item.pk).update(is_exempt=True, exempt_paragraph=3)

    answer = client.get(f"/api/v1/councils/mootshire/petitions/{scene.library.pk}").json()

    assert answer["hearings"] == []
    assert [e["kind"] for e in answer["timeline"]] == [
        "published",
        "threshold",
        "threshold",
        "responded",
    ]


def test_a_decision_made_exempt_is_no_longer_named(client, scene):
    Decision.objects.filter(pk=scene.decision.pk).update(is_exempt=True)

    answer = client.get(f"/api/v1/councils/mootshire/petitions/{scene.library.pk}").json()

    assert answer["hearings"][0]["decision"] is None
    assert "decision" not in [e["kind"] for e in answer["timeline"]]


def test_private_timeline_lines_and_an_invalidations_reason_are_never_shown(
    client, scene, moderator
):
    domain.invalidate_signatures(
        moderator,
        scene.library,
        reason_text="All from one proxy: PRIVATE-NOTE",
        flagged=False,
        email_domain="example.org",
    )

    response = client.get(f"/api/v1/councils/mootshire/petitions/{scene.library.pk}")

    answer = response.json()
    assert answer["timeline"][-1]["kind"] == "invalidated"
    assert answer["timeline"][-1]["details"] == {"count": 4}
    assert answer["live_count"] == 0
    assert "PRIVATE-NOTE" not in response.content.decode()
    assert "created" not in [e["kind"] for e in answer["timeline"]]
    assert "example.org" not in response.content.decode()


def test_an_obligations_owner_is_named_never_by_email_address(client, scene, officer, council):
    nameless = factories.UserFactory(email="no.name@mootshire.example", name="")
    factories.RoleFactory(user=nameless, council=council, kind="officer")
    respond = scene.library.obligations.get(kind="respond")
    hear = scene.library.obligations.get(kind="hear")
    domain.assign_obligation(officer, respond, owner=officer)
    domain.assign_obligation(officer, hear, owner=nameless)

    response = client.get(f"/api/v1/councils/mootshire/petitions/{scene.library.pk}")

    owners = {o["kind"]: o["owner"] for o in response.json()["obligations"]}
    assert owners == {"respond": "Olive Officer", "hear": "Democratic Services"}
    assert "no.name@" not in response.content.decode()


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_list_runs_a_fixed_number_of_queries_however_many_petitions(
    client, scene, resident, django_assert_max_num_queries
):
    url = "/api/v1/councils/mootshire/petitions?topic=parks"
    before = _queries(client, url)
    for n in range(5):
        petition = open_petition(resident, scene.council, f"Park bench {n}", topic=scene.parks)
        sign_and_confirm(petition, f"signer{n}@example.org")

    # The council, the count, the page and the page's live counts.
    with django_assert_max_num_queries(4):
        response = client.get(url)
    assert response.json()["count"] == 6
    assert _queries(client, url) == before


def test_one_petition_runs_a_fixed_number_of_queries_however_much_happened(client, scene, officer):
    url = f"/api/v1/councils/mootshire/petitions/{scene.library.pk}"
    before = _queries(client, url)
    for n in range(3):
        meeting = factories.MeetingFactory(body=scene.meeting.body)
        domain.place_petition_on_agenda(officer, scene.library, meeting, kind="hear")
        sign_and_confirm(scene.library, f"more{n}@example.org", postcode="MH2 2BB")

    assert _queries(client, url) == before


# --- Signing --------------------------------------------------------------------------------


def test_signing_through_the_api_sends_the_link_and_confirming_through_it_counts(
    client, scene, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, sign_url(scene.benches), signing_body())

    assert response.status_code == 202
    assert response.json() == {"status": "confirmation_sent"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.org"]
    token = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
    signature = Signature.objects.get(petition=scene.benches)
    assert (signature.status, signature.postcode, signature.ward) == (
        "pending",
        "MH1 1AA",
        scene.north,
    )
    assert domain.live_count(scene.benches) == 0

    confirmed = post(client, "/api/v1/signatures/confirm", {"token": token})

    assert confirmed.status_code == 200
    assert confirmed.json() == {
        "status": "confirmed",
        "petition": {
            "id": scene.benches.pk,
            "title": "More benches in the park",
            "status": "open",
            "url": f"/mootshire/petitions/{scene.benches.pk}-more-benches-in-the-park/",
            "api_url": f"/api/v1/councils/mootshire/petitions/{scene.benches.pk}",
        },
    }
    detail = client.get(f"/api/v1/councils/mootshire/petitions/{scene.benches.pk}").json()
    assert detail["live_count"] == 1
    assert detail["count_by_ward"] == [{"ward": ward_payload(scene.north), "count": 1}]
    # Following the link twice changes nothing.
    assert post(client, "/api/v1/signatures/confirm", {"token": token}).json()["status"] == (
        "confirmed"
    )
    assert domain.live_count(scene.benches) == 1


def test_the_same_person_signing_twice_in_another_form_of_address_is_one_signature(
    client, scene, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, sign_url(scene.benches), signing_body(email="Jo.Bloggs@gmail.com"))
    token = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
    post(client, "/api/v1/signatures/confirm", {"token": token})
    # (Past the quiet re-send interval, so the "already signed" email goes out.)
    Signature.objects.update(last_emailed_at=timezone.now() - dt.timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        second = post(
            client, sign_url(scene.benches), signing_body(email="JoBloggs+park@GoogleMail.com")
        )

    assert (first.status_code, first.content) == (second.status_code, second.content)
    assert Signature.objects.filter(petition=scene.benches).count() == 1
    assert domain.live_count(scene.benches) == 1
    # Told at the address that signed, that it already counts.
    assert mail.outbox[-1].to == ["Jo.Bloggs@gmail.com"]
    assert mail.outbox[-1].subject == "You have already signed: More benches in the park"


def test_the_answer_never_reveals_whether_an_address_had_signed(client, scene):
    known = post(client, sign_url(scene.library), signing_body(email="ann@example.org"))
    unknown = post(client, sign_url(scene.library), signing_body(email="new@example.org"))

    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert known.headers.get("Content-Length") == unknown.headers.get("Content-Length")


def test_signing_records_the_callers_address_for_the_quiet_abuse_checks(client, scene):
    post(client, sign_url(scene.benches), signing_body(), REMOTE_ADDR="203.0.113.9")

    assert Signature.objects.get(petition=scene.benches).ip_address == "203.0.113.9"


def test_a_flood_from_one_address_is_flagged_quietly_and_still_answered_the_same(client, scene):
    PetitionScheme.objects.filter(council=scene.council).update(flag_per_address_per_hour=2)
    answers = [
        post(
            client,
            sign_url(scene.benches),
            signing_body(email=f"flood{n}@example.org"),
            REMOTE_ADDR="198.51.100.7",
        )
        for n in range(4)
    ]

    assert {(a.status_code, a.content) for a in answers} == {
        (202, b'{"status": "confirmation_sent"}')
    }
    assert list(
        Signature.objects.filter(petition=scene.benches)
        .order_by("pk")
        .values_list("flagged", flat=True)
    ) == [False, False, True, True]


def test_signing_needs_no_csrf_token_nor_cookie(scene):
    from django.test import Client

    response = post(Client(enforce_csrf_checks=True), sign_url(scene.benches), signing_body())

    assert response.status_code == 202


@pytest.mark.parametrize(
    ("changes", "field", "code", "message"),
    [
        ({"email": "not an email"}, "email", "invalid_email", "Enter an email address like name@example.com."),
        ({"postcode": "nowhere"}, "postcode", "invalid_postcode", "Enter a full UK postcode, like SW1A 1AA."),
        ({"postcode": "ZE9 9ZZ"}, "postcode", "postcode_outside", "This postcode is not in Mootshire’s area."),
        ({"basis": "studies"}, "basis", "invalid_basis", "Choose why you may sign this petition."),
        ({"declaration": False}, "declaration", "declaration_required", "Confirm that you live, work or study in the area, as you chose."),
        ({"name": "   "}, "name", "required", "This field is required."),
        ({"name": "x" * 201}, "name", "too_long", "Use 200 characters or fewer."),
        ({"name": "Sam\x00"}, "name", "bad_characters", "Remove the characters that cannot be stored."),
        ({"email": "sam\ud800@example.org"}, "email", "bad_characters", "Remove the characters that cannot be stored."),
    ],
)  # fmt: skip
def test_bad_signing_input_is_refused_field_by_field_with_the_verbs_code_and_nothing_written(
    client, scene, changes, field, code, message
):
    before = written()

    response = post(client, sign_url(scene.benches), signing_body(**changes))

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"type": code, "loc": ["body", "signature", field], "msg": message}]
    }
    assert written() == before


def test_a_missing_or_mistyped_field_is_refused_before_the_verb(client, scene):
    body = signing_body(declaration="yes")
    del body["email"]

    response = post(client, sign_url(scene.benches), body)

    assert response.status_code == 422
    problems = {tuple(p["loc"]): p["type"] for p in response.json()["detail"]}
    assert problems == {
        ("body", "signature", "email"): "missing",
        ("body", "signature", "declaration"): "bool_type",
    }


@pytest.mark.parametrize("which", ["rejected", "draft", "gathering", "awaiting", "elsewhere"])
def test_a_petition_that_is_not_open_or_not_public_cannot_be_signed(client, scene, which):
    petition = getattr(scene, which)
    before = written()

    response = post(
        client,
        f"/api/v1/councils/mootshire/petitions/{petition.pk}/signatures",
        signing_body(),
    )

    if which == "rejected":
        assert response.status_code == 409
        assert response.json() == {
            "detail": "This petition is not open for signatures.",
            "code": "not_open",
        }
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": f"Mootshire has no petition {petition.pk}."}
    assert written() == before


def test_a_signature_can_be_withdrawn_through_the_api_and_stops_counting(client, scene):
    signature = sign_and_confirm(scene.benches, "wendy@example.org")
    assert domain.live_count(scene.benches) == 1

    response = post(client, "/api/v1/signatures/withdraw", {"token": signature.token})

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["petition"]["id"] == scene.benches.pk
    assert domain.live_count(scene.benches) == 0


def test_after_closing_a_signature_can_be_neither_confirmed_nor_withdrawn(client, scene, officer):
    pending = sign(scene.benches, "late@example.org")
    counted = sign_and_confirm(scene.benches, "early@example.org")
    domain.close_petition(officer, scene.benches, reason_text="Superseded.")

    confirmed = post(client, "/api/v1/signatures/confirm", {"token": pending.token})
    withdrawn = post(client, "/api/v1/signatures/withdraw", {"token": counted.token})

    assert (confirmed.status_code, confirmed.json()) == (
        409,
        {
            "detail": "This petition stopped taking signatures before you confirmed.",
            "code": "not_open",
        },
    )
    assert (withdrawn.status_code, withdrawn.json()) == (
        409,
        {
            "detail": "This petition has closed, so signatures can no longer be withdrawn.",
            "code": "closed",
        },
    )
    assert domain.live_count(scene.benches) == 1


def test_a_struck_out_signature_is_not_told_so(client, scene, moderator):
    signature = sign(scene.benches, "bot@spam.example")
    domain.invalidate_signatures(moderator, scene.benches, reason_text="Bots.", ids=[signature.pk])

    response = post(client, "/api/v1/signatures/confirm", {"token": signature.token})

    assert response.json()["status"] == "confirmed"
    assert domain.live_count(scene.benches) == 0


def test_a_sponsor_confirming_before_publication_is_not_shown_the_hidden_petition(client, scene):
    PetitionScheme.objects.filter(council=scene.council).update(sponsors_required=5)
    sponsor = sign(scene.gathering, "spon@example.org", sponsor_token=scene.gathering.sponsor_token)

    response = post(client, "/api/v1/signatures/confirm", {"token": sponsor.token})

    assert response.status_code == 200
    assert response.json() == {"status": "confirmed", "petition": None}


@pytest.mark.parametrize("path", ["confirm", "withdraw"])
def test_an_unknown_token_is_a_json_404_and_a_malformed_one_a_422(client, scene, path):
    unknown = post(client, f"/api/v1/signatures/{path}", {"token": "x" * 32})
    malformed = post(client, f"/api/v1/signatures/{path}", {"token": "a\x00b"})

    assert unknown.status_code == 404
    assert unknown.json()["code"] == "unknown_token"
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["loc"] == ["body", "link", "token"]


# --- Bad input ---------------------------------------------------------------------------------

fuzz = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
near_valid = st.sampled_from(
    [
        "MH1 1AA",
        "ZE9 9ZZ",
        "sam@example.org",
        "Sam+x@Example.org",
        "lives",
        "works",
        "studies",
        True,
        False,
        "\x00",
        "\ud800",
        "x" * 300,
        "",
        " ",
    ]
)
field_value = json_values | near_valid
signing_bodies = (
    st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            ["name", "email", "postcode", "basis", "declaration", "wants_updates"], field_value
        ),
    )
    | json_values
)


@fuzz
@given(body=signing_bodies)
def test_any_json_as_a_signing_body_is_answered_below_500_and_a_refusal_writes_nothing(
    client, scene, body
):
    before = written()

    response = post(client, sign_url(scene.benches), body)

    assert response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    answer = response.json()
    if response.status_code == 202:
        assert answer == {"status": "confirmation_sent"}
    else:
        assert response.status_code in (400, 422)
        assert written() == before


@fuzz
@given(raw=st.binary(max_size=60) | st.text(max_size=60).map(str.encode))
def test_any_bytes_as_a_signing_body_are_answered_with_json_below_500(client, scene, raw):
    before = written()

    response = client.post(sign_url(scene.benches), data=raw, content_type="application/json")

    assert 400 <= response.status_code < 500 or response.status_code == 202
    assert response["Content-Type"].startswith("application/json")
    json.loads(response.content)
    if response.status_code != 202:
        assert written() == before


@fuzz
@given(body=st.fixed_dictionaries({}, optional={"token": field_value}) | json_values)
def test_any_json_as_a_token_body_is_answered_below_500(client, scene, body):
    for path in ("confirm", "withdraw"):
        response = post(client, f"/api/v1/signatures/{path}", body)
        assert 400 <= response.status_code < 500
        assert response["Content-Type"].startswith("application/json")


# --- The OpenAPI document -----------------------------------------------------------------------


def test_the_openapi_document_includes_the_petition_operations(client, db):
    document = client.get("/api/v1/openapi.json").json()

    operations = {
        (path, method): op["operationId"]
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    }
    assert operations[("/api/v1/councils/{slug}/petitions", "get")] == "list_council_petitions"
    assert operations[("/api/v1/councils/{slug}/petitions/{id}", "get")] == "get_petition"
    assert operations[("/api/v1/councils/{slug}/petitions/{id}/signatures", "post")] == (
        "sign_petition"
    )
    assert operations[("/api/v1/signatures/confirm", "post")] == "confirm_signature"
    assert operations[("/api/v1/signatures/withdraw", "post")] == "withdraw_signature"
    sign_op = document["paths"]["/api/v1/councils/{slug}/petitions/{id}/signatures"]["post"]
    assert sorted(sign_op["responses"]) == ["202", "400", "404", "409", "422"]
    schemas = document["components"]["schemas"]
    assert schemas["SigningBasis"]["enum"] == ["lives", "works", "studies"]
    assert schemas["PetitionStatus"]["enum"] == [
        "open",
        "closed",
        "responded",
        "debated",
        "rejected",
    ]
