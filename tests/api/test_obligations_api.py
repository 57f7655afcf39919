"""What a council owes petitions, council-wide: responses, hearings and debates by deadline.

The scene is the petitions API's (see test_petitions_api): "Save the library" has met
both its obligations (the council responded; the hearing's decision is linked). Here
"More benches in the park" is also signed three times, so it is owed a response and a
hearing; the response is made overdue.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.petitions import domain
from moothall.petitions.models import Obligation, Petition
from tests.api.test_meetings_scene import iso
from tests.api.test_petitions_api import (  # noqa: F401 - the fixture is used by name
    Scene,
    open_petition,
    scene,
    sign_and_confirm,
)

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def owed(scene: Scene) -> Scene:  # noqa: F811 - the fixture imported above
    for n in range(3):
        sign_and_confirm(scene.benches, f"bench{n}@example.org")
    Obligation.objects.filter(petition=scene.benches, kind="respond").update(due_on=YESTERDAY)
    return scene


def obligation_payload(obligation: Obligation) -> dict[str, Any]:
    petition = obligation.petition
    return {
        "id": obligation.pk,
        "kind": obligation.kind,
        "threshold": obligation.threshold,
        "owner": "Democratic Services",
        "created_at": iso(obligation.created_at),
        "due_on": obligation.due_on.isoformat(),
        "fulfilled_at": iso(obligation.fulfilled_at),
        "overdue": obligation.fulfilled_at is None and obligation.due_on < timezone.localdate(),
        "petition": {
            "id": petition.pk,
            "title": petition.title,
            "status": petition.status,
            "url": f"/mootshire/petitions/{petition.pk}-{petition.slug}/",
            "api_url": f"/api/v1/councils/mootshire/petitions/{petition.pk}",
        },
    }


def get(client, query: str = "") -> Any:
    response = client.get(f"/api/v1/councils/mootshire/obligations{query}")
    assert response.status_code == 200
    return response.json()


def titles_and_kinds(answer: dict[str, Any]) -> list[tuple[str, str]]:
    return [(item["petition"]["title"], item["kind"]) for item in answer["items"]]


def test_the_list_gives_every_obligation_the_soonest_deadline_first(client, owed):
    library = owed.library
    benches_respond = Obligation.objects.get(petition=owed.benches, kind="respond")
    benches_hear = Obligation.objects.get(petition=owed.benches, kind="hear")
    library_respond = Obligation.objects.get(petition=library, kind="respond")
    library_hear = Obligation.objects.get(petition=library, kind="hear")

    answer = get(client)

    assert answer == {
        "items": [
            obligation_payload(benches_respond),  # due yesterday
            obligation_payload(library_respond),  # 10 working days
            obligation_payload(library_hear),  # 40 working days
            obligation_payload(benches_hear),  # 40 working days, made later
        ],
        "count": 4,
    }
    assert answer["items"][0]["overdue"] is True
    assert answer["items"][0]["fulfilled_at"] is None
    assert answer["items"][1]["fulfilled_at"] is not None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?open=true", [("More benches in the park", "respond"), ("More benches in the park", "hear")]),
        ("?open=false", [("Save the library", "respond"), ("Save the library", "hear")]),
        ("?overdue=true", [("More benches in the park", "respond")]),
        (
            "?overdue=false",
            [("Save the library", "respond"), ("Save the library", "hear"), ("More benches in the park", "hear")],
        ),
        ("?kind=hear", [("Save the library", "hear"), ("More benches in the park", "hear")]),
        ("?kind=hear&open=true", [("More benches in the park", "hear")]),
        ("?kind=debate", []),
    ],
)  # fmt: skip
def test_the_list_filters_open_overdue_and_kind(client, owed, query, expected):
    assert titles_and_kinds(get(client, query)) == expected


def test_an_obligation_met_late_is_no_longer_overdue(client, owed, officer):
    domain.respond_to_petition(officer, owed.benches, response="Benches are on order.")

    assert get(client, "?overdue=true") == {"items": [], "count": 0}
    met = get(client, "?kind=respond&open=false")
    assert [item["petition"]["title"] for item in met["items"]] == [
        "More benches in the park",
        "Save the library",
    ]
    assert all(item["overdue"] is False for item in met["items"])


def test_obligations_of_a_petition_that_is_not_public_or_of_another_council_never_appear(
    client, owed, resident, other_council
):
    # A petition sent back to draft cannot owe anything; the row is made by hand to show
    # that the list would not name it even then.
    Obligation.objects.create(
        council=owed.council,
        petition=owed.draft,
        kind="respond",
        threshold=2,
        owner_name="Democratic Services",
        due_on=YESTERDAY,
    )
    elsewhere = Petition.objects.get(pk=owed.elsewhere.pk)
    Obligation.objects.create(
        council=other_council, petition=elsewhere, kind="respond", threshold=1, due_on=YESTERDAY
    )

    answer = get(client, "?limit=500")

    assert {item["petition"]["title"] for item in answer["items"]} == {
        "Save the library",
        "More benches in the park",
    }
    assert answer["count"] == 4


def test_a_rejected_petitions_obligations_stay_public(client, owed, moderator):
    domain.moderate_petition(moderator, owed.benches, publish=False, reason_text="Duplicate.")

    answer = get(client, "?open=true")

    assert [(i["petition"]["status"], i["kind"]) for i in answer["items"]] == [
        ("rejected", "respond"),
        ("rejected", "hear"),
    ]


def test_an_unknown_council_is_a_json_404(client, owed):
    response = client.get("/api/v1/councils/nowhere/obligations")

    assert response.status_code == 404
    assert response.json() == {"detail": "There is no council “nowhere”."}


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_list_runs_a_fixed_number_of_queries_however_many_obligations(
    client, owed, resident, django_assert_max_num_queries
):
    url = "/api/v1/councils/mootshire/obligations"
    before = _queries(client, url)
    for n in range(3):
        petition = open_petition(resident, owed.council, f"Crossing {n}")
        for m in range(3):
            sign_and_confirm(petition, f"cross{n}-{m}@example.org")

    # The council, the count and the page (owners and petitions joined in).
    with django_assert_max_num_queries(3):
        answer = client.get(url).json()
    assert answer["count"] == 10
    assert _queries(client, url) == before


fuzz = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
awkward = st.sampled_from(
    ["\x00", "-1", "9" * 25, "true", "false", "1", "hear", "", "%", "é"]
) | st.text(max_size=8)


@fuzz
@given(
    params=st.fixed_dictionaries(
        {}, optional=dict.fromkeys(["open", "overdue", "kind", "limit", "offset"], awkward)
    )
)
def test_any_query_is_answered_with_json_below_500(client, owed, params):
    response = client.get("/api/v1/councils/mootshire/obligations", params)

    assert response.status_code in (200, 422)
    assert response["Content-Type"].startswith("application/json")
    json.loads(response.content)


def test_the_openapi_document_includes_the_obligations_list(client, db):
    document = client.get("/api/v1/openapi.json").json()

    operation = document["paths"]["/api/v1/councils/{slug}/obligations"]["get"]
    assert operation["operationId"] == "list_council_obligations"
    assert sorted(p["name"] for p in operation["parameters"]) == [
        "kind",
        "limit",
        "offset",
        "open",
        "overdue",
        "slug",
    ]
    assert document["components"]["schemas"]["ObligationKind"]["enum"] == [
        "respond",
        "hear",
        "debate",
    ]
