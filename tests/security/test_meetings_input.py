"""Adversarial review (helper "review"): hostile input gives 4xx or a clear message, never a
500, and clerk, resident and importer text is never rendered as markup."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from moothall.meetings import domain
from moothall.meetings.models import AgendaItem, Meeting
from tests import factories

pytestmark = pytest.mark.django_db

FUTURE = dt.datetime(2030, 3, 14, 18, 30, tzinfo=dt.UTC)
XSS = '<script>alert("x")</script>'


def scene(council):
    ben = factories.CouncillorFactory(council=council, person__name="Ben Brook")
    body = domain.create_body(
        None, council, name="Planning Committee", purpose=f"[a](javascript:alert(1)) {XSS}"
    )
    domain.add_member(None, body, ben, role="member")
    meeting = domain.create_meeting(None, body, start=FUTURE, venue=XSS)
    item = domain.add_agenda_item(
        None,
        meeting,
        title=XSS,
        description=f"[click](javascript:alert(1)) <img src=x onerror=alert(1)> {XSS}",
        lead_officer=XSS,
    )
    domain.publish_agenda(None, meeting, now=dt.datetime(2030, 1, 2, tzinfo=dt.UTC))
    decision = domain.record_decision(
        None,
        council,
        title=XSS,
        text=f"[click](javascript:alert(1)) {XSS}",
        reasons=XSS,
        decision_maker="Cabinet",
        decided_on=dt.date(2030, 3, 14),
        agenda_item=item,
    )
    return meeting, item, decision, body, ben


def test_clerk_text_is_never_rendered_as_markup(client, council, officer):
    meeting, _item, decision, _body, _ben = scene(council)
    for url in (
        f"/mootshire/meetings/{meeting.pk}/",
        f"/mootshire/decisions/{decision.pk}/",
        "/mootshire/bodies/planning-committee/",
        "/mootshire/feeds/decisions.atom",
        "/mootshire/feeds/meetings.atom",
    ):
        content = client.get(url).content
        assert b"<script>alert" not in content, url
        assert b"javascript:" not in content, url
        assert b"<img src=x" not in content, url
    client.force_login(officer)
    content = client.get(f"/mootshire/staff/meetings/{meeting.pk}/").content
    assert b"<script>alert" not in content


def test_a_webcast_link_that_is_not_a_web_address_is_refused(council):
    meeting, *_ = scene(council)
    for url in (
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html,x",
    ):
        with pytest.raises(ValidationError):
            domain.update_meeting(None, meeting, webcast_url=url)


@pytest.mark.parametrize(
    "query",
    [
        "?page=-1",
        "?page=abc",
        "?page=99999999999999999999999",
        "?when=past&body=%00",
        "?body=../../x",
    ],
)
def test_bad_query_parameters_on_public_lists_are_not_errors(client, council, query):
    scene(council)
    for path in ("/mootshire/meetings/", "/mootshire/decisions/", "/mootshire/forward-plan/"):
        assert client.get(path + query).status_code == 200, path + query


@pytest.mark.parametrize(
    "query",
    [
        "meetings?from=0001-01-01",
        "meetings?to=9999-12-31",
        "meetings?to=9999-12-30",
        "meetings?from=2024-02-30",
        "meetings?status=nonsense",
        "meetings?limit=-1",
        "meetings?offset=99999999999999999999",
        "decisions?from=0001-01-01&to=9999-12-31",
        "decisions?key=maybe",
        "forward-plan?from=x",
        "meetings/99999999999999999999",
        "documents/-1",
    ],
)
def test_bad_api_parameters_are_4xx_never_500(client, council, query):
    scene(council)
    response = client.get(f"/api/v1/councils/mootshire/{query}")
    assert response.status_code < 500, (query, response.content[:300])


@pytest.mark.parametrize(
    "query",
    ["q=%22", "q=(((", "q=" + "a" * 5000, "q=a*&offset=-5&limit=100000", "q=bins&from=0001-01-01"],
)
def test_bad_search_queries_are_4xx_never_500(client, council, query):
    scene(council)
    assert client.get(f"/api/v1/search?{query}").status_code < 500


def test_hostile_staff_form_posts_are_refused_without_a_500_or_half_a_record(
    client, council, officer
):
    meeting, item, _decision, body, ben = scene(council)
    client.force_login(officer)
    base = f"/mootshire/staff/meetings/{meeting.pk}/"
    posts = [
        (base + "items/new/", {"title": "x" * 600, "kind": "report", "is_urgent": "on"}),
        (base + "items/new/", {"title": "A\x00", "kind": "exempt", "exempt_paragraph": "99"}),
        (base + "items/new/", {"title": "A", "kind": "report", "parent": "abc"}),
        (base + f"items/{item.pk}/edit/", {"title": "", "exempt_paragraph": "1e9"}),
        (base + f"items/{item.pk}/move/", {"direction": "sideways"}),
        (base + "votes/new/", {"motion": "m", f"position_{ben.pk}": "maybe"}),
        (base + "decisions/new/", {"title": "t", "text": "t", "decided_on": "31/02/2030"}),
        (base + "attendance/", {f"status_{ben.pk}": "asleep"}),
        (base + "declarations/new/", {"councillor": "999999", "kind": "x"}),
        (base + "edit/", {"webcast_url": "javascript:alert(1)", "date": "99/99/9999"}),
        (base + "postpone/", {"reason": ""}),
        (
            "/mootshire/staff/meetings/new/",
            {"body": body.pk, "date": "2030-13-01", "time": "25:00"},
        ),
        (
            "/mootshire/staff/meetings/forward-plan/new/",
            {"expected_date": "x", "exempt_paragraph": "0"},
        ),
        ("/mootshire/staff/meetings/bodies/new/", {"name": "Cabinet\x00"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (200, 400, 302), (url, response.status_code)
    assert list(AgendaItem.objects.values_list("title", flat=True)) == [XSS]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    assert meeting.webcast_url == ""


def test_search_results_show_clerk_text_escaped(
    client, council, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        scene(council)
    response = client.get("/search/?q=click")
    assert response.status_code == 200
    assert b"<script>alert" not in response.content
    assert b"&lt;script&gt;" in response.content
    api = client.get("/api/v1/search?q=click").json()
    assert api["count"] >= 1


def test_other_peoples_saved_searches_cannot_be_deleted(client, council, resident):
    from moothall.search.models import SavedSearch

    other = factories.UserFactory(email="sam@example.org", name="Sam")
    saved = SavedSearch.objects.create(user=other, query="bins")
    client.force_login(resident)
    assert client.post(f"/search/saved/{saved.pk}/delete/").status_code == 404
    assert client.get(f"/search/saved/{saved.pk}/delete/").status_code in (404, 405)
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
