"""Open data downloads (CSV): decisions and recorded votes, public business only."""

from __future__ import annotations

import csv
import io

import pytest

from moothall.meetings import domain
from tests.public.meetings_scene import SECRET, Scene, build_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council, resident) -> Scene:
    return build_scene(council, resident)


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_decisions_download_lists_public_decisions_only(client, scene):
    rows = read_csv(client.get("/mootshire/decisions.csv"))

    assert [(row["id"], row["title"], row["key_decision"], row["status"]) for row in rows] == [
        (str(scene.decision.pk), "Weekly bin collections in Moot Ward", "no", "made")
    ]
    assert rows[0]["url"].endswith(f"/mootshire/decisions/{scene.decision.pk}/")
    assert rows[0]["body"] == "Planning Committee"


def test_the_votes_download_gives_each_councillors_position_in_public_votes_only(client, scene):
    rows = read_csv(client.get("/mootshire/votes.csv"))

    assert [(row["councillor"], row["position"], row["outcome"]) for row in rows] == [
        ("Ada Lovelace", "for", "tied"),
        ("Ben Brook", "against", "tied"),
        ("Cy Cole", "absent", "tied"),
    ]
    assert {row["vote_id"] for row in rows} == {str(scene.vote.pk)}
    assert rows[0]["motion"] == "That the bins be collected weekly."
    assert rows[0]["party"] == "Green"


def test_no_download_holds_exempt_business_even_after_an_item_becomes_exempt(client, scene):
    for url in ("/mootshire/decisions.csv", "/mootshire/votes.csv"):
        response = client.get(url)
        assert SECRET.lower().encode() not in b"".join(response.streaming_content).lower()

    domain.update_agenda_item(None, scene.report, exempt_paragraph=1)

    assert read_csv(client.get("/mootshire/decisions.csv")) == []
    assert read_csv(client.get("/mootshire/votes.csv")) == []


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_defused(client, scene):
    domain.record_decision(
        None,
        scene.council,
        title='=HYPERLINK("http://evil.example")',
        text="Resolved.",
        decision_maker="Cabinet",
        decided_on=scene.decision.decided_on,
    )

    titles = [row["title"] for row in read_csv(client.get("/mootshire/decisions.csv"))]

    assert '\'=HYPERLINK("http://evil.example")' in titles


def test_another_councils_downloads_are_empty_and_an_unknown_council_is_not_found(
    client, scene, other_council
):
    assert read_csv(client.get("/elsewhere/decisions.csv")) == []
    assert read_csv(client.get("/elsewhere/votes.csv")) == []
    assert client.get("/nowhere/votes.csv").status_code == 404


def test_a_download_takes_the_same_queries_however_many_rows(
    client, scene, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the council, then the rows (one batch)
        b"".join(client.get("/mootshire/votes.csv").streaming_content)
    for n in range(5):
        domain.record_vote(
            None,
            scene.held,
            motion=f"Amendment {n}",
            positions={scene.ada.pk: "for", scene.ben.pk: "for"},
        )
    with django_assert_num_queries(2):
        b"".join(client.get("/mootshire/votes.csv").streaming_content)
